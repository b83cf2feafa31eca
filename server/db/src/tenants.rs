//! The `tenants` table: host resolution, the current tenant's row, API keys, and the
//! staff's life-cycle changes.

use domain::{ApiKey, HexColour, Plan, Tagline, TenantName, TenantStatus};
use sqlx::PgExecutor;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// What the Host look-up knows about a tenant: only what its public splash shows, plus
/// its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedTenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub tagline: String,
    pub brand_colour: String,
}

/// Whether a subdomain can be claimed (reserved names are a domain rule, not stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlugState {
    Available,
    Taken,
    Quarantined,
}

pub(crate) fn parse_status(status: &str) -> Result<TenantStatus, Error> {
    status
        .parse()
        .map_err(|_| Error::Data(format!("tenant status {status:?}")))
}

/// A row of the definer functions that resolve a request's host (`resolve_tenant`,
/// `resolve_custom_domain`): one shape, read into a [`ResolvedTenant`].
pub(crate) struct ResolvedRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub tagline: String,
    pub brand_colour: String,
}

impl ResolvedRow {
    pub(crate) fn into_tenant(self) -> Result<ResolvedTenant, Error> {
        Ok(ResolvedTenant {
            id: TenantId(self.id),
            status: parse_status(&self.status)?,
            slug: self.slug,
            name: self.name,
            tagline: self.tagline,
            brand_colour: self.brand_colour,
        })
    }
}

/// Finds the tenant for a subdomain, before any tenant is set (a definer function).
pub async fn resolve(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<ResolvedTenant>, Error> {
    let row = sqlx::query_as!(
        ResolvedRow,
        r#"select id as "id!", slug as "slug!", name as "name!", status as "status!",
                  tagline as "tagline!", brand_colour as "brand_colour!"
           from resolve_tenant($1)"#,
        slug
    )
    .fetch_optional(db)
    .await?;
    row.map(ResolvedRow::into_tenant).transpose()
}

/// Whether each candidate subdomain is available, taken or quarantined, in input order.
pub async fn slug_states(
    db: impl PgExecutor<'_>,
    slugs: &[String],
) -> Result<Vec<(String, SlugState)>, Error> {
    let rows = sqlx::query!(
        r#"select slug as "slug!", state as "state!" from slug_states($1)"#,
        slugs
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let state = match r.state.as_str() {
                "available" => SlugState::Available,
                "taken" => SlugState::Taken,
                "quarantined" => SlugState::Quarantined,
                other => return Err(Error::Data(format!("slug state {other:?}"))),
            };
            Ok((r.slug, state))
        })
        .collect()
}

/// Inserts a new tenant. The transaction must already be scoped to `id`.
pub async fn insert(
    tx: &mut Tx,
    id: TenantId,
    slug: &str,
    name: &str,
    status: TenantStatus,
    api_key: &ApiKey,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into tenants (id, slug, name, status, api_key_hash, api_key_prefix)
         values ($1, $2, $3, $4, $5, $6)",
        id.0,
        slug,
        name,
        status.as_str(),
        &api_key.hash()[..],
        api_key.display_prefix(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces the current tenant's API key. The old one stops working at commit, or, with
/// `keep_old_secs`, keeps working that long (any earlier old key stops at once).
pub async fn rotate_api_key(
    tx: &mut Tx,
    key: &ApiKey,
    keep_old_secs: Option<i64>,
) -> Result<(), Error> {
    sqlx::query!(
        "update tenants set
                old_api_key_hash = case when $3::bigint is null then null else api_key_hash end,
                old_api_key_prefix = case when $3::bigint is null then null else api_key_prefix end,
                old_api_key_expires_at = now() + make_interval(secs => $3::bigint::float8),
                api_key_hash = $1, api_key_prefix = $2, api_key_created_at = now(),
                api_key_last_used_at = null, updated_at = now()
         where id = current_tenant_id()",
        &key.hash()[..],
        key.display_prefix(),
        keep_old_secs,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stops the current tenant's previous key now. False if none was working.
pub async fn revoke_old_api_key(tx: &mut Tx) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenants set old_api_key_hash = null, old_api_key_prefix = null,
                old_api_key_expires_at = null, updated_at = now()
         where id = current_tenant_id() and old_api_key_expires_at > now()"
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The current tenant's settings: branding, plan and API key facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantSettings {
    pub name: String,
    pub tagline: String,
    pub brand_colour: String,
    pub plan: Plan,
    pub max_users: Option<u32>,
    pub api_key_prefix: String,
    pub api_key_created_at: OffsetDateTime,
    pub api_key_last_used_at: Option<OffsetDateTime>,
    /// The previous key's prefix and end, while it still works.
    pub old_api_key: Option<(String, OffsetDateTime)>,
}

/// Reads the current tenant's settings.
pub async fn settings(tx: &mut Tx) -> Result<TenantSettings, Error> {
    let r = sqlx::query!(
        r#"select name, tagline, brand_colour, plan, max_users, api_key_prefix,
                  api_key_created_at, api_key_last_used_at,
                  case when old_api_key_expires_at > now() then old_api_key_prefix end as old_prefix,
                  case when old_api_key_expires_at > now() then old_api_key_expires_at end as old_expires
           from tenants where id = current_tenant_id()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(TenantSettings {
        name: r.name,
        tagline: r.tagline,
        brand_colour: r.brand_colour,
        plan: r
            .plan
            .parse()
            .map_err(|_| Error::Data(format!("plan {:?}", r.plan)))?,
        max_users: r.max_users.and_then(|n| u32::try_from(n).ok()),
        api_key_prefix: r.api_key_prefix,
        api_key_created_at: r.api_key_created_at,
        api_key_last_used_at: r.api_key_last_used_at,
        old_api_key: r.old_prefix.zip(r.old_expires),
    })
}

/// Locks the current tenant's row until the end of `tx`: changes to its team and its
/// pipeline take it first, so that two of them happen one after the other and each sees
/// what the other did (the seat limit, the last admin, a dense stage order). Its status as
/// of the lock (a status change takes the same lock).
pub async fn lock_current(tx: &mut Tx) -> Result<TenantStatus, Error> {
    let status =
        sqlx::query_scalar!("select status from tenants where id = current_tenant_id() for update")
            .fetch_one(&mut **tx)
            .await?;
    status
        .parse()
        .map_err(|_| Error::Data(format!("tenant status {status:?}")))
}

/// Saves the current tenant's name, tagline and colour.
pub async fn update_branding(
    tx: &mut Tx,
    name: &TenantName,
    tagline: &Tagline,
    colour: &HexColour,
) -> Result<(), Error> {
    sqlx::query!(
        "update tenants set name = $1, tagline = $2, brand_colour = $3, updated_at = now()
         where id = current_tenant_id()",
        name.as_str(),
        tagline.as_str(),
        colour.as_str(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The id, name and status of the tenant with `slug`, locked until the end of `tx` (owner
/// pool), so that two changes of one tenant's status happen one after the other.
pub async fn lock_by_slug(tx: &mut Tx, slug: &str) -> Result<Option<LockedTenant>, Error> {
    let row = sqlx::query!(
        "select id, slug, name, status from tenants where slug = $1 for update",
        slug
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(LockedTenant {
            id: TenantId(r.id),
            slug: r.slug,
            name: r.name,
            status: parse_status(&r.status)?,
        })
    })
    .transpose()
}

/// A tenant held for a status change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedTenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
}

/// Sets a tenant's status (staff only: request traffic has no UPDATE on `status`).
pub async fn update_status(
    tx: &mut Tx,
    id: TenantId,
    status: TenantStatus,
    reason: Option<&str>,
) -> Result<(), Error> {
    sqlx::query!(
        "update tenants set status = $2, status_reason = $3, updated_at = now() where id = $1",
        id.0,
        status.as_str(),
        reason,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a tenant and everything it owns (by cascade), keeping its subdomain out of
/// reach for `quarantine_days`. Audit entries stay.
pub async fn delete(
    tx: &mut Tx,
    id: TenantId,
    slug: &str,
    quarantine_days: i32,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into slug_quarantine (slug, former_tenant_id, released_at)
         values ($1, $2, now() + make_interval(days => $3))
         on conflict (slug) do update
           set former_tenant_id = excluded.former_tenant_id, deleted_at = now(),
               released_at = excluded.released_at",
        slug,
        id.0,
        quarantine_days,
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("delete from tenants where id = $1", id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new random tenant id.
pub fn new_id() -> TenantId {
    TenantId(Uuid::new_v4())
}

/// The workspaces (slug, name) that the account with this email belongs to, of any tenant
/// (a definer function): "Find your workspace" sends them to that address only.
pub async fn workspaces_for_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> Result<Vec<(String, String)>, Error> {
    let rows = sqlx::query!(
        r#"select slug as "slug!", name as "name!" from workspaces_for_email($1)"#,
        email
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.name)).collect())
}
