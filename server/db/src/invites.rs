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
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
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
        "select id, email, role, expires_at, accepted_at, revoked_at
         from tenant_invites where tenant_id = current_tenant_id() and token_hash = $1",
        &token.hash()[..]
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(Invite {
            id: r.id,
            email: r.email,
            role: r
                .role
                .parse()
                .map_err(|_| Error::Data(format!("invite role {:?}", r.role)))?,
            expires_at: r.expires_at,
            accepted_at: r.accepted_at,
            revoked_at: r.revoked_at,
        })
    })
    .transpose()
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
