//! The `audit_log` table: who changed what, kept even after a tenant is deleted.

use crate::{Error, TenantId, Tx};

/// Records one audit entry in the caller's transaction.
///
/// `actor` says who acted: `cli`, `signup`, `user:<uuid>`, `staff:<email>`, `system`.
pub async fn record(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into audit_log (tenant_id, actor, action, detail) values ($1, $2, $3, $4)",
        tenant.map(|t| t.0),
        actor,
        action,
        detail,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
