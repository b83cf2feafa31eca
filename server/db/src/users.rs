//! The `users` table: global accounts. Row-level security shows a user to a tenant only
//! through a membership of that tenant, and request traffic can write a password hash but
//! never read one (`docs/security.md`, "Passwords").

use domain::{Email, PasswordHash, PersonName};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Error, Tx, UserId};

/// What request traffic may know about an account's password: its setting (algorithm,
/// parameters and salt, the PHC string without the hash itself), enough to hash a candidate
/// the same way and ask the database to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSetting {
    pub user_id: UserId,
    pub setting: String,
    /// Whether the account ever proved it reads this address.
    pub email_verified: bool,
}

/// The password setting of any account by email, whatever tenant it belongs to (a definer
/// function).
pub async fn account_setting(
    db: impl PgExecutor<'_>,
    email: &Email,
) -> Result<Option<AccountSetting>, Error> {
    let row = sqlx::query!(
        r#"select user_id as "user_id!", setting as "setting!", email_verified as "email_verified!"
           from password_setting($1)"#,
        email.as_str()
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| AccountSetting {
        user_id: UserId(r.user_id),
        setting: r.setting,
        email_verified: r.email_verified,
    }))
}

/// Creates an account. A taken email fails on the constraint `users_email_key`.
/// `verified`: the address was proven on the way here (an invite's emailed link).
///
/// No `RETURNING`: the new row is not visible to the tenant until its membership exists.
pub async fn insert(
    tx: &mut Tx,
    email: &Email,
    name: &PersonName,
    password_hash: &PasswordHash,
    verified: bool,
) -> Result<UserId, Error> {
    let id = UserId(Uuid::new_v4());
    sqlx::query!(
        "insert into users (id, email, name, password_hash, email_verified_at)
         values ($1, $2, $3, $4, case when $5 then now() end)",
        id.0,
        email.as_str(),
        name.as_str(),
        password_hash.as_str(),
        verified,
    )
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Lets the person holding an open invite of the current tenant take over the account of
/// the invited address, if that account never verified its email: a new name and password,
/// the address now verified, and every session, hand-off and verification link of the
/// account gone (a definer function; `docs/product.md`, "Accounts"). `None` if the invite
/// is not open or the account is verified (or gone).
pub async fn claim_by_invite(
    tx: &mut Tx,
    invite: Uuid,
    name: &PersonName,
    password_hash: &PasswordHash,
) -> Result<Option<UserId>, Error> {
    let user = sqlx::query_scalar!(
        r#"select claim_invited_account($1, $2, $3) as "user_id""#,
        invite,
        name.as_str(),
        password_hash.as_str(),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(user.map(UserId))
}
