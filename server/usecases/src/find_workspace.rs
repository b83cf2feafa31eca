//! "Find your workspace" on the apex: by its subdomain, or by having the list of one's
//! workspaces emailed.

use std::net::IpAddr;

use db::tenants::SlugState;
use domain::{Email, Slug};

use crate::{Error, Platform, emails};

/// The sign-in page of the workspace at `slug`, if there is one.
pub async fn sign_in_page(
    p: &Platform,
    client: Option<IpAddr>,
    slug: &Slug,
) -> Result<String, Error> {
    p.limits.count_check(&p.db.app, client).await?;
    let states = db::tenants::slug_states(&p.db.app, &[slug.as_str().to_owned()]).await?;
    if !matches!(states.first(), Some((_, SlugState::Taken))) {
        return Err(Error::field(
            "subdomain",
            format!(
                "There is no workspace at {}. Check the spelling, or get the list by email below.",
                p.links.tenant_host(slug)
            ),
        ));
    }
    Ok(p.links.tenant_url(slug, "/login"))
}

/// Emails `email` the sign-in pages of its workspaces, if it has any. The answer is the
/// same whether or not it does.
pub async fn email_list(p: &Platform, client: Option<IpAddr>, email: &Email) -> Result<(), Error> {
    p.limits
        .count_signup(&p.db.app, client, "Too many requests from your network.")
        .await?;
    let workspaces = db::tenants::workspaces_for_email(&p.db.app, email.as_str()).await?;
    if workspaces.is_empty() {
        return Ok(());
    }
    let links: Vec<(String, String)> = workspaces
        .into_iter()
        .map(|(slug, name)| (name, p.links.tenant_url(&slug, "/login")))
        .collect();
    let message = emails::workspace_list(&links)?;
    let mut tx = p.db.app.begin().await?;
    emails::queue(p, &mut tx, None, email, &message).await?;
    tx.commit().await?;
    Ok(())
}
