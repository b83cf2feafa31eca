//! The `invite_emails` table: every invite email a workspace sent, for the limits on them
//! (`docs/security.md`, "Invite emails"). Read and written in the current tenant's
//! transaction, under its row lock, so the count and the send are one step.

use std::time::Duration;

use domain::Email;
use time::OffsetDateTime;

use crate::{Error, TenantId, Tx};

/// Records an invite email to `email`.
pub async fn record(tx: &mut Tx, tenant: TenantId, email: &Email) -> Result<(), Error> {
    sqlx::query!(
        "insert into invite_emails (tenant_id, email) values ($1, $2)",
        tenant.0,
        email.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// When the `limit`-th newest invite email within `window` was sent, to `email` or (with
/// `None`) to anyone: the limit is reached while that one is inside the window. `None`
/// when fewer than `limit` were sent.
pub async fn nth_newest_within(
    tx: &mut Tx,
    email: Option<&Email>,
    limit: u32,
    window: Duration,
) -> Result<Option<OffsetDateTime>, Error> {
    let sent_at = sqlx::query_scalar!(
        "select sent_at from invite_emails
         where tenant_id = current_tenant_id()
           and ($1::text is null or email = $1)
           and sent_at > now() - make_interval(secs => $2)
         order by sent_at desc
         offset $3 limit 1",
        email.map(Email::as_str),
        window.as_secs_f64(),
        i64::from(limit.saturating_sub(1)),
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(sent_at)
}

/// Housekeeping: drops records older than two days, past every window (owner pool).
pub async fn delete_old(owner: &sqlx::PgPool) -> Result<u64, Error> {
    let done = sqlx::query!("delete from invite_emails where sent_at < now() - interval '2 days'")
        .execute(owner)
        .await?;
    Ok(done.rows_affected())
}
