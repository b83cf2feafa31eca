//! The `idempotency_keys` table: lead intake's `Idempotency-Key` answers, per tenant,
//! replayed for 24 hours.
//!
//! The key is claimed first, in the same transaction as the lead, under a transaction-level
//! advisory lock on (tenant, key). A retry that arrives while the first request still holds
//! the lock is told so at once ([`Claim::InProgress`]) instead of waiting on a connection;
//! one that arrives after it committed replays its answer. Two concurrent retries can never
//! both create a lead.

use sqlx::PgPool;

use crate::{Error, TenantId, Tx};

/// What to do with a request carrying an idempotency key.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// First use of the key: handle the request, then [`complete`] it.
    New,
    /// The key was used for this same request: answer as the first time.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// The key was used for a different request.
    Mismatch,
    /// A request with this key is being handled right now.
    InProgress,
}

/// Claims `key` for a request whose body hashes to `request_hash`.
pub async fn claim(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
    request_hash: &[u8],
) -> Result<Claim, Error> {
    let locked = sqlx::query_scalar!(
        r#"select pg_try_advisory_xact_lock(727276, hashtext($1::uuid::text || ':' || $2)) as "locked!""#,
        tenant.0,
        key
    )
    .fetch_one(&mut **tx)
    .await?;
    if !locked {
        return Ok(Claim::InProgress);
    }
    sqlx::query!(
        "delete from idempotency_keys
         where tenant_id = current_tenant_id() and key = $1
           and created_at < now() - interval '24 hours'",
        key
    )
    .execute(&mut **tx)
    .await?;
    let inserted = sqlx::query!(
        "insert into idempotency_keys (tenant_id, key, request_hash, response_status, response_body)
         values ($1, $2, $3, 0, 'null') on conflict do nothing",
        tenant.0,
        key,
        request_hash
    )
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    let first = sqlx::query!(
        "select request_hash, response_status, response_body from idempotency_keys
         where tenant_id = current_tenant_id() and key = $1",
        key
    )
    .fetch_one(&mut **tx)
    .await?;
    if first.request_hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    let status = u16::try_from(first.response_status)
        .map_err(|_| Error::Data(format!("stored status {}", first.response_status)))?;
    Ok(Claim::Replay {
        status,
        body: first.response_body,
    })
}

/// Stores the answer to replay for a [`Claim::New`] key.
pub async fn complete(
    tx: &mut Tx,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), Error> {
    sqlx::query!(
        "update idempotency_keys set response_status = $2, response_body = $3
         where tenant_id = current_tenant_id() and key = $1",
        key,
        i32::from(status),
        body
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Housekeeping: drops keys older than 24 hours, for every tenant (owner pool).
pub async fn delete_expired(owner: &PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from idempotency_keys where created_at < now() - interval '24 hours'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
