//! Settings → Domains: the workspace's own domains (`docs/domains.md`).

use domain::custom_domain::DomainsPage;
use leptos::prelude::*;

use crate::error::AppError;

/// The workspace's domains with the records to publish, for its admins.
#[server]
pub async fn get_domains() -> Result<DomainsPage, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    Ok(usecases::domains::view(&*platform()?, &tenant, &member).await?)
}

/// `domain` as typed, parsed (a domain of this platform is refused).
#[cfg(feature = "ssr")]
fn parse(
    platform: &usecases::Platform,
    domain: &str,
) -> Result<domain::custom_domain::CustomDomain, AppError> {
    use domain::Fields;

    let mut fields = Fields::default();
    fields
        .check(
            "domain",
            domain::custom_domain::CustomDomain::parse(domain, platform.links.apex_host()),
        )
        .ok_or_else(|| fields.into_errors().into())
}

/// Adds a pending domain.
#[server]
pub async fn add_domain(domain: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let p = platform()?;
    let domain = parse(&p, &domain)?;
    usecases::domains::add(&p, &tenant, &member, &domain).await?;
    crate::ssr::redirect("/settings/domains?done=domain-added");
    Ok(())
}

/// Looks the domain's TXT record up now; the page shows what was found.
#[server]
pub async fn verify_domain(domain: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use domain::custom_domain::TxtFinding;

    let (tenant, member) = require_admin().await?;
    let p = platform()?;
    let domain = parse(&p, &domain)?;
    let done = match usecases::domains::verify(&p, &tenant, &member, &domain).await? {
        TxtFinding::Ours => "domain-verified",
        _ => "domain-checked",
    };
    crate::ssr::redirect(&format!("/settings/domains?done={done}"));
    Ok(())
}

/// Makes a verified domain the one emails and links use.
#[server]
pub async fn make_primary_domain(domain: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let p = platform()?;
    let domain = parse(&p, &domain)?;
    usecases::domains::make_primary(&p, &tenant, &member, &domain).await?;
    crate::ssr::redirect("/settings/domains?done=domain-primary");
    Ok(())
}

/// Removes a domain (after the page's confirm step): it stops serving at once.
#[server]
pub async fn remove_domain(domain: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let p = platform()?;
    let domain = parse(&p, &domain)?;
    usecases::domains::remove(&p, &tenant, &member, &domain).await?;
    crate::ssr::redirect("/settings/domains?done=domain-removed");
    Ok(())
}
