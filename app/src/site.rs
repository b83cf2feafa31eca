//! Which site a request is for: the apex (landing, signup, staff) or a tenant's workspace.
//! Resolved from the Host header on the server and shared with the browser on hydration.

use domain::TenantStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The site of the current page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Site {
    Apex,
    Tenant(TenantSite),
    /// A subdomain of the apex that no workspace has: the 404 with a claim link.
    UnknownTenant {
        slug: String,
        claim_url: String,
    },
    /// A host that is neither the apex nor one of its subdomains.
    UnknownHost,
    /// The database could not be reached to find out.
    Unavailable,
}

/// A tenant's public face: what its splash shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSite {
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub tagline: String,
    pub brand_colour: String,
    /// The apex's URL, for links back to the platform.
    pub apex_url: String,
}

/// The current page's site (provided by `App`).
pub fn use_site() -> Site {
    use_context::<Site>().unwrap_or(Site::UnknownHost)
}

/// The current page's tenant, if it is on a tenant host.
pub fn use_tenant() -> Option<TenantSite> {
    match use_site() {
        Site::Tenant(tenant) => Some(tenant),
        _ => None,
    }
}

/// The site as the server resolved it for this request.
#[cfg(feature = "ssr")]
pub fn site_of_request() -> Site {
    // No state while the server lists the app's routes at start-up: no site either.
    match use_context::<crate::ssr::AppState>() {
        Some(state) => crate::ssr::request_site().public(&state.platform.links),
        None => Site::UnknownHost,
    }
}
