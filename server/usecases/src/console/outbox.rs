//! `/admin/outbox`: the emails held, pending, sent and failed, with attempts and the last error,
//! and Retry for a failed one. Staff see who, what and when: the console's role cannot read
//! an email's body, so no working link or token can reach this page.

use db::console::{OutboxRow, Page, SortKey};
use domain::console::{OutboxEmail, OutboxPage};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Error, Platform,
    actor::audit,
    console::{PAGE_SIZE, neighbours},
    staff_sign_in::Staff,
    timefmt::when,
};

/// The states an email can be in, as the filter names them.
pub const STATES: [&str; 4] = ["held", "pending", "sent", "failed"];

/// One page of emails, newest first, of one state (`None`: all), to addresses containing
/// `to` (ignoring case; empty: any).
pub async fn page(
    p: &Platform,
    _staff: &Staff,
    status: Option<&str>,
    to: &str,
    page: &Page,
) -> Result<OutboxPage, Error> {
    let status = status.filter(|s| STATES.contains(s));
    let to = crate::console::tenants::search_pattern(to);
    let db = &p.db.console;
    let ((rows, more), counts) = tokio::try_join!(
        db::console::outbox(db, status, to.as_deref(), page, PAGE_SIZE),
        db::console::outbox_counts(db),
    )?;
    let count = |state: &str| {
        counts
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    };
    let key = |r: &OutboxRow| SortKey::Created(r.created_at, r.id);
    let (newer, older) = neighbours(page, more, rows.first().map(key), rows.last().map(key));
    Ok(OutboxPage {
        held: count("held"),
        pending: count("pending"),
        sent: count("sent"),
        failed: count("failed"),
        newer,
        older,
        emails: rows
            .into_iter()
            .map(|r| OutboxEmail {
                id: r.id,
                when: match (r.status.as_str(), r.sent_at, r.failed_at) {
                    ("sent", Some(at), _) => format!("Sent {}", when(at)),
                    ("failed", _, Some(at)) => format!("Given up {}", when(at)),
                    ("held", _, _) => "When the workspace is approved".to_owned(),
                    ("dropped", _, _) => "Never: the workspace was not approved".to_owned(),
                    _ => format!("Next attempt {}", when(r.next_attempt_at)),
                },
                to: r.to_address,
                subject: r.subject,
                tenant: r.slug,
                status: r.status,
                attempts: r.attempts,
                last_error: r.last_error,
                created: when(r.created_at),
            })
            .collect(),
    })
}

/// Puts a failed email back in the queue, due now. Audited; a second click hears that it
/// is queued already.
pub async fn retry(p: &Platform, staff: &Staff, email: Uuid) -> Result<String, Error> {
    let mut tx = p.db.console.begin().await?;
    let Some((to, subject)) = db::console::retry_email(&mut tx, email).await? else {
        return Err(Error::Conflict {
            code: "not_failed",
            message: "That email is not failed any more: it is queued or sent already.".into(),
        });
    };
    audit(
        &mut tx,
        None,
        &staff.actor(),
        "email.retried",
        json!({ "to": to, "subject": subject }),
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}
