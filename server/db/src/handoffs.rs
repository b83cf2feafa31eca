//! The `handoff_tokens` table: a signup on the apex signs its new admin in on the
//! workspace's own host with a single-use link that works for 60 seconds, and only in the
//! browser that signed up (`docs/security.md`, "Signup hand-off"):
//!
//! 1. the signup stores the link's token and the hash of a secret it gives the browser in
//!    an apex cookie;
//! 2. the workspace host binds the link to a second secret, in a cookie of its own;
//! 3. the apex confirms the link for the browser that holds its cookie and knows the
//!    second secret's hash;
//! 4. the workspace host spends the link for the browser holding its own cookie.

use crate::{Error, TenantId, Tx, UserId};

/// How long a hand-off link works.
pub const VALID_SECS: i32 = 60;

/// Creates a hand-off for `user` into `tenant`, with the hashes of its token and of the
/// signing-up browser's secret.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    token_hash: &[u8; 32],
    browser_hash: &[u8; 32],
) -> Result<(), Error> {
    sqlx::query!(
        "insert into handoff_tokens (token_hash, tenant_id, user_id, browser_hash, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(secs => $5))",
        &token_hash[..],
        tenant.0,
        user.0,
        &browser_hash[..],
        f64::from(VALID_SECS),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Step 2: binds an open, unbound hand-off of the current tenant to the hash of the
/// workspace host's secret. False if the link is unknown, used, expired or already bound.
pub async fn bind(
    tx: &mut Tx,
    token_hash: &[u8; 32],
    nonce_hash: &[u8; 32],
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update handoff_tokens set nonce_hash = $2
         where tenant_id = current_tenant_id() and token_hash = $1 and nonce_hash is null
           and used_at is null and expires_at > now()",
        &token_hash[..],
        &nonce_hash[..],
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Step 3, on the apex before any tenant is known (a definer function): confirms a bound,
/// open hand-off for the browser whose secrets hash to `browser_hash` and `nonce_hash`.
pub async fn confirm(
    db: impl sqlx::PgExecutor<'_>,
    token_hash: &[u8; 32],
    browser_hash: &[u8; 32],
    nonce_hash: &[u8; 32],
) -> Result<bool, Error> {
    let confirmed = sqlx::query_scalar!(
        r#"select confirm_handoff($1, $2, $3) as "confirmed!""#,
        &token_hash[..],
        &browser_hash[..],
        &nonce_hash[..],
    )
    .fetch_one(db)
    .await?;
    Ok(confirmed)
}

/// Step 4: spends a confirmed hand-off of the current tenant bound to `nonce_hash`: the
/// user to sign in, or `None`. The check and the write are one statement.
pub async fn consume(
    tx: &mut Tx,
    token_hash: &[u8; 32],
    nonce_hash: &[u8; 32],
) -> Result<Option<UserId>, Error> {
    let user = sqlx::query_scalar!(
        "update handoff_tokens set used_at = now()
         where tenant_id = current_tenant_id() and token_hash = $1 and nonce_hash = $2
           and confirmed_at is not null and used_at is null and expires_at > now()
         returning user_id",
        &token_hash[..],
        &nonce_hash[..],
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(user.map(UserId))
}

/// Housekeeping: drops hand-offs that expired more than a minute ago (owner pool).
pub async fn delete_expired(owner: &sqlx::PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from handoff_tokens where expires_at < now() - interval '1 minute'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
