//! The staff console's own use cases (`docs/console.md`): the tenant list and a tenant's
//! page, plans, the audit log and its CSV, and the outbox with Retry. Each takes a signed-in
//! [`Staff`](crate::staff_sign_in::Staff) and runs on the console's database role. The
//! life-cycle actions are [`crate::change_status`] and provisioning is
//! [`crate::provision`], shared with the CLI.

pub mod audit_log;
pub mod flash;
pub mod outbox;
pub mod plan;
pub mod tenants;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use db::console::{Page, SortKey};
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// A keyset cursor as the page's links carry it: `c<unix nanos>.<id>` or
/// `n<base64url name>.<id>`.
pub fn cursor_text(key: &SortKey) -> String {
    match key {
        SortKey::Created(at, id) => format!("c{}.{id}", at.unix_timestamp_nanos()),
        SortKey::Name(name, id) => format!("n{}.{id}", URL_SAFE_NO_PAD.encode(name)),
    }
}

fn read_cursor(text: &str) -> Option<SortKey> {
    let (key, id) = text.rsplit_once('.')?;
    let id: Uuid = id.parse().ok()?;
    match key.split_at_checked(1)? {
        ("c", nanos) => Some(SortKey::Created(
            OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?,
            id,
        )),
        ("n", name) => Some(SortKey::Name(
            String::from_utf8(URL_SAFE_NO_PAD.decode(name).ok()?).ok()?,
            id,
        )),
        _ => None,
    }
}

/// The page that `after=` or `before=` asks for; anything unreadable is the first page.
pub fn page(after: Option<&str>, before: Option<&str>) -> Page {
    match (after.and_then(read_cursor), before.and_then(read_cursor)) {
        (Some(key), _) => Page::After(key),
        (None, Some(key)) => Page::Before(key),
        _ => Page::First,
    }
}

/// The Previous and Next cursors of a page whose rows run from `first` to `last`, read
/// from `page`, where `more` says whether rows remain in the direction it was read.
pub(crate) fn neighbours(
    page: &Page,
    more: bool,
    first: Option<SortKey>,
    last: Option<SortKey>,
) -> (Option<String>, Option<String>) {
    let (has_previous, has_next) = match page {
        Page::First => (false, more),
        Page::After(_) => (true, more),
        Page::Before(_) => (more, true),
    };
    (
        first.filter(|_| has_previous).map(|k| cursor_text(&k)),
        last.filter(|_| has_next).map(|k| cursor_text(&k)),
    )
}

/// "3 days", "2 hours", "5 minutes": how long ago `at` was.
pub(crate) fn age(at: OffsetDateTime) -> String {
    let gone = OffsetDateTime::now_utc() - at;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if gone.whole_days() >= 1 {
        plural(gone.whole_days(), "day")
    } else if gone.whole_hours() >= 1 {
        plural(gone.whole_hours(), "hour")
    } else if gone.whole_minutes() >= 1 {
        plural(gone.whole_minutes(), "minute")
    } else {
        "less than a minute".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_as_written_and_nonsense_is_the_first_page() {
        let id = Uuid::new_v4();
        for key in [
            SortKey::Created(
                OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
                id,
            ),
            SortKey::Name("Acme. Law & Co".into(), id),
        ] {
            assert_eq!(
                page(Some(&cursor_text(&key)), None),
                Page::After(key.clone())
            );
            assert_eq!(page(None, Some(&cursor_text(&key))), Page::Before(key));
        }
        assert_eq!(page(Some("x.y"), None), Page::First);
        assert_eq!(page(Some("c12.not-a-uuid"), None), Page::First);
    }
}
