//! The `password_attempts` table: every password check of an account is counted here
//! *before* the password is hashed, and the comparison itself spends the reservation, so
//! that an account gets at most the limit of checks per window however many requests
//! arrive at once (`docs/security.md`, "Passwords"). Request traffic reaches the table only
//! through two definer functions, which also keep the hash itself out of its hands.

use std::time::Duration;

use domain::Email;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Error;

/// Counts one attempt against `email`'s account: its id, or `None` when `limit` attempts
/// that did not succeed were already made within `window`. The count and the insert run
/// under a per-account lock, so parallel requests cannot all slip under the limit.
pub async fn reserve(
    db: &PgPool,
    email: &Email,
    limit: u32,
    window: Duration,
) -> Result<Option<Uuid>, Error> {
    let id = sqlx::query_scalar!(
        r#"select reserve_password_attempt($1, $2, $3) as "id""#,
        email.as_str(),
        i32::try_from(limit).unwrap_or(i32::MAX),
        i32::try_from(window.as_secs()).unwrap_or(i32::MAX),
    )
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// Spends the reserved `attempt` comparing `phc` (a candidate hashed with the account's
/// setting) with `email`'s stored hash. True on a match, which also forgets the account's
/// earlier failures; false for a mismatch, or an attempt already spent or not this
/// account's.
pub async fn matches(db: &PgPool, attempt: Uuid, email: &Email, phc: &str) -> Result<bool, Error> {
    let matched = sqlx::query_scalar!(
        r#"select password_matches($1, $2, $3) as "matched!""#,
        attempt,
        email.as_str(),
        phc,
    )
    .fetch_one(db)
    .await?;
    Ok(matched)
}

/// Housekeeping: drops attempts older than a day (owner pool).
pub async fn delete_old(owner: &PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from password_attempts where attempted_at < now() - interval '1 day'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
