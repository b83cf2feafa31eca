//! Signing in to a workspace with email and password.

use std::net::IpAddr;

use db::{UserId, tenants::ResolvedTenant};
use domain::Email;
use serde_json::json;

use crate::{
    Actor, Error, Platform,
    actor::audit,
    passwords::{self, begin_attempt},
};

/// The answer for a wrong password, an unknown address and a person who is not a member
/// of this workspace alike.
pub const NO_MATCH: &str = "That email and password don't match an account of this workspace.";

/// Signs a member of `tenant` in: the account to start a session for. Every attempt counts
/// against the account's and the client network's limits first, and every answer costs one
/// hash, so that a wrong
/// password, an unknown address and someone else's account look the same.
pub async fn sign_in(
    p: &Platform,
    tenant: &ResolvedTenant,
    email: &Email,
    password: &str,
    client: Option<IpAddr>,
) -> Result<UserId, Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    let attempt = begin_attempt(
        p,
        email,
        client,
        "Too many failed sign-ins for this account.",
    )
    .await?;
    let account = db::users::account_setting(&p.db.app, email).await?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let member = match &account {
        Some(account) => db::members::find(&mut tx, account.user_id).await?,
        None => None,
    };
    tx.commit().await?;
    let member_account = account.filter(|_| member.is_some());
    if !passwords::check(p, attempt, member_account.as_ref(), password).await? {
        return Err(Error::field("password", NO_MATCH));
    }
    let user = member_account.map(|a| a.user_id).ok_or(Error::Internal)?;
    let role = member.map(|m| m.role).ok_or(Error::Internal)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    // A workspace that requires single sign-on refuses members' passwords; an admin's is
    // the way back in, and each such use is in Activity (`docs/sso.md`).
    let required = crate::sso::is_required(&mut tx).await?;
    if required && role != domain::Role::Admin {
        return Err(Error::forbidden(crate::sso::USE_SSO));
    }
    db::members::touch_sign_in(&mut tx, user).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::User(user),
        if required {
            "member.signed_in_with_password"
        } else {
            "member.signed_in"
        },
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// The member of `tenant` that `user` is, if it still is one (every signed-in request asks,
/// so a removal or a role change applies at once).
pub async fn member(
    p: &Platform,
    tenant: &ResolvedTenant,
    user: UserId,
) -> Result<Option<db::members::Member>, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let member = db::members::find(&mut tx, user).await?;
    tx.commit().await?;
    Ok(member)
}
