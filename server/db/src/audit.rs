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

/// One audit entry, as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: uuid::Uuid,
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
    pub created_at: time::OffsetDateTime,
}

/// Where a page of the log starts: the newest entries, or the entries older or newer
/// than a given one (keyset pagination on time and id: no OFFSET, every page as fast).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    Newest,
    OlderThan(time::OffsetDateTime, uuid::Uuid),
    NewerThan(time::OffsetDateTime, uuid::Uuid),
}

/// Up to `limit` entries of the current tenant from `from`, newest first, optionally only
/// those of `action`.
pub async fn page(
    tx: &mut Tx,
    action: Option<&str>,
    from: From,
    limit: i64,
) -> Result<Vec<Entry>, Error> {
    let (at, id, older) = match from {
        From::Newest => (None, None, true),
        From::OlderThan(at, id) => (Some(at), Some(id), true),
        From::NewerThan(at, id) => (Some(at), Some(id), false),
    };
    let mut entries = if older {
        sqlx::query_as!(
            Entry,
            "select id, actor, action, detail, created_at from audit_log
             where tenant_id = current_tenant_id()
               and ($1::text is null or action = $1)
               and ($2::timestamptz is null or (created_at, id) < ($2, $3::uuid))
             order by created_at desc, id desc limit $4",
            action,
            at,
            id,
            limit
        )
        .fetch_all(&mut **tx)
        .await?
    } else {
        sqlx::query_as!(
            Entry,
            "select id, actor, action, detail, created_at from audit_log
             where tenant_id = current_tenant_id()
               and ($1::text is null or action = $1)
               and (created_at, id) > ($2::timestamptz, $3::uuid)
             order by created_at, id limit $4",
            action,
            at,
            id,
            limit
        )
        .fetch_all(&mut **tx)
        .await?
    };
    if !older {
        entries.reverse();
    }
    Ok(entries)
}
