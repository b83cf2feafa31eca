//! What operators and load balancers ask of an instance (`docs/operations.md`):
//! `/healthz` (the process answers), `/readyz` (it can serve: the database answers, the
//! migrations are applied, and it is not draining), and `GET /metrics` on the apex for
//! Prometheus, behind `METRICS_TOKEN`.

use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

/// Whether this instance is on its way out: set when SIGTERM arrives, so that `/readyz`
/// answers 503 while requests still get served for the drain period.
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
}

impl Lifecycle {
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// The operators' side of one instance: its life cycle, and the token that opens the
/// metrics (`None`: no metrics, and `/metrics` is not found).
#[derive(Clone, Debug, Default)]
pub struct Operations {
    pub lifecycle: Arc<Lifecycle>,
    pub metrics_token: Option<String>,
    /// The token that lets an edge off loopback ask `/internal/tls-ask` (`EDGE_TOKEN`).
    pub edge_token: Option<String>,
}

/// Whether `headers` carry `Authorization: Bearer <expected>`; never when nothing is
/// expected. Compared as digests: the comparison's time says nothing of the token.
pub fn bearer_is(headers: &HeaderMap, expected: Option<&str>) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (expected, given) {
        (Some(expected), Some(given)) => {
            Sha256::digest(expected.as_bytes()) == Sha256::digest(given.trim().as_bytes())
        }
        _ => false,
    }
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when this instance should get traffic, else 503 with why.
pub async fn readyz(
    State((state, ops)): State<(AppState, Operations)>,
) -> (StatusCode, &'static str) {
    if ops.lifecycle.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    let db = &state.platform.db;
    let checked = tokio::time::timeout(Duration::from_secs(2), async {
        db::ping(&db.app).await?;
        db::migrations_applied(&db.owner).await
    })
    .await;
    match checked {
        Ok(Ok(true)) => (StatusCode::OK, "ready"),
        Ok(Ok(false)) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// The process's metrics recorder: installed once, whatever number of routers the process
/// builds (the tests build one per test).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_server_request_duration_seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .and_then(|builder| {
                // How many leads each intake transaction wrote (`usecases::receive_lead`).
                builder.set_buckets_for_metric(
                    Matcher::Full("hcrm_intake_batch_leads".into()),
                    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0],
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed already: ours still renders (empty).
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Installs the recorder, so that what is counted before the first scrape is kept.
pub fn install_recorder() {
    recorder();
}

/// Times every request: `http_server_request_duration_seconds` by method, route template
/// (never a raw path, a tenant or a token) and status, as OpenTelemetry's HTTP conventions
/// name them.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    metrics::histogram!(
        "http_server_request_duration_seconds",
        "http_request_method" => method,
        "http_route" => route,
        "http_response_status_code" => response.status().as_str().to_owned(),
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` on the apex with `Authorization: Bearer <METRICS_TOKEN>`: the Prometheus
/// text. Anything else (another host, no token, a wrong one) is not found.
pub async fn metrics(
    State((state, ops)): State<(AppState, Operations)>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
) -> Response {
    let allowed = bearer_is(&headers, ops.metrics_token.as_deref());
    if site != RequestSite::Apex || !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    gauges(&state).await;
    (
        [
            (header::CONTENT_TYPE, "text/plain; version=0.0.4"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        recorder().render(),
    )
        .into_response()
}

/// The gauges, read at scrape time: the outbox's backlog and the pools' connections.
async fn gauges(state: &AppState) {
    let db = &state.platform.db;
    match db::outbox::backlog(&db.owner).await {
        Ok(backlog) => {
            for (state, count) in [
                ("pending", backlog.pending),
                ("failed", backlog.failed),
                ("held", backlog.held),
            ] {
                metrics::gauge!("hcrm_outbox_emails", "state" => state).set(count as f64);
            }
            metrics::gauge!("hcrm_outbox_oldest_pending_seconds").set(backlog.oldest_pending_secs);
        }
        Err(e) => tracing::warn!(error = ?e, "the outbox backlog could not be read"),
    }
    for (name, pool) in [
        ("app", &db.app),
        ("console", &db.console),
        ("owner", &db.owner),
    ] {
        let size = f64::from(pool.size());
        let idle = pool.num_idle() as f64;
        metrics::gauge!("hcrm_db_pool_connections", "pool" => name, "state" => "idle").set(idle);
        metrics::gauge!("hcrm_db_pool_connections", "pool" => name, "state" => "in_use")
            .set((size - idle).max(0.0));
    }
}
