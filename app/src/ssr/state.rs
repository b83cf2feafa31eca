use std::{net::IpAddr, sync::Arc};

use axum::extract::FromRef;
use db::tenants::ResolvedTenant;
use domain::Links;
use leptos::prelude::*;
use usecases::Platform;

use crate::{
    error::AppError,
    site::{Site, TenantSite},
};

/// Everything the server shares with every request: provided as Leptos context and used
/// as the axum router's state. The router and its middleware clone it for every request,
/// so a clone is one reference count, not a copy of the options and the platform.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] shares.
#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    /// What every use case runs against.
    pub platform: Platform,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, platform: Platform) -> AppState {
        AppState(Arc::new(Shared {
            leptos_options,
            platform,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The site a request is for, as the Host middleware resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestSite {
    Apex,
    Tenant(ResolvedTenant),
    UnknownTenant(String),
    UnknownHost,
    Unavailable,
}

impl RequestSite {
    /// What the browser may know about the site.
    pub fn public(&self, links: &Links) -> Site {
        match self {
            RequestSite::Apex => Site::Apex,
            RequestSite::Tenant(t) => Site::Tenant(TenantSite {
                slug: t.slug.clone(),
                name: t.name.clone(),
                status: t.status,
                tagline: t.tagline.clone(),
                brand_colour: t.brand_colour.clone(),
                apex_url: links.apex_url("/"),
            }),
            RequestSite::UnknownTenant(slug) => Site::UnknownTenant {
                slug: slug.clone(),
                claim_url: links.apex_url(&format!("/signup?subdomain={slug}")),
            },
            RequestSite::UnknownHost => Site::UnknownHost,
            RequestSite::Unavailable => Site::Unavailable,
        }
    }
}

/// The client's IP address, as the Host middleware determined it (`TRUST_PROXY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The shared state, or an internal error if the server forgot to provide it.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState is missing from the Leptos context");
        AppError::Internal
    })
}

/// The platform every use case runs against.
pub fn platform() -> Result<PlatformRef, AppError> {
    app_state().map(PlatformRef)
}

/// The shared [`Platform`], held through the [`AppState`]: taking it for a server function
/// counts a reference instead of copying the pools, the resolver and the settings.
#[derive(Clone, Debug)]
pub struct PlatformRef(AppState);

impl std::ops::Deref for PlatformRef {
    type Target = Platform;

    fn deref(&self) -> &Platform {
        &self.0.platform
    }
}

/// The site of the current request.
pub fn request_site() -> RequestSite {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestSite>().cloned())
        .unwrap_or(RequestSite::UnknownHost)
}

/// The current request's tenant, or the error a non-tenant host deserves.
pub fn require_tenant() -> Result<ResolvedTenant, AppError> {
    match request_site() {
        RequestSite::Tenant(tenant) => Ok(tenant),
        RequestSite::Unavailable => Err(AppError::Unavailable),
        _ => Err(AppError::NotFound("There is no workspace here.".into())),
    }
}

/// Nothing but the apex serves this, or the error another host deserves.
pub fn require_apex() -> Result<(), AppError> {
    match request_site() {
        RequestSite::Apex => Ok(()),
        RequestSite::Unavailable => Err(AppError::Unavailable),
        _ => Err(AppError::NotFound("There is no such page here.".into())),
    }
}

/// The client's IP address, if known.
pub fn client_ip() -> Option<IpAddr> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().copied())
        .map(|ip| ip.0)
}
