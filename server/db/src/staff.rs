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
