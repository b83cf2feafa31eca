//! The `email_verifications` table: single-use links, valid 24 hours, that prove a person
//! reads the address they signed up with.

use domain::{Email, Token};

use crate::{Error, TenantId, Tx, UserId};

/// How long a verification link works.
pub const VALID_HOURS: i32 = 24;

/// What following a verification link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// The address is now verified.
    Verified,
    AlreadyUsed,
    Expired,
    Unknown,
}

/// Creates a verification link for `user`'s `email` that `token` opens (only its hash is
/// stored).
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    email: &Email,
    token: &Token,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into email_verifications (token_hash, tenant_id, user_id, email, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(hours => $5))",
        &token.hash()[..],
        tenant.0,
        user.0,
        email.as_str(),
        VALID_HOURS,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Follows a verification link of the current tenant.
pub async fn consume(tx: &mut Tx, token: &Token) -> Result<Verification, Error> {
    let spent = sqlx::query!(
        "update email_verifications set used_at = now()
         where tenant_id = current_tenant_id() and token_hash = $1
           and used_at is null and expires_at > now()
         returning user_id, email",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(spent) = spent {
        // Only if the account still has that address.
        sqlx::query!(
            "update users set email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
             where id = $1 and email = $2",
            spent.user_id,
            spent.email
        )
        .execute(&mut **tx)
        .await?;
        return Ok(Verification::Verified);
    }
    let row = sqlx::query!(
        r#"select used_at is not null as "used!" from email_verifications
           where tenant_id = current_tenant_id() and token_hash = $1"#,
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) if r.used => Verification::AlreadyUsed,
        Some(_) => Verification::Expired,
        None => Verification::Unknown,
    })
}

/// Housekeeping: drops links that expired more than a day ago (owner pool).
pub async fn delete_expired(owner: &sqlx::PgPool) -> Result<u64, Error> {
    let done =
        sqlx::query!("delete from email_verifications where expires_at < now() - interval '1 day'")
            .execute(owner)
            .await?;
    Ok(done.rows_affected())
}
