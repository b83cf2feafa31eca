//! The `rate_limits` table: every rate limit's state, shared by all instances of the server
//! (`docs/scale.md`, "Limits"). One statement per check, through a definer function.

use std::time::Duration;

use sqlx::PgPool;

use crate::Error;

/// Counts one event for `key` under `scope`'s limit of `count` per `window`: `None` when
/// it is allowed, else how long until it would be.
pub async fn take(
    db: &PgPool,
    scope: &str,
    key: &str,
    count: u32,
    window: Duration,
) -> Result<Option<Duration>, Error> {
    let wait = sqlx::query_scalar!(
        r#"select rate_limit_take($1, $2, $3, $4) as "wait!""#,
        scope,
        key,
        i32::try_from(count).unwrap_or(i32::MAX),
        window.as_secs_f64(),
    )
    .fetch_one(db)
    .await?;
    Ok((wait > 0.0).then(|| Duration::from_secs_f64(wait)))
}

/// Housekeeping: forgets keys whose allowance is whole again (owner pool).
pub async fn delete_idle(owner: &PgPool) -> Result<u64, Error> {
    let done = sqlx::query!("delete from rate_limits where tat < now()")
        .execute(owner)
        .await?;
    Ok(done.rows_affected())
}
