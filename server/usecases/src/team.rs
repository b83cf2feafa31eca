//! Settings → Team: members, pending invites, and the rules every change keeps, each in
//! the database transaction, under the workspace's row lock (`docs/product.md`, "Team"):
//! never zero admins; members plus pending invites within the plan's seats; one pending
//! invite per address; removing someone ends their sessions, and a changed role applies
//! at their next request (every signed-in request reads it).

use db::{UserId, invites::Invite, members::Member, tenants::ResolvedTenant};
use std::time::Duration;

use domain::{
    Email, Role, TenantStatus,
    plan::seat_limit,
    settings::{PendingInvite, Seats, Team, TeamMember},
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Platform,
    actor::{admin, audit},
    emails::{self, Brand},
    limits::{Scope, refused},
    secrets,
    timefmt::{self, Largest, when},
};

/// Settings → Team.
pub async fn view(p: &Platform, tenant: &ResolvedTenant, member: &Member) -> Result<Team, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let members = db::members::list(&mut tx).await?;
    let invites = db::invites::list_pending(&mut tx).await?;
    let seats = seats(&mut tx).await?;
    tx.commit().await?;
    let now = OffsetDateTime::now_utc();
    Ok(Team {
        members: members
            .into_iter()
            .map(|m| TeamMember {
                user_id: m.user_id.0,
                name: m.name,
                email: m.email,
                role: m.role,
                joined: when(m.joined_at),
                last_sign_in: m.last_signed_in_at.map(when),
            })
            .collect(),
        invites: invites
            .into_iter()
            .map(|i| PendingInvite {
                id: i.id,
                email: i.email,
                role: i.role,
                sent: when(i.sent_at),
                expires: when(i.expires_at),
                expired: i.expires_at <= now,
            })
            .collect(),
        seats,
        you: member.user_id.0,
        awaiting_approval: tenant.status == TenantStatus::Pending,
    })
}

/// The workspace's seats, as its transaction sees them.
pub(crate) async fn seats(tx: &mut db::Tx) -> Result<Seats, Error> {
    let settings = db::tenants::settings(tx).await?;
    let (members, _) = db::members::counts(tx).await?;
    let pending = db::invites::count_open(tx).await?;
    Ok(Seats {
        plan: settings.plan,
        limit: seat_limit(settings.plan, settings.max_users),
        members: u32::try_from(members).unwrap_or(u32::MAX),
        pending: u32::try_from(pending).unwrap_or(u32::MAX),
    })
}

/// What inviting an address did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invited {
    /// A new invite was sent.
    Sent,
    /// The address already had a pending invite: it was sent again, with a new link.
    Resent,
}

/// Invites `email` as `role`. An address with a pending invite gets it again (a new link,
/// the given role); a member of the workspace cannot be invited.
pub async fn invite(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    email: &Email,
    role: Role,
) -> Result<Invited, Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let status = db::tenants::lock_current(&mut tx).await?;
    if db::members::find_by_email(&mut tx, email).await?.is_some() {
        return Err(Error::field(
            "email",
            format!("{email} is already a member of this workspace."),
        ));
    }
    let outcome = match db::invites::find_pending_for(&mut tx, email).await? {
        Some(pending) => {
            send_again(p, &mut tx, tenant, status, &actor, &pending, role).await?;
            Invited::Resent
        }
        None => {
            check_seats(&mut tx).await?;
            check_invite_limits(p, &mut tx, email).await?;
            let token = secrets::new_token();
            db::invites::insert(
                &mut tx,
                tenant.id,
                email,
                role,
                Some(member.user_id),
                &token,
            )
            .await?;
            send_invite(p, &mut tx, tenant, status, email, role, &token).await?;
            audit(
                &mut tx,
                Some(tenant.id),
                &actor,
                "invite.sent",
                json!({ "email": email.as_str(), "role": role.as_str() }),
            )
            .await?;
            Invited::Sent
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Sends a pending invite again with a new link; the old link stops working.
pub async fn resend(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    invite: Uuid,
) -> Result<String, Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let status = db::tenants::lock_current(&mut tx).await?;
    let pending = db::invites::find_pending(&mut tx, invite)
        .await?
        .ok_or_else(gone)?;
    send_again(p, &mut tx, tenant, status, &actor, &pending, pending.role).await?;
    tx.commit().await?;
    Ok(pending.email)
}

/// Withdraws a pending invite: its link stops working and its seat is free.
pub async fn revoke(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    invite: Uuid,
) -> Result<String, Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let pending = db::invites::find_pending(&mut tx, invite)
        .await?
        .ok_or_else(gone)?;
    if !db::invites::revoke(&mut tx, invite).await? {
        return Err(gone());
    }
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "invite.revoked",
        json!({ "email": pending.email }),
    )
    .await?;
    tx.commit().await?;
    Ok(pending.email)
}

/// Gives a member another role. The last admin cannot be made a member.
pub async fn change_role(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    user: UserId,
    role: Role,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    let target = db::members::find(&mut tx, user)
        .await?
        .ok_or_else(not_a_member)?;
    if target.role == role {
        return Ok(());
    }
    if target.role == Role::Admin {
        keep_an_admin(&mut tx, &target, "made a member").await?;
    }
    db::members::update_role(&mut tx, user, role).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "member.role_changed",
        json!({ "email": target.email, "from": target.role.as_str(), "to": role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member from the workspace (their account stays), ends their sessions here at
/// once and revokes the invites they sent that are still open. The last admin cannot be
/// removed.
pub async fn remove(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    user: UserId,
) -> Result<String, Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    let target = db::members::find(&mut tx, user)
        .await?
        .ok_or_else(not_a_member)?;
    if target.role == Role::Admin {
        keep_an_admin(&mut tx, &target, "removed").await?;
    }
    db::members::delete(&mut tx, user).await?;
    db::sessions::delete_for_user(&mut tx, user).await?;
    // Links they sent must not outlive their say in the workspace.
    let invites_revoked = db::invites::revoke_sent_by(&mut tx, user).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "member.removed",
        json!({
            "email": target.email,
            "role": target.role.as_str(),
            "invites_revoked": invites_revoked,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(target.name)
}

/// Refuses to leave the workspace without an admin (the caller holds the row lock).
async fn keep_an_admin(tx: &mut db::Tx, target: &Member, what: &str) -> Result<(), Error> {
    let (_, admins) = db::members::counts(tx).await?;
    if admins <= 1 {
        return Err(Error::Conflict {
            code: "last_admin",
            message: format!(
                "{} is this workspace's only admin and cannot be {what}. Make someone else an admin first.",
                target.name
            ),
        });
    }
    Ok(())
}

/// Refuses an invite beyond the plan's seats (the caller holds the row lock).
async fn check_seats(tx: &mut db::Tx) -> Result<(), Error> {
    let seats = seats(tx).await?;
    if seats.has_room() {
        Ok(())
    } else {
        Err(Error::Conflict {
            code: "seat_limit",
            message: seats.full_message(),
        })
    }
}

/// A new link for a pending invite, emailed; an expired invite takes a seat again.
async fn send_again(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: &ResolvedTenant,
    status: TenantStatus,
    actor: &Actor,
    pending: &Invite,
    role: Role,
) -> Result<(), Error> {
    if pending.expires_at <= OffsetDateTime::now_utc() {
        check_seats(tx).await?;
    }
    let email = Email::parse(&pending.email).map_err(|_| Error::Internal)?;
    check_invite_limits(p, tx, &email).await?;
    let token = secrets::new_token();
    if !db::invites::renew(tx, pending.id, role, &token).await? {
        return Err(gone());
    }
    send_invite(p, tx, tenant, status, &email, role, &token).await?;
    audit(
        tx,
        Some(tenant.id),
        actor,
        "invite.resent",
        json!({ "email": pending.email, "role": role.as_str() }),
    )
    .await?;
    Ok(())
}

/// Refuses an invite email beyond the limits (`docs/security.md`, "Invite emails"): so
/// many per address per hour, so many per workspace per day. The caller holds the row
/// lock, so two sends at once are counted one after the other.
async fn check_invite_limits(p: &Platform, tx: &mut db::Tx, email: &Email) -> Result<(), Error> {
    let per_address = p.limits.invite;
    let per_workspace = p.limits.invite_daily;
    let limits = [
        (Some(email), per_address, format!("{email} was sent")),
        (None, per_workspace, "This workspace sent".to_owned()),
    ];
    for (to, limit, who) in limits {
        if let Some(at) =
            db::invite_emails::nth_newest_within(tx, to, limit.count, limit.window).await?
        {
            let what = format!(
                "{who} {} invite emails in the last {}.",
                limit.count,
                timefmt::period(limit.window, Largest::Hour)
            );
            let wait = until_out_of(at, limit.window, OffsetDateTime::now_utc());
            return Err(refused(Scope::Invite, &what, wait));
        }
    }
    Ok(())
}

/// How long until an email sent `at` leaves a window of `window`.
fn until_out_of(at: OffsetDateTime, window: Duration, now: OffsetDateTime) -> Duration {
    let leaves = at + window;
    Duration::try_from(leaves - now).unwrap_or(Duration::from_secs(1))
}

/// Emails an invite link, and records it for the limits. A workspace awaiting approval
/// has its invites wait in the outbox until staff approve it (dropped if they reject it).
async fn send_invite(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: &ResolvedTenant,
    status: TenantStatus,
    email: &Email,
    role: Role,
    token: &domain::Token,
) -> Result<(), Error> {
    let brand = Brand::of_tenant(p, tx, &tenant.slug).await?;
    let path = format!("/invite/{}", token.expose());
    let url = crate::domains::workspace_url(p, tx, tenant.id, &tenant.slug, &path).await?;
    let message = emails::invite(&brand, role, &url)?;
    let delivery = if status == TenantStatus::Pending {
        db::outbox::Delivery::Held
    } else {
        db::outbox::Delivery::Now
    };
    db::invite_emails::record(tx, tenant.id, email).await?;
    emails::queue_as(p, tx, Some(tenant.id), email, &message, delivery).await
}

fn gone() -> Error {
    Error::NotFound("That invite is not pending any more.".into())
}

fn not_a_member() -> Error {
    Error::NotFound("That person is not a member of this workspace any more.".into())
}
