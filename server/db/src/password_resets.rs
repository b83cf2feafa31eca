//! The `password_resets` table: single-use links, valid one hour, that set a new password.

use domain::{PasswordHash, Token};

use crate::{Error, TenantId, Tx, UserId};

/// How long a reset link works.
pub const VALID_MINUTES: i32 = 60;

/// Creates a reset link for `user` that `token` opens (only its hash is stored).
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    token: &Token,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into password_resets (token_hash, tenant_id, user_id, expires_at)
         values ($1, $2, $3, now() + make_interval(mins => $4))",
        &token.hash()[..],
        tenant.0,
        user.0,
        VALID_MINUTES,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a reset link of the current tenant is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetLink {
    /// Can be used, for the account with this email.
    Open {
        email: String,
    },
    Used,
    Expired,
    Unknown,
}

/// Looks up a reset link of the current tenant.
pub async fn find(tx: &mut Tx, token: &Token) -> Result<ResetLink, Error> {
    let row = sqlx::query!(
        r#"select r.used_at is not null as "used!", r.expires_at <= now() as "expired!", u.email as "email?"
           from password_resets r left join users u on u.id = r.user_id
           where r.tenant_id = current_tenant_id() and r.token_hash = $1"#,
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None => ResetLink::Unknown,
        Some(r) if r.used => ResetLink::Used,
        Some(r) if r.expired => ResetLink::Expired,
        Some(r) => match r.email {
            Some(email) => ResetLink::Open { email },
            None => ResetLink::Unknown,
        },
    })
}

/// Spends a reset link of the current tenant, setting the account's password and ending
/// its sessions everywhere (a definer function): the account, or `None` if the link is not
/// open any more. The check and the writes are one statement.
pub async fn reset(
    tx: &mut Tx,
    token: &Token,
    hash: &PasswordHash,
) -> Result<Option<UserId>, Error> {
    let user = sqlx::query_scalar!(
        r#"select reset_password($1, $2) as "user_id""#,
        &token.hash()[..],
        hash.as_str(),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(user.map(UserId))
}

/// Housekeeping: drops links that expired more than a day ago (owner pool).
pub async fn delete_expired(owner: &sqlx::PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from password_resets where expires_at < now() - interval '1 day'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
