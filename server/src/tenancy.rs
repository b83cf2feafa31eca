//! Which site a request is for, from its Host header (SPEC, "Hosts and routes"), and who
//! the client is. No caching: a tenant's status change applies to its very next request.

use std::net::{IpAddr, SocketAddr};

use app::ssr::{AppState, ClientIp, RequestSite};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::header::HOST,
    middleware::Next,
    response::Response,
};
use db::sessions::REQUEST_TENANT;
use domain::HostKind;

/// Resolves the request's site and client IP into request extensions, and runs tenant
/// requests with the tenant set for the session store.
pub async fn resolve_site(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&request, state.settings.trust_proxy);
    if let Some(ip) = ip {
        request.extensions_mut().insert(ClientIp(ip));
    }
    // Static files need no tenant, and need no database round trip.
    if request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }

    let site = site_for_host(&state, host(&request).as_deref()).await;
    if let RequestSite::Tenant(tenant) = &site {
        tracing::Span::current().record("tenant", tenant.slug.as_str());
    }
    let tenant = match &site {
        RequestSite::Tenant(tenant) => Some(tenant.id),
        _ => None,
    };
    request.extensions_mut().insert(site);
    match tenant {
        Some(tenant) => REQUEST_TENANT.scope(tenant, next.run(request)).await,
        None => next.run(request).await,
    }
}

/// The site for a Host header value.
pub async fn site_for_host(state: &AppState, host: Option<&str>) -> RequestSite {
    let Some(host) = host else {
        return RequestSite::UnknownHost;
    };
    match state.links.classify_host(host) {
        HostKind::Apex => RequestSite::Apex,
        HostKind::Other => RequestSite::UnknownHost,
        HostKind::Tenant(label) => match db::tenants::resolve(&state.db.app, &label).await {
            Ok(Some(tenant)) => RequestSite::Tenant(tenant),
            Ok(None) => RequestSite::UnknownTenant(label),
            Err(e) => {
                tracing::warn!(error = ?e, "cannot resolve the tenant");
                RequestSite::Unavailable
            }
        },
    }
}

/// The Host header (or the HTTP/2 authority), lower-cased.
pub fn host(request: &Request) -> Option<String> {
    request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .map(|h| h.to_lowercase())
}

/// The client's address: the left-most `X-Forwarded-For` entry behind a trusted proxy,
/// else the socket's peer.
fn client_ip(request: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok())
            .and_then(|list| list.split(',').next())
            .and_then(|first| first.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}
