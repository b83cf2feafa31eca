//! The `password_attempts` table: every password check is counted here *before* the
//! password is hashed, under the keys it is limited by (an account's email, `staff:<email>`,
//! `network:<client network>`…), and the comparison itself spends the account's reservation,
//! so that a key gets at most its limit of checks per window however many requests arrive at
//! once (`docs/security.md`, "Passwords"). Request traffic reaches the table only through
//! definer functions, which also keep the hash itself out of its hands.

use std::time::Duration;

use domain::Email;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Error;

/// Counts one attempt under `key`: its id, or `None` when `limit` attempts that did not
/// succeed were already made within `window`. The count and the insert run under a per-key
/// lock, so parallel requests cannot all slip under the limit.
pub async fn reserve(
    db: &PgPool,
    key: &str,
    limit: u32,
    window: Duration,
) -> Result<Option<Uuid>, Error> {
    let id = sqlx::query_scalar!(
        r#"select reserve_password_attempt($1, $2, $3) as "id""#,
        key,
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

/// Forgets one reserved attempt: a check that succeeded is no failure of its key.
pub async fn forget_one(db: &PgPool, attempt: Uuid) -> Result<(), Error> {
    sqlx::query!("select forget_password_attempt($1)", attempt)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets every attempt counted under `key` (owner pool).
pub async fn forget(owner: &PgPool, key: &str) -> Result<(), Error> {
    sqlx::query!(
        "delete from password_attempts where account = sha256(convert_to(lower($1), 'UTF8'))",
        key
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// Housekeeping: drops attempts older than a day (owner pool).
pub async fn delete_old(owner: &PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from password_attempts where attempted_at < now() - interval '1 day'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
