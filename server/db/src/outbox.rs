//! The `email_outbox` table. Emails are queued in the transaction of the change that
//! sends them, so either both happen or neither does; the worker delivers them later.

use domain::Email;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx, emails::OutgoingEmail};

/// A queued or sent email, as the worker and the dev mailbox read it (owner pool only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedEmail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: OffsetDateTime,
    pub attempts: i32,
    pub sent_at: Option<OffsetDateTime>,
}

/// Queues an email in the caller's transaction. Request traffic may add rows but never
/// read them (no `RETURNING`).
pub async fn enqueue(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    to: &Email,
    email: &OutgoingEmail,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into email_outbox (tenant_id, to_address, subject, text_body, html_body)
         values ($1, $2, $3, $4, $5)",
        tenant.map(|t| t.0),
        to.as_str(),
        email.subject,
        email.text,
        email.html,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The emails sent to `to`, newest first (the dev mailbox).
pub async fn list_for_address(owner: &PgPool, to: &str) -> Result<Vec<QueuedEmail>, Error> {
    let rows = sqlx::query_as!(
        QueuedEmail,
        "select id, to_address, subject, text_body, html_body, created_at, attempts, sent_at
         from email_outbox where to_address = lower($1)
         order by created_at desc, id desc limit 100",
        to
    )
    .fetch_all(owner)
    .await?;
    Ok(rows)
}

/// Claims up to `limit` due emails for delivery. The claim pushes their next attempt
/// five minutes out and commits before sending, so a worker killed mid-send causes at most
/// one repeat, and two workers never send the same email at once.
pub async fn claim_due(owner: &PgPool, limit: i64) -> Result<Vec<QueuedEmail>, Error> {
    let rows = sqlx::query_as!(
        QueuedEmail,
        "update email_outbox set attempts = attempts + 1,
                next_attempt_at = now() + interval '5 minutes'
         where id in (select id from email_outbox
                      where sent_at is null and next_attempt_at <= now()
                      order by next_attempt_at limit $1
                      for update skip locked)
         returning id, to_address, subject, text_body, html_body, created_at, attempts, sent_at",
        limit
    )
    .fetch_all(owner)
    .await?;
    Ok(rows)
}

/// Records a successful delivery.
pub async fn mark_sent(owner: &PgPool, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "update email_outbox set sent_at = now(), last_error = null where id = $1",
        id
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// Records a failed delivery and when to try again (backing off with the attempt count).
pub async fn mark_failed(owner: &PgPool, id: Uuid, error: &str) -> Result<(), Error> {
    sqlx::query!(
        "update email_outbox set last_error = $2,
                next_attempt_at = now() + least(interval '1 minute' * power(2, attempts), interval '1 hour')
         where id = $1",
        id,
        error
    )
    .execute(owner)
    .await?;
    Ok(())
}
