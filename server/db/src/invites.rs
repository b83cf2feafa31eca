//! The `tenant_invites` table: single-use links that make a person a member.

use domain::{Email, Role, Token};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx, UserId};

/// How long an invite link works (`docs/product.md`, "Tokens").
pub const VALID_DAYS: i32 = 7;

/// An invite of the current tenant.
#[derive(Clone, Debug)]
pub struct Invite {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// The columns an [`Invite`] is read from, in order.
macro_rules! invite_from {
    ($r:expr) => {
        Invite {
            id: $r.id,
            email: $r.email,
            role: $r
                .role
                .parse()
                .map_err(|_| Error::Data(format!("invite role {:?}", $r.role)))?,
            sent_at: $r.sent_at,
            expires_at: $r.expires_at,
            accepted_at: $r.accepted_at,
            revoked_at: $r.revoked_at,
        }
    };
}

/// Whether an invite can still be accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InviteState {
    Open,
    Accepted,
    Revoked,
    Expired,
}

impl Invite {
    pub fn state(&self, now: OffsetDateTime) -> InviteState {
        if self.accepted_at.is_some() {
            InviteState::Accepted
        } else if self.revoked_at.is_some() {
            InviteState::Revoked
        } else if self.expires_at <= now {
            InviteState::Expired
        } else {
            InviteState::Open
        }
    }
}

/// Creates an invite that `token` opens (only its hash is stored).
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    email: &Email,
    role: Role,
    invited_by: Option<UserId>,
    token: &Token,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into tenant_invites (tenant_id, email, role, token_hash, invited_by, expires_at)
         values ($1, $2, $3, $4, $5, now() + make_interval(days => $6))",
        tenant.0,
        email.as_str(),
        role.as_str(),
        &token.hash()[..],
        invited_by.map(|u| u.0),
        VALID_DAYS,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The current tenant's invite with this token, whatever its state.
pub async fn find_by_token(tx: &mut Tx, token: &Token) -> Result<Option<Invite>, Error> {
    let row = sqlx::query!(
        "select id, email, role, sent_at, expires_at, accepted_at, revoked_at
         from tenant_invites where tenant_id = current_tenant_id() and token_hash = $1",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok(invite_from!(r))).transpose()
}

/// The current tenant's invites that are neither accepted nor revoked (expired ones too:
/// a resend revives them), oldest first.
pub async fn list_pending(tx: &mut Tx) -> Result<Vec<Invite>, Error> {
    let rows = sqlx::query!(
        "select id, email, role, sent_at, expires_at, accepted_at, revoked_at
         from tenant_invites
         where tenant_id = current_tenant_id() and accepted_at is null and revoked_at is null
         order by sent_at"
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter().map(|r| Ok(invite_from!(r))).collect()
}

/// The pending invite (not accepted, not revoked) of `email`, if there is one.
pub async fn find_pending_for(tx: &mut Tx, email: &Email) -> Result<Option<Invite>, Error> {
    let row = sqlx::query!(
        "select id, email, role, sent_at, expires_at, accepted_at, revoked_at
         from tenant_invites
         where tenant_id = current_tenant_id() and email = $1
           and accepted_at is null and revoked_at is null",
        email.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok(invite_from!(r))).transpose()
}

/// A pending invite of the current tenant by id.
pub async fn find_pending(tx: &mut Tx, id: Uuid) -> Result<Option<Invite>, Error> {
    let row = sqlx::query!(
        "select id, email, role, sent_at, expires_at, accepted_at, revoked_at
         from tenant_invites
         where tenant_id = current_tenant_id() and id = $1
           and accepted_at is null and revoked_at is null",
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok(invite_from!(r))).transpose()
}

/// Invites that still hold a seat: neither accepted, revoked nor expired.
pub async fn count_open(tx: &mut Tx) -> Result<i64, Error> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from tenant_invites
           where tenant_id = current_tenant_id() and accepted_at is null and revoked_at is null
             and expires_at > now()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Gives a pending invite a new link (`token`), role and seven more days; the old link
/// stops working. False if the invite is not pending any more.
pub async fn renew(tx: &mut Tx, id: Uuid, role: Role, token: &Token) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenant_invites
         set token_hash = $2, role = $3, sent_at = now(), expires_at = now() + make_interval(days => $4)
         where tenant_id = current_tenant_id() and id = $1 and accepted_at is null and revoked_at is null",
        id,
        &token.hash()[..],
        role.as_str(),
        VALID_DAYS,
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws a pending invite. False if it is not pending any more.
pub async fn revoke(tx: &mut Tx, id: Uuid) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenant_invites set revoked_at = now()
         where tenant_id = current_tenant_id() and id = $1 and accepted_at is null and revoked_at is null",
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes the open invites that `user` sent (a removed admin's invites go with them);
/// how many.
pub async fn revoke_sent_by(tx: &mut Tx, user: UserId) -> Result<u64, Error> {
    let done = sqlx::query!(
        "update tenant_invites set revoked_at = now()
         where tenant_id = current_tenant_id() and invited_by = $1
           and accepted_at is null and revoked_at is null",
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Marks an open invite accepted by `user`. False if it was used, revoked or expired in
/// the meantime: the single-use check and the write are one statement.
pub async fn consume(tx: &mut Tx, id: Uuid, user: UserId) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenant_invites set accepted_at = now(), accepted_by = $2
         where tenant_id = current_tenant_id() and id = $1 and accepted_at is null and revoked_at is null and expires_at > now()",
        id,
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
