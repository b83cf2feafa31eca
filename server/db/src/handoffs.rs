//! The `handoff_tokens` table: a signup on the apex signs its new admin in on the
//! workspace's own host with a single-use link that works for 60 seconds.

use domain::Token;

use crate::{Error, TenantId, Tx, UserId, credentials};

/// How long a hand-off link works.
pub const VALID_SECS: i32 = 60;

/// Creates a hand-off for `user` into `tenant`; the token exists in plain text only here.
pub async fn insert(tx: &mut Tx, tenant: TenantId, user: UserId) -> Result<Token, Error> {
    let token = credentials::new_token();
    sqlx::query!(
        "insert into handoff_tokens (token_hash, tenant_id, user_id, expires_at)
         values ($1, $2, $3, now() + make_interval(secs => $4))",
        &token.hash()[..],
        tenant.0,
        user.0,
        f64::from(VALID_SECS),
    )
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Spends a hand-off of the current tenant: the user to sign in, or `None` if the link is
/// unknown, used or expired. The check and the write are one statement.
pub async fn consume(tx: &mut Tx, token: &Token) -> Result<Option<UserId>, Error> {
    let user = sqlx::query_scalar!(
        "update handoff_tokens set used_at = now()
         where tenant_id = current_tenant_id() and token_hash = $1
           and used_at is null and expires_at > now()
         returning user_id",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(user.map(UserId))
}
