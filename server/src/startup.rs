//! Building the router and running the server.

use std::{net::SocketAddr, sync::OnceLock};

use app::ssr::AppState;
use axum::{
    Router,
    middleware::from_fn_with_state,
    routing::{get, post},
};
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::sync::watch;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    config::Config,
    database::DatabaseHandle,
    http::{dev_mail, handoff, health, intake, logo, server_fns},
    security, telemetry, tenancy, workers,
};

/// How long a session lasts without a request (SECURITY.md).
const SESSION_IDLE_MINUTES: i64 = 30;

/// The whole application: pages, server functions, API routes and middleware.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = routes();
    let context = page_context(&state);

    let mut api = Router::new()
        .route("/api/health", get(health::health))
        .route("/api/leads/intake", post(intake::intake))
        .route("/brand/logo", get(logo::logo))
        .route("/handoff/{token}", get(handoff::handoff));
    if state.settings.dev_mail {
        api = api.route("/__dev/mail", get(dev_mail::dev_mail));
    }

    let sessions =
        SessionManagerLayer::new(db::sessions::PgSessionStore::new(state.db.app.clone()))
            .with_name(if state.settings.https {
                "__Host-hcrm_session"
            } else {
                "hcrm_session"
            })
            .with_secure(state.settings.https)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
                SESSION_IDLE_MINUTES,
            )));

    let request_id = HeaderName::from_static("x-request-id");
    api.leptos_routes_with_context(&state, routes, context.clone(), {
        let options = leptos_options.clone();
        move || app::shell(options.clone())
    })
    .fallback(leptos_axum::file_and_error_handler_with_context::<
        AppState,
        _,
    >(context, app::shell))
    // Innermost first. A form rendered again in place by `server_fn_outcomes` needs the
    // session, so that layer is outside it; the session store needs the tenant that
    // `resolve_site` sets.
    .layer(from_fn_with_state(
        state.clone(),
        server_fns::server_fn_outcomes,
    ))
    .layer(sessions)
    .layer(from_fn_with_state(
        state.clone(),
        security::require_same_origin,
    ))
    .layer(axum::middleware::from_fn(security::refuse_errors_in_urls))
    .layer(from_fn_with_state(state.clone(), tenancy::resolve_site))
    .layer(from_fn_with_state(
        state.clone(),
        security::security_headers,
    ))
    .layer(
        TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                id,
                method = %request.method(),
                path = %telemetry::redacted_path(request.uri().path()),
                tenant = tracing::field::Empty,
            )
        }),
    )
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
    .with_state(state)
}

/// The app's routes, worked out once per process. Working them out renders the app with
/// resource loading switched off for the whole process (leptos#4773): a page rendered
/// meanwhile, on another thread, would wait for ever. A second server in the same process
/// (the tests start one per test) must not do it again while the first one serves pages.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// What every render and server function gets: the shared state, and the request's
/// script nonce.
pub fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        app::ssr::page::provide_request_nonce();
    }
}

/// The shared state for `config` and an open database.
pub fn state(config: &Config, db: db::Database, leptos_options: LeptosOptions) -> AppState {
    AppState {
        leptos_options,
        db,
        links: config.links(),
        limits: config.limits(),
        settings: config.settings(),
    }
}

/// Runs the server until SIGINT or SIGTERM, then finishes in-flight requests, stops the
/// workers and closes the database.
pub async fn run(config: Config) -> Result<(), String> {
    let leptos_options = get_configuration(Some("Leptos.toml"))
        .map_err(|e| format!("Leptos.toml: {e}"))?
        .leptos_options;
    let addr = leptos_options.site_addr;
    let database = DatabaseHandle::open(&config).await?;
    let state = state(&config, database.db.clone(), leptos_options);

    let mailer = match &config.smtp_url {
        Some(url) => Some(workers::Mailer::new(url, &config.mail_from)?),
        None => None,
    };
    tokio::task::spawn_blocking(app::ssr::passwords::warm_up);
    let (stop, stopped) = watch::channel(false);
    let workers = workers::spawn(state.clone(), mailer, stopped);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(
        "listening on http://{addr} — apex {}",
        state.links.apex_url("/")
    );
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;

    let _ = stop.send(true);
    let _ = workers.await;
    database.close().await;
    served.map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
