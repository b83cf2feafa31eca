//! HREF staff's life-cycle changes: approve, reject, suspend, reactivate, and delete.
//! The CLI and the staff console call these same functions (`docs/product.md`, "Life cycle"),
//! on the console's database role (`docs/console.md`). Each change emails the workspace's
//! admins through the outbox, in the same transaction.

use db::tenants::LockedTenant;
use domain::{Reason, Slug, StatusAction, TenantStatus};
use serde_json::json;

use crate::{Actor, Error, Platform, actor::audit, emails};

/// Days a deleted workspace's subdomain stays unavailable.
pub const QUARANTINE_DAYS: i32 = 30;

/// What a status change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChanged {
    pub slug: String,
    pub name: String,
    pub from: TenantStatus,
    pub to: TenantStatus,
    /// Sessions ended because the workspace can no longer be signed in to.
    pub sessions_ended: u64,
}

/// Applies `action` to the workspace at `slug`, if its life cycle allows it from the
/// status it is in right now (the row is locked, so two staff clicking at once change it
/// once, and the second hears why not). `reason` is kept with the status and audited.
pub async fn change_status(
    p: &Platform,
    slug: &Slug,
    action: StatusAction,
    reason: Option<&Reason>,
    actor: &Actor,
) -> Result<StatusChanged, Error> {
    let mut tx = p.db.console.begin().await?;
    let tenant = lock(&mut tx, slug).await?;
    let next = tenant.status.apply(action).map_err(|e| Error::Conflict {
        code: "transition_not_allowed",
        message: format!("{}: {e}", tenant.slug),
    })?;
    if matches!(action, StatusAction::Reject | StatusAction::Suspend) && reason.is_none() {
        return Err(Error::field(
            "reason",
            "Give a reason: it is emailed to the workspace's admins.",
        ));
    }
    let reason = reason.map(Reason::as_str);
    db::tenants::update_status(&mut tx, tenant.id, next, reason).await?;
    let sessions_ended = if next.can_sign_in() {
        0
    } else {
        db::sessions::delete_for_tenant(&mut tx, tenant.id).await?
    };
    // Invites sent while the workspace waited for approval go out now, or never.
    match action {
        StatusAction::Approve => {
            db::outbox::release_held(&mut tx, tenant.id, true).await?;
        }
        StatusAction::Reject => {
            db::outbox::release_held(&mut tx, tenant.id, false).await?;
        }
        StatusAction::Suspend | StatusAction::Reactivate => {}
    }
    audit(
        &mut tx,
        Some(tenant.id),
        actor,
        &format!("tenant.{}", action.as_str()),
        json!({ "from": tenant.status.as_str(), "to": next.as_str(), "reason": reason }),
    )
    .await?;
    // The email wears the workspace's brand (read under its own tenant setting).
    db::set_tenant(&mut tx, tenant.id).await?;
    let brand = emails::Brand::of_tenant(p, &mut tx, &tenant.slug).await?;
    let splash = crate::domains::workspace_url(p, &mut tx, tenant.id, &tenant.slug, "/").await?;
    let email = emails::status_change(&brand, action, reason, &splash)?;
    for to in db::console::admin_emails(&mut tx, tenant.id).await? {
        let Ok(to) = domain::Email::parse(&to) else {
            continue;
        };
        emails::queue(p, &mut tx, Some(tenant.id), &to, &email).await?;
    }
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, from = %tenant.status, to = %next, "status changed");
    Ok(StatusChanged {
        slug: tenant.slug,
        name: tenant.name,
        from: tenant.status,
        to: next,
        sessions_ended,
    })
}

/// Deletes the workspace at `slug` and everything it owns; its audit entries stay, and its
/// subdomain is quarantined for [`QUARANTINE_DAYS`].
pub async fn delete_tenant(
    p: &Platform,
    slug: &Slug,
    actor: &Actor,
) -> Result<LockedTenant, Error> {
    let mut tx = p.db.console.begin().await?;
    let tenant = lock(&mut tx, slug).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        actor,
        "tenant.deleted",
        json!({ "slug": tenant.slug, "name": tenant.name, "status": tenant.status.as_str() }),
    )
    .await?;
    db::outbox::release_held(&mut tx, tenant.id, false).await?;
    db::tenants::delete(&mut tx, tenant.id, &tenant.slug, QUARANTINE_DAYS).await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, "workspace deleted");
    Ok(tenant)
}

async fn lock(tx: &mut db::Tx, slug: &Slug) -> Result<LockedTenant, Error> {
    db::tenants::lock_by_slug(tx, slug.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("No workspace has the subdomain {slug}.")))
}
