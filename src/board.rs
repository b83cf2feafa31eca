//! The pipeline board as pages show it: stages as columns, leads as cards.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The board of one workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<Column>,
}

/// One stage and its newest leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage_id: Uuid,
    pub name: String,
    pub colour: String,
    /// How many leads the stage holds (the column may show fewer).
    pub total: i64,
    /// Whether the column shows a later page (after **Show more**), not its newest leads.
    pub paged: bool,
    /// The last card shown, when the stage holds older leads: **Show more** goes on from it.
    pub next: Option<Uuid>,
    pub cards: Vec<Card>,
}

/// The most leads one move takes (a board shows far fewer at once).
pub const MAX_MOVE: usize = 1000;

/// A later page of one column: the leads of `stage` after the lead `after` (in the board's
/// order, newest first). In the address as `?stage=<id>&after=<id>`, a keyset cursor, so a
/// page costs the same however deep it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub stage: Uuid,
    pub after: Uuid,
}

impl Page {
    /// The page a board address asks for; anything malformed is the board's first page.
    pub fn from_query(stage: Option<&str>, after: Option<&str>) -> Option<Page> {
        Some(Page {
            stage: stage?.parse().ok()?,
            after: after?.parse().ok()?,
        })
    }

    /// Where **Show more** of `stage` goes when its last shown card is `after`.
    pub fn href(stage: Uuid, after: Uuid) -> String {
        format!("/leads?stage={stage}&after={after}#stage-{stage}")
    }
}

/// A lead's card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    /// When the lead arrived, e.g. "23 Nov 2026, 14:05 UTC".
    pub received: String,
}

/// A lead's name on its card: "First Last" if either is known, else the email, else the
/// phone (empty if none of these is set).
pub fn display_name(
    first: Option<&str>,
    last: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> String {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.trim().is_empty() {
        name.trim().to_owned()
    } else {
        email.or(phone).unwrap_or_default().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_from_its_own_address_or_not_at_all() {
        let (stage, after) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let href = Page::href(stage, after);
        let query = href
            .strip_prefix("/leads?")
            .and_then(|q| q.split('#').next())
            .unwrap_or_default();
        let value = |key: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
        };
        assert_eq!(
            Page::from_query(value("stage"), value("after")),
            Some(Page { stage, after })
        );
        assert_eq!(Page::from_query(value("stage"), None), None);
        assert_eq!(Page::from_query(Some("nope"), value("after")), None);
    }

    #[test]
    fn the_display_name_prefers_the_name_then_email_then_phone() {
        let (email, phone) = (Some("ada@example.com"), Some("12345"));
        assert_eq!(display_name(Some("Ada"), None, email, phone), "Ada");
        assert_eq!(
            display_name(Some("Ada"), Some("Lovelace"), email, phone),
            "Ada Lovelace"
        );
        assert_eq!(
            display_name(None, Some("Lovelace"), email, phone),
            "Lovelace"
        );
        assert_eq!(display_name(None, None, email, phone), "ada@example.com");
        assert_eq!(display_name(None, None, None, phone), "12345");
        assert_eq!(display_name(None, None, None, None), "");
    }
}
