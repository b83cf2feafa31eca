//! Forgotten passwords: a link by email that works once, for an hour, and sets a new
//! password (`docs/product.md`, "Tokens"). Asking answers the same, in the same time,
//! whether or not the address belongs to a member: the link is made and queued after the
//! answer, by a task of its own.

use std::net::IpAddr;

use db::{UserId, password_resets::ResetLink, tenants::ResolvedTenant};
use domain::{Email, Token, settings::ResetView};
use serde_json::json;

use crate::{
    Actor, Error, Platform,
    actor::audit,
    emails::{self, Brand},
    passwords::{hash, parse_uncommon},
    secrets,
};

/// Asks for a reset link for `email`: counted per address and per network, then answered
/// at once; a member of the workspace gets the email shortly after.
pub async fn request(
    p: &Platform,
    tenant: &ResolvedTenant,
    client: Option<IpAddr>,
    email: &Email,
) -> Result<(), Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    p.limits
        .count_reset(&p.db.app, client, email.as_str())
        .await?;
    let (p, tenant, email) = (p.clone(), tenant.clone(), email.clone());
    tokio::spawn(async move {
        if let Err(e) = send_link(&p, &tenant, &email).await {
            tracing::warn!(error = ?e, "a password reset link could not be queued");
        }
    });
    Ok(())
}

/// Makes and emails a reset link if `email` is a member's: what [`request`] does after
/// answering.
pub async fn send_link(
    p: &Platform,
    tenant: &ResolvedTenant,
    email: &Email,
) -> Result<bool, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let Some(member) = db::members::find_by_email(&mut tx, email).await? else {
        return Ok(false);
    };
    // Members of a workspace that requires single sign-on have no password to reset (the
    // answer on the page is the same either way: nothing is told about who is a member).
    if member.role != domain::Role::Admin && crate::sso::is_required(&mut tx).await? {
        return Ok(false);
    }
    let token = secrets::new_token();
    db::password_resets::insert(&mut tx, tenant.id, member.user_id, &token).await?;
    let brand = Brand::of_tenant(p, &mut tx, &tenant.slug).await?;
    let path = format!("/reset/{}", token.expose());
    let url = crate::domains::workspace_url(p, &mut tx, tenant.id, &tenant.slug, &path).await?;
    let message = emails::password_reset(&brand, email, &url)?;
    emails::queue(p, &mut tx, Some(tenant.id), email, &message).await?;
    tx.commit().await?;
    Ok(true)
}

/// What the reset link `token` leads to.
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    token: &Token,
) -> Result<ResetView, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let link = db::password_resets::find(&mut tx, token).await?;
    tx.commit().await?;
    Ok(match link {
        ResetLink::Open { email } => ResetView::Open { email },
        ResetLink::Used => ResetView::Used,
        ResetLink::Expired => ResetView::Expired,
        ResetLink::Unknown => ResetView::Invalid,
    })
}

/// Sets a new password with the link `token`: the person to sign in. Every other session
/// of theirs, in any workspace, ends.
pub async fn reset(
    p: &Platform,
    tenant: &ResolvedTenant,
    token: &Token,
    password: String,
) -> Result<UserId, Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    let email = match view(p, tenant, token).await? {
        ResetView::Open { email } => email,
        ResetView::Used => return Err(Error::NotFound("This reset link was already used.".into())),
        ResetView::Expired => {
            return Err(Error::NotFound(
                "This reset link has expired. Ask for a new one.".into(),
            ));
        }
        ResetView::Invalid => return Err(Error::NotFound("This reset link is not valid.".into())),
    };
    let password = parse_uncommon(password, &[email.as_str()])
        .await
        .map_err(|e| Error::field("new_password", e.to_string()))?;
    let hash = hash(&password).await?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let user = db::password_resets::reset(&mut tx, token, &hash)
        .await?
        .ok_or_else(|| Error::NotFound("This reset link was just used.".into()))?;
    let role = db::members::find(&mut tx, user).await?.map(|m| m.role);
    if role != Some(domain::Role::Admin) && crate::sso::is_required(&mut tx).await? {
        return Err(Error::forbidden(crate::sso::USE_SSO));
    }
    // The person is signed in once this returns.
    db::members::touch_sign_in(&mut tx, user).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::User(user),
        "password.reset",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}
