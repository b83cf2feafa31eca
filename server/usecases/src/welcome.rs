//! A new workspace's welcome page.

use db::{members::Member, tenants::ResolvedTenant};
use domain::{Role, welcome::Welcome};

use crate::{Actor, Error, Platform, rotate_key::replace_key};

/// The welcome page of `member`. With `reveal_key` (the first view after signup, for an
/// admin) it issues the workspace's API key and shows it, once: the key made at
/// provisioning was never shown to anyone.
pub async fn welcome(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    reveal_key: bool,
) -> Result<Welcome, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let api_key = if reveal_key && member.role == Role::Admin {
        let actor = Actor::User(member.user_id);
        let key = replace_key(&mut tx, tenant.id, &actor, "tenant.api_key_issued", None).await?;
        Some(key.expose().to_owned())
    } else {
        None
    };
    let has_leads = db::leads::count(&mut tx).await? > 0;
    tx.commit().await?;
    Ok(Welcome {
        workspace: tenant.name.clone(),
        status: tenant.status,
        workspace_url: p.links.tenant_url(&tenant.slug, "/"),
        email: member.email.clone(),
        email_verified: member.email_verified,
        api_key,
        intake_url: p.links.tenant_url(&tenant.slug, "/api/leads/intake"),
        has_leads,
    })
}
