//! HREF staff accounts (owner connection only: request traffic's role has no grant here).

use domain::{Email, Token};
use sqlx::PgPool;
use uuid::Uuid;

use domain::PasswordHash;

use crate::{Error, Tx};

/// How long a set-password link works.
pub const TOKEN_VALID_HOURS: i32 = 24;

/// Whether `create_or_renew` made a new account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    New,
    Existing,
}

/// Makes a staff account for `email` (or finds it) with `token` as its one-time link to set
/// its password; earlier unused links of that account stop working.
pub async fn create_or_renew(tx: &mut Tx, email: &Email, token: &Token) -> Result<Created, Error> {
    let inserted = sqlx::query_scalar!(
        "insert into staff_users (email) values ($1) on conflict (email) do nothing returning id",
        email.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    let (created, id) = match inserted {
        Some(id) => (Created::New, id),
        None => {
            let id = sqlx::query_scalar!(
                "select id from staff_users where email = $1",
                email.as_str()
            )
            .fetch_one(&mut **tx)
            .await?;
            (Created::Existing, id)
        }
    };
    sqlx::query!(
        "update staff_password_tokens set used_at = now() where staff_id = $1 and used_at is null",
        id
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "insert into staff_password_tokens (token_hash, staff_id, expires_at)
         values ($1, $2, now() + make_interval(hours => $3))",
        &token.hash()[..],
        id,
        TOKEN_VALID_HOURS,
    )
    .execute(&mut **tx)
    .await?;
    Ok(created)
}

/// The email of the staff account a usable set-password link belongs to.
pub async fn find_open_token(owner: &PgPool, token: &Token) -> Result<Option<String>, Error> {
    let email = sqlx::query_scalar!(
        "select s.email from staff_password_tokens t join staff_users s on s.id = t.staff_id
         where t.token_hash = $1 and t.used_at is null and t.expires_at > now()",
        &token.hash()[..]
    )
    .fetch_optional(owner)
    .await?;
    Ok(email)
}

/// Uses a set-password link: sets the password and spends the link. False if the link was
/// used or expired meanwhile (the check and the write are one statement).
pub async fn set_password(tx: &mut Tx, token: &Token, hash: &PasswordHash) -> Result<bool, Error> {
    let staff: Option<Uuid> = sqlx::query_scalar!(
        "update staff_password_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning staff_id",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(staff) = staff else {
        return Ok(false);
    };
    sqlx::query!(
        "update staff_users set password_hash = $2 where id = $1",
        staff,
        hash.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Queues an email to every staff member, without request traffic learning who they are
/// (a definer function). Returns how many were queued.
pub async fn enqueue_notice(tx: &mut Tx, subject: &str, sealed_body: &[u8]) -> Result<i32, Error> {
    let queued = sqlx::query_scalar!(
        r#"select enqueue_staff_notice($1, $2) as "queued!""#,
        subject,
        sealed_body
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(queued)
}

/// A staff account as sign-in needs it (owner pool).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub id: Uuid,
    pub email: String,
    /// `None` until the set-password link was used.
    pub password_hash: Option<String>,
    /// Two-factor is on.
    pub totp_on: bool,
}

/// The staff account with `email`, if there is one.
pub async fn credentials(owner: &PgPool, email: &Email) -> Result<Option<Credentials>, Error> {
    let row = sqlx::query_as!(
        Credentials,
        r#"select id, email, password_hash, totp_enabled_at is not null as "totp_on!"
           from staff_users where email = $1"#,
        email.as_str()
    )
    .fetch_optional(owner)
    .await?;
    Ok(row)
}

/// The staff account with `id`.
pub async fn credentials_by_id(owner: &PgPool, id: Uuid) -> Result<Option<Credentials>, Error> {
    let row = sqlx::query_as!(
        Credentials,
        r#"select id, email, password_hash, totp_enabled_at is not null as "totp_on!"
           from staff_users where id = $1"#,
        id
    )
    .fetch_optional(owner)
    .await?;
    Ok(row)
}

/// Counts one sign-in attempt under `key` (an account or a client network), refused
/// (`None`) once `limit` attempts were made within `window`; a sign-in that succeeds
/// forgets them ([`forget_attempts`]). The same counter as tenant sign-in, under keys of
/// its own.
pub async fn reserve_attempt(
    owner: &PgPool,
    key: &str,
    limit: u32,
    window: std::time::Duration,
) -> Result<Option<Uuid>, Error> {
    let id = sqlx::query_scalar!(
        r#"select reserve_password_attempt($1, $2, $3) as "id""#,
        key,
        i32::try_from(limit).unwrap_or(i32::MAX),
        i32::try_from(window.as_secs()).unwrap_or(i32::MAX),
    )
    .fetch_one(owner)
    .await?;
    Ok(id)
}

/// Forgets the attempts counted under `key`.
pub async fn forget_attempts(owner: &PgPool, key: &str) -> Result<(), Error> {
    sqlx::query!(
        "delete from password_attempts where account = sha256(convert_to(lower($1), 'UTF8'))",
        key
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// The two-factor secret being set up for `staff`, if one was drawn within `minutes`.
pub async fn pending_totp(
    owner: &PgPool,
    staff: Uuid,
    minutes: i32,
) -> Result<Option<Vec<u8>>, Error> {
    let secret = sqlx::query_scalar!(
        "select totp_pending_secret from staff_users
         where id = $1 and totp_enabled_at is null
           and totp_pending_at > now() - make_interval(mins => $2)",
        staff,
        minutes
    )
    .fetch_optional(owner)
    .await?
    .flatten();
    Ok(secret)
}

/// Keeps `secret` as the one being set up for `staff`.
pub async fn set_pending_totp(owner: &PgPool, staff: Uuid, secret: &[u8]) -> Result<(), Error> {
    sqlx::query!(
        "update staff_users set totp_pending_secret = $2, totp_pending_at = now()
         where id = $1 and totp_enabled_at is null",
        staff,
        secret
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// Turns two-factor on with the secret being set up, if it is still `secret`, and records
/// `step` as used. False when it changed meanwhile or two-factor is on already.
pub async fn enable_totp(
    owner: &PgPool,
    staff: Uuid,
    secret: &[u8],
    step: i64,
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update staff_users
         set totp_secret = totp_pending_secret, totp_enabled_at = now(), totp_last_step = $3,
             totp_pending_secret = null, totp_pending_at = null
         where id = $1 and totp_enabled_at is null and totp_pending_secret = $2",
        staff,
        secret,
        step
    )
    .execute(owner)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The two-factor secret in use by `staff`.
pub async fn totp_secret(owner: &PgPool, staff: Uuid) -> Result<Option<Vec<u8>>, Error> {
    let secret = sqlx::query_scalar!(
        "select totp_secret from staff_users where id = $1 and totp_enabled_at is not null",
        staff
    )
    .fetch_optional(owner)
    .await?
    .flatten();
    Ok(secret)
}

/// Spends the 30-second `step` of `staff`'s codes: false if a code of this step or a later
/// one was accepted already (a code works once).
pub async fn use_totp_step(owner: &PgPool, staff: Uuid, step: i64) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update staff_users set totp_last_step = $2 where id = $1 and totp_last_step < $2",
        staff,
        step
    )
    .execute(owner)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives `staff` a new password hash.
pub async fn change_password(tx: &mut Tx, staff: Uuid, hash: &PasswordHash) -> Result<(), Error> {
    sqlx::query!(
        "update staff_users set password_hash = $2 where id = $1",
        staff,
        hash.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
