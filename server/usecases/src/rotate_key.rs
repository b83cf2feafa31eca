//! A workspace's API key: rotating it (the CLI and Settings → API), and the overlap that
//! lets a website switch keys without losing a lead: with it, the old key keeps working
//! for 24 hours, or until an admin revokes it.

use db::{TenantId, members::Member, tenants::ResolvedTenant};
use domain::{
    ApiKey,
    settings::{ApiKeyInfo, OldKey},
};
use serde_json::json;

use crate::{
    Actor, Error, Platform,
    actor::{admin, audit},
    secrets,
    timefmt::{in_words, when},
};

/// How long an old key keeps working when a rotation keeps it.
pub const OVERLAP_HOURS: i64 = 24;

/// Gives `tenant` a new API key, shown once to whoever asked. The old key stops at
/// commit, or, with `keep_old`, after [`OVERLAP_HOURS`].
pub async fn rotate_key(
    p: &Platform,
    tenant: TenantId,
    actor: &Actor,
    keep_old: bool,
) -> Result<ApiKey, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let keep = keep_old.then_some(OVERLAP_HOURS * 3600);
    let key = replace_key(&mut tx, tenant, actor, "tenant.api_key_rotated", keep).await?;
    tx.commit().await?;
    Ok(key)
}

/// Settings → API's rotation, by an admin.
pub async fn rotate_by_admin(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    keep_old: bool,
) -> Result<ApiKey, Error> {
    let actor = admin(member)?;
    rotate_key(p, tenant.id, &actor, keep_old).await
}

/// Stops the previous key now, before its overlap ends.
pub async fn revoke_old_key(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    if !db::tenants::revoke_old_api_key(&mut tx).await? {
        return Err(Error::NotFound("No old key is working any more.".into()));
    }
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "tenant.old_api_key_revoked",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Settings → API, without a new key (the door adds the one it just made, once).
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
) -> Result<ApiKeyInfo, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let settings = db::tenants::settings(&mut tx).await?;
    tx.commit().await?;
    Ok(ApiKeyInfo {
        prefix: settings.api_key_prefix,
        created: when(settings.api_key_created_at),
        last_used: settings.api_key_last_used_at.map(when),
        old_key: settings.old_api_key.map(|(prefix, expires)| OldKey {
            prefix,
            expires_in: in_words(expires),
        }),
        new_key: None,
        intake_url: p.links.tenant_url(&tenant.slug, "/api/leads/intake"),
    })
}

/// Stores a fresh key for `tenant` in `tx` and audits it as `action`; with `keep_old_secs`
/// the previous key keeps working that long.
pub(crate) async fn replace_key(
    tx: &mut db::Tx,
    tenant: TenantId,
    actor: &Actor,
    action: &str,
    keep_old_secs: Option<i64>,
) -> Result<ApiKey, Error> {
    let key = secrets::new_api_key();
    db::tenants::rotate_api_key(tx, &key, keep_old_secs).await?;
    audit(
        tx,
        Some(tenant),
        actor,
        action,
        json!({ "prefix": key.display_prefix(), "old_key_kept_hours": keep_old_secs.map(|s| s / 3600) }),
    )
    .await?;
    Ok(key)
}
