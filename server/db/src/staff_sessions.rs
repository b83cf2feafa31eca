//! Staff sessions on the apex (owner pool: neither request traffic nor the console's role
//! has a grant here). A row is keyed by the SHA-256 of its cookie, lives 15 minutes idle
//! and 8 hours at most (`docs/console.md`, "Staff sign-in"), and may still wait for its
//! two-factor code.

use sqlx::PgPool;
use uuid::Uuid;

use crate::{Error, Tx};

/// Minutes a staff session lives without a request.
pub const IDLE_MINUTES: i32 = 15;
/// Hours a staff session lives at most.
pub const MAX_HOURS: i32 = 8;
/// Minutes a session may wait for its two-factor code.
pub const CODE_MINUTES: i32 = 5;

/// The staff member a live session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSession {
    pub staff_id: Uuid,
    pub email: String,
    /// The password was right; the two-factor code is still to come.
    pub needs_code: bool,
    /// The account has two-factor on.
    pub totp_on: bool,
}

/// Starts a session for `staff` under `id_hash` (on the owner pool, or in a transaction).
pub async fn insert(
    db: impl sqlx::PgExecutor<'_>,
    id_hash: &[u8],
    staff: Uuid,
    needs_code: bool,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into staff_sessions (id_hash, staff_id, needs_code) values ($1, $2, $3)",
        id_hash,
        staff,
        needs_code
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The live session under `id_hash`, touched (its idle time starts again). Expired
/// sessions, and those of a disabled account, are deleted on the way.
pub async fn touch(owner: &PgPool, id_hash: &[u8]) -> Result<Option<StaffSession>, Error> {
    let row = sqlx::query!(
        "with live as (
           update staff_sessions set last_seen_at = now()
           where id_hash = $1
             and last_seen_at > now() - make_interval(mins => $2)
             and created_at > now() - make_interval(hours => $3)
             and (not needs_code or created_at > now() - make_interval(mins => $4))
           returning staff_id, needs_code)
         select l.staff_id, l.needs_code, s.email, s.totp_enabled_at is not null as \"totp_on!\"
         from live l join staff_users s on s.id = l.staff_id
         where s.disabled_at is null",
        id_hash,
        IDLE_MINUTES,
        MAX_HOURS,
        CODE_MINUTES,
    )
    .fetch_optional(owner)
    .await?;
    if row.is_none() {
        delete(owner, id_hash).await?;
    }
    Ok(row.map(|r| StaffSession {
        staff_id: r.staff_id,
        email: r.email,
        needs_code: r.needs_code,
        totp_on: r.totp_on,
    }))
}

/// Ends the session under `id_hash`.
pub async fn delete(owner: &PgPool, id_hash: &[u8]) -> Result<(), Error> {
    sqlx::query!("delete from staff_sessions where id_hash = $1", id_hash)
        .execute(owner)
        .await?;
    Ok(())
}

/// Ends every session of `staff`; how many.
pub async fn delete_all(tx: &mut Tx, staff: Uuid) -> Result<u64, Error> {
    let done = sqlx::query!("delete from staff_sessions where staff_id = $1", staff)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of `staff` but the one under `keep`.
pub async fn delete_others(tx: &mut Tx, staff: Uuid, keep: &[u8]) -> Result<u64, Error> {
    let done = sqlx::query!(
        "delete from staff_sessions where staff_id = $1 and id_hash <> $2",
        staff,
        keep
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Keeps `sealed` with the session until [`take_flash`] reads it.
pub async fn set_flash(owner: &PgPool, id_hash: &[u8], sealed: &[u8]) -> Result<(), Error> {
    sqlx::query!(
        "update staff_sessions set sealed_flash = $2 where id_hash = $1",
        id_hash,
        sealed
    )
    .execute(owner)
    .await?;
    Ok(())
}

/// What [`set_flash`] kept, forgotten as it is read.
pub async fn take_flash(owner: &PgPool, id_hash: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let flash = sqlx::query_scalar!(
        "update staff_sessions s set sealed_flash = null
         from (select id_hash, sealed_flash from staff_sessions where id_hash = $1 for update) old
         where s.id_hash = old.id_hash and old.sealed_flash is not null
         returning old.sealed_flash",
        id_hash
    )
    .fetch_optional(owner)
    .await?
    .flatten();
    Ok(flash)
}

/// Housekeeping: drops sessions past their time.
pub async fn delete_expired(owner: &PgPool) -> Result<u64, Error> {
    let done = sqlx::query!(
        "delete from staff_sessions
         where last_seen_at < now() - make_interval(mins => $1)
            or created_at < now() - make_interval(hours => $2)",
        IDLE_MINUTES,
        MAX_HOURS
    )
    .execute(owner)
    .await?;
    Ok(done.rows_affected())
}
