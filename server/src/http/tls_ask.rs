//! `GET /internal/tls-ask?domain=<host>`: the edge asks before it gets a certificate for a
//! name (Caddy's `on_demand_tls { ask … }`, `docs/domains.md`). 200 for a verified custom
//! domain of an active workspace, 404 for anything else, from one indexed look-up and no
//! DNS query. Only the edge may ask: a client on loopback, or one with
//! `Authorization: Bearer <EDGE_TOKEN>`; anyone else gets a 403.

use std::net::SocketAddr;

use app::ssr::AppState;
use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
};
use serde::Deserialize;

use crate::{
    http::ops::{Operations, bearer_is},
    tenancy,
};

#[derive(Deserialize)]
pub struct Ask {
    domain: Option<String>,
}

pub async fn tls_ask(
    State((state, ops)): State<(AppState, Operations)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(ask): Query<Ask>,
) -> StatusCode {
    let client = tenancy::client_ip(
        &headers,
        Some(peer.ip()),
        state.platform.settings.trusted_proxies,
    );
    let on_loopback = client.is_some_and(|ip| ip.is_loopback());
    if !on_loopback && !bearer_is(&headers, ops.edge_token.as_deref()) {
        return StatusCode::FORBIDDEN;
    }
    let Some(domain) = ask.domain else {
        return StatusCode::NOT_FOUND;
    };
    match usecases::domains::may_have_certificate(&state.platform, &domain).await {
        Ok(true) => StatusCode::OK,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
