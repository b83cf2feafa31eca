//! Which site a request is for, from its Host header (`docs/product.md`, "Hosts"), and who
//! the client is. No caching: a tenant's status change applies to its very next request.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::ssr::{AppState, ClientIp, RequestSite};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode, header::HOST},
    middleware::Next,
    response::{IntoResponse, Response},
};
use db::sessions::{REQUEST_SCOPE, RequestScope};
use domain::{HostKind, links::host_without_port};

/// Resolves the request's site and client IP into request extensions, and runs the
/// request inside its [`RequestScope`], which the session store reads. A session store
/// that failed because the database was away makes the answer a 503, not tower-sessions'
/// bare 500.
pub async fn resolve_site(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let socket = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let trusted = state.platform.settings.trusted_proxies;
    if let Some(ip) = client_ip(request.headers(), socket, trusted) {
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
    let scope = Arc::new(RequestScope::new(match &site {
        RequestSite::Tenant(tenant) => Some(tenant.id),
        _ => None,
    }));
    request.extensions_mut().insert(site);
    let response = REQUEST_SCOPE.scope(scope.clone(), next.run(request)).await;
    if scope.store_was_unavailable() && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    response
}

/// The site for a Host header value.
pub async fn site_for_host(state: &AppState, host: Option<&str>) -> RequestSite {
    let Some(host) = host else {
        return RequestSite::UnknownHost;
    };
    match state.platform.links.classify_host(host) {
        HostKind::Apex => RequestSite::Apex,
        HostKind::Other => custom_domain(state, host).await,
        HostKind::Tenant(label) => match db::tenants::resolve(&state.platform.db.app, &label).await
        {
            Ok(Some(tenant)) => RequestSite::Tenant(tenant),
            Ok(None) => RequestSite::UnknownTenant(label),
            Err(e) => {
                tracing::warn!(error = ?e, "cannot resolve the tenant");
                RequestSite::Unavailable
            }
        },
    }
}

/// The site at a host that is not ours: the workspace whose verified custom domain it is,
/// while that workspace is active, else the unknown-host page (`docs/domains.md`). The
/// port plays no part: an edge may pass it on.
async fn custom_domain(state: &AppState, host: &str) -> RequestSite {
    let name = host_without_port(host);
    match db::domains::resolve(&state.platform.db.app, name.trim_end_matches('.')).await {
        Ok(Some(tenant)) => RequestSite::Tenant(tenant),
        Ok(None) => RequestSite::UnknownHost,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot resolve the custom domain");
            RequestSite::Unavailable
        }
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

/// The client's address. Behind `trusted` proxies that each append the address they saw to
/// `X-Forwarded-For`, it is the `trusted`-th entry from the right: entries further left are
/// whatever the client sent, and cannot be believed. With fewer entries than that (a request
/// that bypassed the outer proxies) the left-most is the best there is. With no trusted
/// proxy, or no usable header, it is the socket's peer.
pub fn client_ip(headers: &HeaderMap, socket: Option<IpAddr>, trusted: usize) -> Option<IpAddr> {
    if trusted == 0 {
        return socket;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let index = entries.len().saturating_sub(trusted);
    entries
        .get(index)
        .and_then(|entry| entry.parse().ok())
        .or(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn without_a_trusted_proxy_the_socket_is_the_client() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client_ip(&headers, ip("10.0.0.1"), 0), ip("10.0.0.1"));
    }

    #[test]
    fn the_client_is_counted_from_the_right_past_the_trusted_proxies() {
        // The client claims 1.1.1.1; proxy 1 saw 203.0.113.9; proxy 2 saw proxy 1.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(client_ip(&headers, ip("10.0.0.3"), 2), ip("203.0.113.9"));
        assert_eq!(client_ip(&headers, ip("10.0.0.3"), 1), ip("10.0.0.2"));
    }

    #[test]
    fn a_forged_left_most_entry_is_ignored() {
        let headers = forwarded(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(client_ip(&headers, ip("10.0.0.3"), 1), ip("203.0.113.9"));
    }

    #[test]
    fn fewer_entries_than_proxies_give_the_left_most_and_garbage_gives_the_socket() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client_ip(&headers, ip("10.0.0.3"), 3), ip("203.0.113.9"));
        let garbage = forwarded(&["not-an-ip"]);
        assert_eq!(client_ip(&garbage, ip("10.0.0.3"), 1), ip("10.0.0.3"));
        assert_eq!(
            client_ip(&HeaderMap::new(), ip("10.0.0.3"), 1),
            ip("10.0.0.3")
        );
    }
}
