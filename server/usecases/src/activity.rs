//! Settings → Activity: the workspace's audit log, for its admins, a page at a time (keyset
//! pagination: every page is as fast as the first), optionally one action only. Entries
//! hold no secret (tokens and keys never go into an entry, only a key's public prefix).

use db::{audit::From, members::Member, tenants::ResolvedTenant};
use domain::settings::{ActivityEntry, ActivityPage};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, Platform, actor::admin, timefmt::when};

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

/// The actions the log records, with what people read for them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("member.signed_in", "Signed in"),
    ("invite.sent", "Sent an invite"),
    ("invite.resent", "Sent an invite again"),
    ("invite.revoked", "Revoked an invite"),
    ("invite.accepted", "Accepted an invite"),
    ("account.claimed", "Claimed an unverified account"),
    ("member.role_changed", "Changed a role"),
    ("member.removed", "Removed a member"),
    ("branding.updated", "Changed the branding"),
    ("stage.added", "Added a stage"),
    ("stage.updated", "Changed a stage"),
    ("stage.moved", "Moved a stage"),
    ("stage.deleted", "Deleted a stage"),
    ("tenant.api_key_issued", "Issued the API key"),
    ("tenant.api_key_rotated", "Rotated the API key"),
    ("tenant.old_api_key_revoked", "Revoked the old API key"),
    ("password.reset", "Reset a password"),
    ("lead.received", "Received a lead"),
    ("leads.received", "Received leads"),
    ("lead.moved", "Moved a lead"),
    ("tenant.provisioned", "Created the workspace"),
    ("tenant.approve", "Approved the workspace"),
    ("tenant.reject", "Rejected the workspace"),
    ("tenant.suspend", "Suspended the workspace"),
    ("tenant.reactivate", "Reactivated the workspace"),
    ("tenant.plan_changed", "Changed the plan"),
    ("domain.added", "Added a domain"),
    ("domain.verified", "Verified a domain"),
    ("domain.made_primary", "Made a domain primary"),
    ("domain.failed", "A domain failed its checks"),
    ("domain.removed", "Removed a domain"),
    (
        "member.signed_in_with_password",
        "Signed in with a password while SSO is required",
    ),
    ("member.joined_by_sso", "Joined by signing in with SSO"),
    (
        "member.sessions_ended_by_provider",
        "The identity provider ended a member's sessions",
    ),
    ("sso.saved", "Saved the single sign-on connection"),
    (
        "sso.domain_verified",
        "Proved an email domain for single sign-on",
    ),
    ("sso.required", "Required single sign-on"),
    ("sso.not_required", "Stopped requiring single sign-on"),
];

/// Where a page starts, as the page's address carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    Newest,
    Older(OffsetDateTime, Uuid),
    Newer(OffsetDateTime, Uuid),
}

impl Cursor {
    /// `before=<cursor>` or `after=<cursor>`; anything unreadable starts from the newest.
    pub fn parse(before: Option<&str>, after: Option<&str>) -> Cursor {
        let read = |text: &str| {
            let (nanos, id) = text.split_once('.')?;
            let at = OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
            Some((at, id.parse().ok()?))
        };
        match (before.and_then(read), after.and_then(read)) {
            (Some((at, id)), _) => Cursor::Older(at, id),
            (None, Some((at, id))) => Cursor::Newer(at, id),
            _ => Cursor::Newest,
        }
    }
}

fn cursor_text(at: OffsetDateTime, id: Uuid) -> String {
    format!("{}.{id}", at.unix_timestamp_nanos())
}

/// One page of the workspace's log, newest first; `action` keeps one known action only.
pub async fn page(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    action: Option<&str>,
    cursor: Cursor,
) -> Result<ActivityPage, Error> {
    admin(member)?;
    let action = action.filter(|a| ACTIONS.iter().any(|(known, _)| known == a));
    let from = match cursor {
        Cursor::Newest => From::Newest,
        Cursor::Older(at, id) => From::OlderThan(at, id),
        Cursor::Newer(at, id) => From::NewerThan(at, id),
    };
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    // One more than a page tells whether there is another page that way.
    let mut entries = db::audit::page(&mut tx, action, from, PAGE_SIZE + 1).await?;
    let people = db::members::list(&mut tx).await?;
    tx.commit().await?;

    let more = entries.len() > PAGE_SIZE as usize;
    if more {
        match cursor {
            Cursor::Newer(..) => {
                entries.remove(0);
            }
            _ => {
                entries.pop();
            }
        }
    }
    let (newer, older) = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => {
            let has_newer =
                !matches!(cursor, Cursor::Newest) && (more || !matches!(cursor, Cursor::Newer(..)));
            let has_older = more || matches!(cursor, Cursor::Newer(..));
            (
                has_newer.then(|| cursor_text(first.created_at, first.id)),
                has_older.then(|| cursor_text(last.created_at, last.id)),
            )
        }
        _ => (None, None),
    };
    let actor_name = |actor: &str| match actor.split_once(':') {
        Some(("user", id)) => people
            .iter()
            .find(|m| m.user_id.0.to_string() == id)
            .map_or_else(
                || "A former member".to_owned(),
                |m| format!("{} ({})", m.name, m.email),
            ),
        Some(("staff", _)) => "HREF staff".to_owned(),
        _ => match actor {
            "cli" => "HREF staff (command line)".to_owned(),
            "api" => "Intake API".to_owned(),
            "signup" => "Signup".to_owned(),
            "system" => "HREF CRM (automatic check)".to_owned(),
            other => other.to_owned(),
        },
    };
    Ok(ActivityPage {
        entries: entries
            .into_iter()
            .map(|e| ActivityEntry {
                at: when(e.created_at),
                actor: actor_name(&e.actor),
                action: ACTIONS
                    .iter()
                    .find(|(known, _)| *known == e.action)
                    .map_or_else(|| e.action.clone(), |(_, label)| (*label).to_owned()),
                subject: subject(&e.detail),
            })
            .collect(),
        actions: ACTIONS
            .iter()
            .map(|(a, l)| ((*a).to_owned(), (*l).to_owned()))
            .collect(),
        newer,
        older,
    })
}

/// What an entry was about, in a few words, from the fields entries carry.
fn subject(detail: &Value) -> String {
    let field = |name: &str| detail.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut parts: Vec<String> = Vec::new();
    if let Some(count) = detail.get("count").and_then(Value::as_u64) {
        parts.push(format!("{count} lead{}", if count == 1 { "" } else { "s" }));
    }
    for key in ["email", "stage", "name", "slug"] {
        if let Some(value) = field(key) {
            parts.push(value);
            break;
        }
    }
    if let (Some(from), Some(to)) = (field("from"), field("to")) {
        parts.push(format!("{from} → {to}"));
    } else if let Some(role) = field("role") {
        parts.push(format!("as {role}"));
    }
    if let Some(prefix) = field("prefix") {
        parts.push(format!("key {prefix}…"));
    }
    if let Some(reason) = field("reason") {
        parts.push(format!("“{reason}”"));
    }
    if let Some(source) = field("source") {
        parts.push(format!("from {source}"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_ignores_garbage() {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let id = Uuid::nil();
        let text = cursor_text(at, id);
        assert_eq!(Cursor::parse(Some(&text), None), Cursor::Older(at, id));
        assert_eq!(Cursor::parse(None, Some(&text)), Cursor::Newer(at, id));
        assert_eq!(Cursor::parse(Some("x.y"), None), Cursor::Newest);
    }

    #[test]
    fn the_subject_names_what_changed() {
        assert_eq!(
            subject(&json!({ "email": "ada@acme.test", "from": "admin", "to": "member" })),
            "ada@acme.test, admin → member"
        );
        assert_eq!(subject(&json!({ "prefix": "hcrm_AbCd" })), "key hcrm_AbCd…");
        assert_eq!(subject(&json!({ "stage": "Won", "to": 2 })), "Won");
    }
}
