//! Replacing a workspace's API key: the old one stops working at once.

use db::TenantId;
use domain::ApiKey;
use serde_json::json;

use crate::{Actor, Error, Platform, actor::audit, secrets};

/// Gives `tenant` a new API key, shown once to whoever asked; the old key stops at commit.
pub async fn rotate_key(p: &Platform, tenant: TenantId, actor: &Actor) -> Result<ApiKey, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let key = replace_key(&mut tx, tenant, actor, "tenant.api_key_rotated").await?;
    tx.commit().await?;
    Ok(key)
}

/// Stores a fresh key for `tenant` in `tx` and audits it as `action`.
pub(crate) async fn replace_key(
    tx: &mut db::Tx,
    tenant: TenantId,
    actor: &Actor,
    action: &str,
) -> Result<ApiKey, Error> {
    let key = secrets::new_api_key();
    db::tenants::rotate_api_key(tx, &key).await?;
    audit(
        tx,
        Some(tenant),
        actor,
        action,
        json!({ "prefix": key.display_prefix() }),
    )
    .await?;
    Ok(key)
}
