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

/// Uses a set-password link: sets the password, spends the link, gives a disabled account
/// back, and ends every session of the account (the link is the way back in for someone
/// who lost their password or their device: whoever held a session before must not keep
/// it). The account, or `None` if the link was used or expired meanwhile (the check and the
/// write are one statement).
pub async fn set_password(
    tx: &mut Tx,
    token: &Token,
    hash: &PasswordHash,
) -> Result<Option<Uuid>, Error> {
    let staff: Option<Uuid> = sqlx::query_scalar!(
        "update staff_password_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning staff_id",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(staff) = staff else {
        return Ok(None);
    };
    sqlx::query!(
        "update staff_users set password_hash = $2, disabled_at = null where id = $1",
        staff,
        hash.as_str()
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("delete from staff_sessions where staff_id = $1", staff)
        .execute(&mut **tx)
        .await?;
    Ok(Some(staff))
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
    /// Disabled by staff or the CLI: sign-in is refused.
    pub disabled: bool,
}

/// The staff account with `email`, if there is one.
pub async fn credentials(owner: &PgPool, email: &Email) -> Result<Option<Credentials>, Error> {
    let row = sqlx::query_as!(
        Credentials,
        r#"select id, email, password_hash, totp_enabled_at is not null as "totp_on!",
                  disabled_at is not null as "disabled!"
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
        r#"select id, email, password_hash, totp_enabled_at is not null as "totp_on!",
                  disabled_at is not null as "disabled!"
           from staff_users where id = $1"#,
        id
    )
    .fetch_optional(owner)
    .await?;
    Ok(row)
}

/// The two-factor secret being set up for `staff` (sealed), if one was drawn within
/// `minutes`.
pub async fn pending_totp(
    owner: &PgPool,
    staff: Uuid,
    minutes: i32,
) -> Result<Option<Vec<u8>>, Error> {
    let secret = sqlx::query_scalar!(
        "select totp_pending_sealed from staff_users
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

/// Keeps `sealed` as the secret being set up for `staff`.
pub async fn set_pending_totp(owner: &PgPool, staff: Uuid, sealed: &[u8]) -> Result<(), Error> {
    sqlx::query!(
        "update staff_users set totp_pending_sealed = $2, totp_pending_at = now()
         where id = $1 and totp_enabled_at is null",
        staff,
        sealed
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// Turns two-factor on with the secret being set up, if it is still `sealed`, and records
/// `step` as used. False when it changed meanwhile or two-factor is on already.
pub async fn enable_totp(
    tx: &mut Tx,
    staff: Uuid,
    sealed: &[u8],
    step: i64,
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update staff_users
         set totp_sealed_secret = totp_pending_sealed, totp_enabled_at = now(),
             totp_last_step = $3, totp_pending_sealed = null, totp_pending_at = null
         where id = $1 and totp_enabled_at is null and totp_pending_sealed = $2",
        staff,
        sealed,
        step
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns two-factor off for `staff`, forgetting its secret. False if it was off.
pub async fn disable_totp(tx: &mut Tx, staff: Uuid) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update staff_users
         set totp_sealed_secret = null, totp_enabled_at = null, totp_pending_sealed = null,
             totp_pending_at = null
         where id = $1 and totp_enabled_at is not null",
        staff
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The two-factor secret in use by `staff` (sealed).
pub async fn totp_secret(owner: &PgPool, staff: Uuid) -> Result<Option<Vec<u8>>, Error> {
    let secret = sqlx::query_scalar!(
        "select totp_sealed_secret from staff_users where id = $1 and totp_enabled_at is not null",
        staff
    )
    .fetch_optional(owner)
    .await?
    .flatten();
    Ok(secret)
}

/// A two-factor secret still stored in clear (from before secrets were sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClearSecrets {
    pub staff: Uuid,
    pub secret: Option<Vec<u8>>,
    pub pending: Option<Vec<u8>>,
}

/// The accounts whose two-factor secrets are still in clear, locked until `tx` ends.
pub async fn clear_secrets(tx: &mut Tx) -> Result<Vec<ClearSecrets>, Error> {
    let rows = sqlx::query_as!(
        ClearSecrets,
        r#"select id as "staff!", totp_secret as secret, totp_pending_secret as pending
           from staff_users
           where totp_secret is not null or totp_pending_secret is not null
           for update"#
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

/// Stores `staff`'s secrets sealed, in place of the clear ones.
pub async fn replace_clear_secrets(
    tx: &mut Tx,
    staff: Uuid,
    sealed_secret: Option<&[u8]>,
    sealed_pending: Option<&[u8]>,
) -> Result<(), Error> {
    sqlx::query!(
        "update staff_users
         set totp_sealed_secret = coalesce($2, totp_sealed_secret),
             totp_pending_sealed = coalesce($3, totp_pending_sealed),
             totp_secret = null, totp_pending_secret = null
         where id = $1",
        staff,
        sealed_secret,
        sealed_pending
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
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

/// Disables the staff account of `email` and ends its sessions: its id, or `None` when
/// there is no such account.
pub async fn disable(tx: &mut Tx, email: &Email) -> Result<Option<Uuid>, Error> {
    let staff = sqlx::query_scalar!(
        "update staff_users set disabled_at = coalesce(disabled_at, now())
         where email = $1 returning id",
        email.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(staff) = staff {
        sqlx::query!("delete from staff_sessions where staff_id = $1", staff)
            .execute(&mut **tx)
            .await?;
    }
    Ok(staff)
}

/// A staff account as the console's staff list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    pub id: Uuid,
    pub email: String,
    pub totp_on: bool,
    pub disabled: bool,
    pub sessions: i64,
}

/// Every staff account, by email.
pub async fn list(owner: &PgPool) -> Result<Vec<StaffRow>, Error> {
    let rows = sqlx::query_as!(
        StaffRow,
        r#"select s.id, s.email, s.totp_enabled_at is not null as "totp_on!",
                  s.disabled_at is not null as "disabled!",
                  (select count(*) from staff_sessions x where x.staff_id = s.id) as "sessions!"
           from staff_users s order by s.email"#
    )
    .fetch_all(owner)
    .await?;
    Ok(rows)
}
