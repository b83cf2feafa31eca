//! The `idempotency_keys` table: lead intake's `Idempotency-Key` answers, per tenant,
//! replayed for 24 hours.
//!
//! The intake batch (`intake_batch`, `db::intake`) claims a key in the same transaction as
//! its lead, under a transaction-level advisory lock on (tenant, key): a retry that arrives
//! while the first request still holds the lock is told so at once instead of waiting; one
//! that arrives after it committed replays its answer. Two concurrent retries can never both
//! create a lead.

use sqlx::PgPool;

use crate::Error;

/// Housekeeping: drops keys older than 24 hours, for every tenant (owner pool).
pub async fn delete_expired(owner: &PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from idempotency_keys where created_at < now() - interval '24 hours'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
