//! Settings → Domains: a workspace's own hostnames, proven by a DNS TXT record, routed once
//! verified, re-checked in the background (`docs/domains.md`).

use std::time::Duration;

use db::{TenantId, domains::DueDomain, members::Member, tenants::ResolvedTenant};
use domain::custom_domain::{
    CustomDomain, DomainState, DomainView, DomainsPage, Routing, TxtFinding, challenge_value,
};
use serde_json::json;

use crate::{
    Actor, Error, Platform,
    actor::{admin, audit},
    emails,
    error::OnConstraint,
    timefmt::{self, Largest},
};

/// Re-checks that miss the record, in a row, before a verified domain fails.
pub const FAILS_AFTER: i32 = 3;
/// When a re-check could not ask the DNS server, the next try comes this much later.
const RETRY_UNANSWERED: Duration = Duration::from_secs(15 * 60);

/// A fresh token for a domain's TXT record: 128 random bits, as 32 hex digits.
fn new_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The page: the workspace's domains with the records to publish.
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
) -> Result<DomainsPage, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let rows = db::domains::list(&mut tx).await?;
    tx.commit().await?;
    let settings = &p.settings.domains;
    let target = p.links.apex_hostname().to_owned();
    let domains = rows
        .into_iter()
        .map(|row| DomainView {
            txt_name: row.hostname.challenge_name(),
            txt_value: challenge_value(&row.token),
            routing: if row.hostname.is_apex() {
                Routing::Address {
                    addresses: settings
                        .edge_addresses
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                }
            } else {
                Routing::Cname {
                    target: target.clone(),
                }
            },
            message: row.last_check.map(|finding| finding.message(&row.hostname)),
            checked: row.checked_at.map(timefmt::when),
            state: row.state,
            is_primary: row.is_primary,
            hostname: row.hostname,
        })
        .collect();
    Ok(DomainsPage {
        domains,
        subdomain: p.links.tenant_host(&tenant.slug),
        limit: settings.limit,
        recheck: format!("every {}", timefmt::period(settings.recheck, Largest::Day)),
    })
}

/// Adds a pending domain. Refused: one the workspace already has, one another workspace
/// holds (without saying which), more than the limit.
pub async fn add(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    domain: &CustomDomain,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::domains::lock_list(&mut tx, tenant.id).await?;
    if db::domains::find(&mut tx, domain).await?.is_some() {
        return Err(Error::field(
            "domain",
            format!("{domain} is already one of this workspace's domains."),
        ));
    }
    let limit = p.settings.domains.limit;
    if db::domains::count(&mut tx).await? >= limit as i64 {
        return Err(Error::field(
            "domain",
            format!("A workspace can have at most {limit} domains: remove one first."),
        ));
    }
    let taken = || {
        Error::field(
            "domain",
            "Another workspace already uses that domain. If it is yours, remove it there first.",
        )
    };
    if db::domains::taken(&mut tx, domain).await? {
        return Err(taken());
    }
    db::domains::insert(&mut tx, domain, &new_token())
        .await
        .on_constraint("custom_domains_pkey", taken)?;
    commit_audited(tx, tenant, &actor, "domain.added", domain).await
}

/// **Verify**: looks the TXT record up now, with no cache, and keeps what it found. Only
/// our record verifies; a DNS server that did not answer changes nothing.
pub async fn verify(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    domain: &CustomDomain,
) -> Result<TxtFinding, Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let row = db::domains::find(&mut tx, domain)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;

    // Outside any transaction: a slow DNS server holds no connection.
    let finding = p.dns.challenge(domain, &row.token).await;

    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let still_there = db::domains::record_check(
        &mut tx,
        domain,
        &row.token,
        &finding,
        p.settings.domains.recheck,
    )
    .await?;
    if !still_there {
        return Err(not_found());
    }
    if finding == TxtFinding::Ours && row.state != DomainState::Verified {
        audit(
            &mut tx,
            Some(tenant.id),
            &actor,
            "domain.verified",
            json!({ "domain": domain }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(finding)
}

/// **Make primary**: emails and links use this verified domain.
pub async fn make_primary(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    domain: &CustomDomain,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let row = db::domains::find(&mut tx, domain)
        .await?
        .ok_or_else(not_found)?;
    if row.state != DomainState::Verified {
        return Err(Error::conflict(
            "domain_not_verified",
            format!("Verify {domain} before making it the primary domain."),
        ));
    }
    db::domains::make_primary(&mut tx, domain).await?;
    commit_audited(tx, tenant, &actor, "domain.made_primary", domain).await
}

/// **Remove**: routing and certificates stop at commit; the name is free for anyone, with a
/// new token.
pub async fn remove(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    domain: &CustomDomain,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    if !db::domains::delete(&mut tx, domain).await? {
        return Err(not_found());
    }
    commit_audited(tx, tenant, &actor, "domain.removed", domain).await
}

/// Writes the audit entry `action` about `domain` and commits.
async fn commit_audited(
    mut tx: db::Tx,
    tenant: &ResolvedTenant,
    actor: &Actor,
    action: &str,
    domain: &CustomDomain,
) -> Result<(), Error> {
    audit(
        &mut tx,
        Some(tenant.id),
        actor,
        action,
        json!({ "domain": domain }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn not_found() -> Error {
    Error::NotFound("That domain is not one of this workspace's any more.".into())
}

/// Whether the edge may get a certificate for `host`: a verified domain of an active
/// workspace, from one indexed look-up (no DNS).
pub async fn may_have_certificate(p: &Platform, host: &str) -> Result<bool, Error> {
    Ok(db::domains::resolve(&p.db.app, host).await?.is_some())
}

/// What one pass of the re-check worker did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rechecked {
    pub confirmed: usize,
    pub missed: usize,
    pub failed: usize,
    pub unanswered: usize,
}

/// Re-checks the verified domains that are due, across workspaces (any instance may run
/// it: each domain is claimed by one). A miss counts; [`FAILS_AFTER`] misses in a row fail
/// the domain, write an audit entry and email the workspace's admins. A DNS server that
/// did not answer counts for nothing.
pub async fn recheck_due(p: &Platform, batch: i64) -> Result<Rechecked, Error> {
    let settings = &p.settings.domains;
    let due = db::domains::claim_due(&p.db.owner, batch, RETRY_UNANSWERED).await?;
    let mut done = Rechecked::default();
    for domain in due {
        match p.dns.challenge(&domain.hostname, &domain.token).await {
            TxtFinding::Ours => {
                db::domains::record_hit(&p.db.owner, &domain.hostname, settings.recheck).await?;
                done.confirmed += 1;
            }
            TxtFinding::NoAnswer => done.unanswered += 1,
            finding @ (TxtFinding::Missing | TxtFinding::NotOurs) => {
                let failed = db::domains::record_miss(
                    &p.db.owner,
                    &domain.hostname,
                    &finding,
                    FAILS_AFTER,
                    settings.recheck,
                )
                .await?;
                if failed {
                    domain_failed(p, &domain, &finding).await?;
                    done.failed += 1;
                } else {
                    done.missed += 1;
                }
            }
        }
    }
    Ok(done)
}

/// A domain failed its re-checks: the audit entry and the admins' email, in one transaction.
async fn domain_failed(p: &Platform, due: &DueDomain, finding: &TxtFinding) -> Result<(), Error> {
    let domain = &due.hostname;
    let found = finding.message(domain);
    let mut tx = db::begin_tenant(&p.db.owner, due.owner).await?;
    audit(
        &mut tx,
        Some(due.owner),
        &Actor::System,
        "domain.failed",
        json!({ "domain": domain, "found": found }),
    )
    .await?;
    let brand = emails::Brand::of_tenant(p, &mut tx, &due.slug).await?;
    let domains_url = workspace_url(p, &mut tx, due.owner, &due.slug, "/settings/domains").await?;
    let email = emails::domain_failed(&brand, domain.as_str(), &found, &domains_url)?;
    for to in db::console::admin_emails(&mut tx, due.owner).await? {
        let Ok(to) = domain::Email::parse(&to) else {
            continue;
        };
        emails::queue(p, &mut tx, Some(due.owner), &to, &email).await?;
    }
    tx.commit().await?;
    tracing::info!(%domain, tenant = %due.slug, "custom domain failed its re-checks");
    Ok(())
}

/// An absolute URL in a workspace, for emails and links: on its primary custom domain if
/// it chose one (always https: the edge serves custom domains), else on its subdomain.
pub async fn workspace_url(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: TenantId,
    slug: &str,
    path: &str,
) -> Result<String, Error> {
    Ok(match db::domains::primary(&mut **tx, tenant).await? {
        Some(host) => format!("https://{host}{path}"),
        None => p.links.tenant_url(slug, path),
    })
}
