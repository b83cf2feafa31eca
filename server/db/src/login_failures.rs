//! The `login_failures` table: failed sign-ins per tenant and address, for the
//! per-account limit (SPEC: 10 failures per account per 15 minutes).

use sqlx::PgPool;

use crate::{Error, TenantId, Tx};

/// Failed sign-ins for `email` in the current tenant within the last `window_secs`.
pub async fn count_recent(tx: &mut Tx, email: &str, window_secs: i64) -> Result<i64, Error> {
    let count = sqlx::query_scalar!(
        r#"select count(*) as "count!" from login_failures
           where tenant_id = current_tenant_id() and email = $1 and failed_at > now() - make_interval(secs => $2)"#,
        email,
        window_secs as f64
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(count)
}

/// Records one failed sign-in.
pub async fn record(tx: &mut Tx, tenant: TenantId, email: &str) -> Result<(), Error> {
    sqlx::query!(
        "insert into login_failures (tenant_id, email) values ($1, $2)",
        tenant.0,
        email
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets the failures of an address after it signs in successfully.
pub async fn clear(tx: &mut Tx, email: &str) -> Result<(), Error> {
    sqlx::query!(
        "delete from login_failures where tenant_id = current_tenant_id() and email = $1",
        email
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Housekeeping: drops failures older than a day, for every tenant (owner pool).
pub async fn delete_old(owner: &PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from login_failures where failed_at < now() - interval '1 day'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
