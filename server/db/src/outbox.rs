//! The `email_outbox` table. Emails are queued in the transaction of the change that sends
//! them, so either both happen or neither does; the worker delivers them later.
//!
//! Bodies are stored sealed (encrypted with a key kept outside the database; see
//! `usecases::sealing`) and dropped once sent: a reader of the table sees who, what subject
//! and when, never a working link (`docs/security.md`, "Emails").

use std::time::Duration;

use domain::Email;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// An email due for delivery, as the worker reads it (owner pool only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueEmail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub sealed_body: Vec<u8>,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// A queued email whose body is still kept, for the dev mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptEmail {
    pub to_address: String,
    pub subject: String,
    pub sealed_body: Vec<u8>,
    pub created_at: OffsetDateTime,
}

/// Whether a queued email goes out, or waits for its workspace's approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The worker sends it as soon as it can.
    Now,
    /// Held until staff approve the workspace (sent then) or reject it (dropped then).
    Held,
}

/// Queues an email in the caller's transaction. Request traffic may add rows but never
/// read them (no `RETURNING`).
pub async fn enqueue(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    to: &Email,
    subject: &str,
    sealed_body: &[u8],
    delivery: Delivery,
) -> Result<(), Error> {
    let status = match delivery {
        Delivery::Now => "pending",
        Delivery::Held => "held",
    };
    sqlx::query!(
        "insert into email_outbox (tenant_id, to_address, subject, sealed_body, status)
         values ($1, $2, $3, $4, $5)",
        tenant.map(|t| t.0),
        to.as_str(),
        subject,
        sealed_body,
        status,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The emails to `to` whose bodies are still kept, newest first (the dev mailbox). Held
/// emails are not there: nothing was sent yet.
pub async fn list_kept_for_address(owner: &PgPool, to: &Email) -> Result<Vec<KeptEmail>, Error> {
    let rows = sqlx::query_as!(
        KeptEmail,
        r#"select to_address, subject, sealed_body as "sealed_body!", created_at
           from email_outbox
           where to_address = $1 and sealed_body is not null and status <> 'held'
           order by created_at desc, id desc limit 100"#,
        to.as_str()
    )
    .fetch_all(owner)
    .await?;
    Ok(rows)
}

/// Locks the next due email for delivery inside `tx`, skipping any that another worker
/// holds. The lock lasts as long as `tx`, so it cannot run out while the send is still
/// going: two workers never send one email at once, and a worker that dies mid-send
/// releases it with its connection (one repeat at most).
pub async fn lock_next_due(tx: &mut Tx) -> Result<Option<DueEmail>, Error> {
    let row = sqlx::query_as!(
        DueEmail,
        r#"select id, to_address, subject, sealed_body as "sealed_body!", attempts
           from email_outbox
           where status = 'pending' and next_attempt_at <= now()
           order by next_attempt_at
           limit 1
           for update skip locked"#
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row)
}

/// Records a delivery and drops the body.
pub async fn mark_sent(tx: &mut Tx, id: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "update email_outbox
         set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null,
             sealed_body = null
         where id = $1",
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again after `base` × 2^(attempts − 1), at most `cap`,
/// or marked `failed` (kept for staff to see) once `max_attempts` were made. True when it
/// is now failed.
pub async fn mark_attempt_failed(
    tx: &mut Tx,
    id: Uuid,
    error: &str,
    max_attempts: i32,
    base: Duration,
    cap: Duration,
) -> Result<bool, Error> {
    let failed = sqlx::query_scalar!(
        r#"update email_outbox
           set attempts = attempts + 1, last_error = $2,
               status = case when attempts + 1 >= $3 then 'failed' else 'pending' end,
               failed_at = case when attempts + 1 >= $3 then now() end,
               next_attempt_at = now() + least(
                   make_interval(secs => $4 * power(2, attempts)),
                   make_interval(secs => $5))
           where id = $1
           returning status = 'failed' as "failed!""#,
        id,
        error,
        max_attempts,
        base.as_secs_f64(),
        cap.as_secs_f64(),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(failed)
}

/// Releases the held emails of `tenant` (console role, in the approval's or rejection's
/// transaction): queued to send now, or dropped with their bodies. How many.
pub async fn release_held(tx: &mut Tx, tenant: TenantId, send: bool) -> Result<i32, Error> {
    let released = sqlx::query_scalar!(
        r#"select release_held_emails($1, $2) as "released!""#,
        tenant.0,
        send
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(released)
}

/// How much mail waits, for the operators' metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backlog {
    pub pending: i64,
    pub failed: i64,
    pub held: i64,
    /// How long the oldest email still to send has waited (0 when none waits).
    pub oldest_pending_secs: f64,
}

/// The outbox's backlog (owner pool).
pub async fn backlog(owner: &PgPool) -> Result<Backlog, Error> {
    let row = sqlx::query!(
        r#"select count(*) filter (where status = 'pending') as "pending!",
                  count(*) filter (where status = 'failed') as "failed!",
                  count(*) filter (where status = 'held') as "held!",
                  coalesce(extract(epoch from now() - min(created_at)
                           filter (where status = 'pending')), 0)::float8 as "oldest!"
           from email_outbox where status in ('pending', 'failed', 'held')"#
    )
    .fetch_one(owner)
    .await?;
    Ok(Backlog {
        pending: row.pending,
        failed: row.failed,
        held: row.held,
        oldest_pending_secs: row.oldest,
    })
}
