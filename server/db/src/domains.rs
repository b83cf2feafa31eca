//! The `custom_domains` table: a workspace's own hostnames (`docs/domains.md`).

use domain::custom_domain::{CustomDomain, DomainState, TxtFinding};
use sqlx::PgExecutor;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, TenantId, Tx,
    tenants::{ResolvedRow, ResolvedTenant},
};

/// One domain of the current workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainRow {
    pub hostname: CustomDomain,
    pub token: String,
    pub state: DomainState,
    pub is_primary: bool,
    pub last_check: Option<TxtFinding>,
    pub created_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub checked_at: Option<OffsetDateTime>,
}

/// A verified domain due for its re-check, across workspaces (the owner's pool).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDomain {
    pub hostname: CustomDomain,
    pub owner: TenantId,
    /// The owning workspace's subdomain.
    pub slug: String,
    pub token: String,
    pub failures: i32,
}

fn state(value: &str) -> Result<DomainState, Error> {
    DomainState::from_db(value).ok_or_else(|| Error::Data(format!("domain state {value:?}")))
}

/// The workspace a verified domain of an active workspace serves (a definer function: the
/// host is looked up before any tenant is set). `host` carries no port.
pub async fn resolve(db: impl PgExecutor<'_>, host: &str) -> Result<Option<ResolvedTenant>, Error> {
    let row = sqlx::query_as!(
        ResolvedRow,
        r#"select id as "id!", slug as "slug!", name as "name!", status as "status!",
                  tagline as "tagline!", brand_colour as "brand_colour!"
           from resolve_custom_domain($1)"#,
        host
    )
    .fetch_optional(db)
    .await?;
    row.map(ResolvedRow::into_tenant).transpose()
}

/// Whether any workspace holds `host` (a definer function: says nothing of whose).
pub async fn taken(tx: &mut Tx, host: &CustomDomain) -> Result<bool, Error> {
    let taken = sqlx::query_scalar!(
        r#"select custom_domain_taken($1) as "taken!""#,
        host.as_str()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(taken)
}

/// The verified domain `tenant` chose as primary, if any.
pub async fn primary(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Option<String>, Error> {
    let host = sqlx::query_scalar!(r#"select primary_custom_domain($1) as host"#, tenant.0)
        .fetch_one(db)
        .await?;
    Ok(host)
}

/// The current workspace's domains, oldest first.
pub async fn list(tx: &mut Tx) -> Result<Vec<DomainRow>, Error> {
    let rows = sqlx::query!(
        "select hostname, token, state, is_primary, last_check, created_at, verified_at,
                checked_at
         from custom_domains where owner_id = current_tenant_id()
         order by created_at, hostname"
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DomainRow {
                hostname: CustomDomain::from_stored(r.hostname),
                token: r.token,
                state: state(&r.state)?,
                is_primary: r.is_primary,
                last_check: r.last_check.as_deref().and_then(TxtFinding::from_db),
                created_at: r.created_at,
                verified_at: r.verified_at,
                checked_at: r.checked_at,
            })
        })
        .collect()
}

/// One domain of the current workspace.
pub async fn find(tx: &mut Tx, host: &CustomDomain) -> Result<Option<DomainRow>, Error> {
    let rows = list(tx).await?;
    Ok(rows.into_iter().find(|d| &d.hostname == host))
}

/// Takes a lock on the current workspace's domain list until the transaction ends, so
/// that two adds cannot both pass the limit.
pub async fn lock_list(tx: &mut Tx, tenant: TenantId) -> Result<(), Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('custom_domains:' || $1::uuid::text, 0))",
        tenant.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many domains the current workspace has.
pub async fn count(tx: &mut Tx) -> Result<i64, Error> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from custom_domains where owner_id = current_tenant_id()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Adds a pending domain to the current workspace. A hostname any workspace holds fails
/// on `custom_domains_pkey`.
pub async fn insert(tx: &mut Tx, host: &CustomDomain, token: &str) -> Result<(), Error> {
    sqlx::query!(
        "insert into custom_domains (hostname, owner_id, token)
         values ($1, current_tenant_id(), $2)",
        host.as_str(),
        token
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps what a **Verify** found for a domain of the current workspace, if it still has
/// the token that was looked up (false: removed, or removed and added again meanwhile).
/// Our record verifies it (again: failures forgotten, next re-check `recheck` from now);
/// anything else leaves its state as it was.
pub async fn record_check(
    tx: &mut Tx,
    host: &CustomDomain,
    token: &str,
    finding: &TxtFinding,
    recheck: std::time::Duration,
) -> Result<bool, Error> {
    let ours = *finding == TxtFinding::Ours;
    let done = sqlx::query!(
        "update custom_domains
         set last_check = $3, checked_at = now(),
             state = case when $4 then 'verified' else state end,
             failures = case when $4 then 0 else failures end,
             verified_at = case when $4 then coalesce(verified_at, now()) else verified_at end,
             next_check_at = case when $4 then now() + make_interval(secs => $5)
                             else next_check_at end
         where owner_id = current_tenant_id() and hostname = $1 and token = $2",
        host.as_str(),
        token,
        finding.as_db(),
        ours,
        recheck.as_secs_f64()
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes a verified domain of the current workspace its primary one (and no other).
pub async fn make_primary(tx: &mut Tx, host: &CustomDomain) -> Result<bool, Error> {
    sqlx::query!(
        "update custom_domains set is_primary = false
         where owner_id = current_tenant_id() and is_primary and hostname <> $1",
        host.as_str()
    )
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query!(
        "update custom_domains set is_primary = true
         where owner_id = current_tenant_id() and hostname = $1 and state = 'verified'",
        host.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a domain of the current workspace; false if it was not there.
pub async fn delete(tx: &mut Tx, host: &CustomDomain) -> Result<bool, Error> {
    let done = sqlx::query!(
        "delete from custom_domains where owner_id = current_tenant_id() and hostname = $1",
        host.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims up to `limit` verified domains due for a re-check, across workspaces, moving
/// their next check `retry` ahead so that another instance does not take them too (the
/// owner's connection).
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: i64,
    retry: std::time::Duration,
) -> Result<Vec<DueDomain>, Error> {
    let rows = sqlx::query!(
        r#"update custom_domains d set next_check_at = now() + make_interval(secs => $2)
         from (select hostname from custom_domains
               where state = 'verified' and next_check_at <= now()
               order by next_check_at limit $1 for update skip locked) due
         where d.hostname = due.hostname
         returning d.hostname, d.owner_id, d.token, d.failures,
                   (select slug from tenants t where t.id = d.owner_id) as "slug!""#,
        limit,
        retry.as_secs_f64()
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DueDomain {
            hostname: CustomDomain::from_stored(r.hostname),
            owner: TenantId(r.owner_id),
            slug: r.slug,
            token: r.token,
            failures: r.failures,
        })
        .collect())
}

/// A re-check that did not find the record: one more failure, and at `fail_after` in a
/// row the domain is failed (routing and certificates stop) and loses primary. True if it
/// failed now. The owner's connection.
pub async fn record_miss(
    db: impl PgExecutor<'_>,
    host: &CustomDomain,
    finding: &TxtFinding,
    fail_after: i32,
    recheck: std::time::Duration,
) -> Result<bool, Error> {
    let failed = sqlx::query_scalar!(
        r#"update custom_domains
           set failures = failures + 1, checked_at = now(), last_check = $3,
               next_check_at = now() + make_interval(secs => $4),
               state = case when failures + 1 >= $2 then 'failed' else state end,
               is_primary = case when failures + 1 >= $2 then false else is_primary end
           where hostname = $1 and state = 'verified'
           returning state = 'failed' as "failed!""#,
        host.as_str(),
        fail_after,
        finding.as_db(),
        recheck.as_secs_f64()
    )
    .fetch_optional(db)
    .await?;
    Ok(failed.unwrap_or(false))
}

/// A re-check that found the record: failures forgotten (the owner's connection).
pub async fn record_hit(
    db: impl PgExecutor<'_>,
    host: &CustomDomain,
    recheck: std::time::Duration,
) -> Result<(), Error> {
    sqlx::query!(
        "update custom_domains
         set failures = 0, checked_at = now(), last_check = 'ours',
             next_check_at = now() + make_interval(secs => $2)
         where hostname = $1 and state = 'verified'",
        host.as_str(),
        recheck.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The domains of one workspace, for the console (its own role).
pub async fn of_tenant(
    db: impl PgExecutor<'_>,
    tenant: Uuid,
) -> Result<Vec<(String, DomainState, bool)>, Error> {
    let rows = sqlx::query!(
        "select hostname, state, is_primary from custom_domains
         where owner_id = $1 order by created_at, hostname",
        tenant
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.hostname, state(&r.state)?, r.is_primary)))
        .collect()
}
