//! Building the router and running the server.

use std::{convert::Infallible, net::SocketAddr, sync::OnceLock};

use app::ssr::AppState;
use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    handler::HandlerWithoutStateExt,
    http::{StatusCode, header},
    middleware::from_fn_with_state,
    response::{IntoResponse, Response},
    routing::{get, post},
    serve::{ListenerExt, TapIo},
};
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::sync::watch;
use tower::Service;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};
use usecases::Platform;

use crate::{
    config::Config,
    database::DatabaseHandle,
    http::{
        api,
        assets::{self, Assets},
        audit_csv, dev_mail, handoff, logo,
        ops::{self, Operations},
        server_fns, sso, tls_ask,
    },
    security, telemetry, tenancy, workers,
};

/// The largest logout token a provider may post (one signed JWT).
const BACK_CHANNEL_BODY_LIMIT: usize = 16 * 1024;

/// How long a session lasts without a request (`docs/security.md`, "Sessions").
const SESSION_IDLE_MINUTES: i64 = 30;

/// The whole application: the JSON API under `/api` with its own layers, and the site
/// (pages, server functions and the site's plain routes) with sessions, the same-origin
/// check and the no-JavaScript form fallback; around both, host resolution and security
/// headers. Lead intake finds its workspace in the batch that writes its lead, so it skips
/// the host look-up. Around everything, a panic guard, request ids, logging and timing;
/// beside it, on every host and before all of that, `/healthz` and `/readyz`.
pub fn router(state: AppState, ops: Operations) -> Router {
    let site = site(&state, &ops);
    let probes = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        // The edge asks before any host is resolved: it asks on its own address.
        .route("/internal/tls-ask", get(tls_ask::tls_ask))
        .with_state((state.clone(), ops));
    let intake = Router::new().route(
        "/api/leads/intake",
        post(api::intake::intake).fallback(api::method_not_allowed),
    );
    // The provider's server posts here: no browser, so no session or same-origin check.
    let back_channel = Router::new().route(
        "/sso/back-channel-logout",
        post(sso::back_channel_logout).layer(DefaultBodyLimit::max(BACK_CHANNEL_BODY_LIMIT)),
    );
    let resolved = Router::new()
        .nest("/api", api::router())
        .merge(back_channel)
        .merge(site)
        // Innermost first: the session store needs the tenant that `resolve_site` sets.
        .layer(from_fn_with_state(state.clone(), tenancy::resolve_site));
    intake
        .merge(resolved)
        .layer(from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(CatchPanicLayer::custom(answer_panic))
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
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            "x-request-id",
        )))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static("x-request-id"),
            MakeRequestUuid,
        ))
        .layer(axum::middleware::from_fn(ops::track))
        .with_state(state.clone())
        .merge(probes)
        // Outermost: the site's built files are answered before anything else runs.
        .layer(from_fn_with_state(assets(&state), assets::serve))
}

/// The built site's package files (the wasm, the script, the stylesheet), read into memory,
/// with the content hashes of this build: cargo-leptos's hash file lies beside the server's
/// executable, where Leptos reads it too.
fn assets(state: &AppState) -> Assets {
    let options = &state.leptos_options;
    let hashes = assets::hash_file(options)
        .map(|file| Assets::hashes(&file))
        .unwrap_or_default();
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    Assets::load(&pkg, &options.site_pkg_dir, &hashes)
}

/// Pages, server functions, and the site's plain routes.
fn site(state: &AppState, ops: &Operations) -> Router<AppState> {
    let context = app::ssr::page::context(state);
    let mut plain = Router::new()
        .route("/brand/logo", get(logo::logo))
        .route("/admin/audit.csv", get(audit_csv::audit_csv))
        .route("/handoff/{link}", get(handoff::bind))
        .route("/handoff/{link}/confirm", get(handoff::confirm))
        .route("/handoff/{link}/finish", get(handoff::finish))
        .route("/sso/start", get(sso::start))
        .route("/sso/callback", get(sso::callback));
    if state.platform.settings.dev_mail {
        plain = plain.route("/__dev/mail", get(dev_mail::dev_mail));
    }
    if ops.metrics_token.is_some() {
        let metrics = Router::new()
            .route("/metrics", get(ops::metrics))
            .with_state((state.clone(), ops.clone()));
        plain = plain.merge(metrics);
    }
    let sessions = SessionManagerLayer::new(db::sessions::PgSessionStore::new(
        state.platform.db.app.clone(),
    ))
    .with_name(if state.platform.settings.https {
        "__Host-hcrm_session"
    } else {
        "hcrm_session"
    })
    .with_secure(state.platform.settings.https)
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
        SESSION_IDLE_MINUTES,
    )));
    let options = state.leptos_options.clone();
    let files = files_or_not_found(state, context.clone());
    plain
        .leptos_routes_with_context(state, routes(), context, move || {
            app::shell(options.clone())
        })
        // A file of `public/` is not named by its content: revalidated every time.
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    http::HeaderValue::from_static("no-cache"),
                ))
                .service(files),
        )
        // Innermost first. A form rendered again in place by `server_fn_outcomes` needs the
        // session, so that layer is outside it.
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
        // Server functions read their bodies themselves, past axum's default limit: every
        // body is held to its limit before anything reads it.
        .layer(axum::middleware::from_fn(security::limit_bodies))
        // Pages and server functions' answers travel compressed to browsers that take it
        // (brotli at tower-http's default level: a few hundred microseconds for a page).
        .layer(CompressionLayer::new())
}

/// What no route answers: a file of the built site (the wasm, the stylesheet, `public/`),
/// else the not-found page.
///
/// Files are served by tower-http alone, not by Leptos's `file_and_error_handler`: that one
/// made a Leptos owner whose parent was whatever owner its thread had last left current, and
/// copied that owner's response options onto the file. Under load a stylesheet then left
/// with another visitor's redirect and `Set-Cookie`, and their page without them
/// (`docs/architecture.md`, "Static files").
fn files_or_not_found(
    state: &AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> ServeDir<
    impl Service<Request<Body>, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static,
> {
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_async_with_context(context, move || app::shell(options.clone()));
    let not_found = move |request: Request<Body>| {
        let render = render.clone();
        async move {
            let mut response = render(request).await;
            // A page that chose its own status (a redirect) keeps it.
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            response
        }
    };
    ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        // A folder is not a page: `/pkg` and `/pkg/` are not found, not redirected.
        .append_index_html_on_directories(false)
        // A POST to a path no route knows gets the not-found page, not a bare 405.
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found.into_service())
}

/// A panicking request answers 500 instead of dropping the connection; the panic is
/// logged with the request's span.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Something went wrong. Please try again.",
    )
        .into_response()
}

/// The app's routes, worked out once per process. Working them out renders the app with
/// resource loading switched off for the whole process (leptos#4773): a page rendered
/// meanwhile, on another thread, would wait for ever. A second server in the same process
/// (the tests start one per test) must not do it again while the first one serves pages.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// Runs the server until SIGINT or SIGTERM; then drains (`/readyz` answers 503 for
/// `DRAIN_SECONDS` while requests are still served), finishes in-flight requests, stops
/// the workers and closes the database.
pub async fn run(config: Config) -> Result<(), String> {
    let leptos_options = get_configuration(Some("Leptos.toml"))
        .map_err(|e| format!("Leptos.toml: {e}"))?
        .leptos_options;
    let addr = leptos_options.site_addr;
    let database = DatabaseHandle::open(&config).await?;
    let platform: Platform = config.platform(database.db.clone())?;
    let state = AppState::new(leptos_options, platform);
    ops::install_recorder();
    let operations = Operations {
        lifecycle: Default::default(),
        metrics_token: config.metrics_token.clone(),
        edge_token: config.edge_token.clone(),
    };
    let lifecycle = operations.lifecycle.clone();

    let mailer = match &config.smtp_url {
        Some(url) => Some(workers::Mailer::new(url, &config.mail_from)?),
        None => None,
    };
    tokio::task::spawn_blocking(usecases::passwords::warm_up);
    let (stop, stopped) = watch::channel(false);
    let backoff = usecases::outbox::Backoff {
        max_attempts: config.outbox_attempts,
        ..usecases::outbox::Backoff::default()
    };
    let workers = workers::spawn(state.platform.clone(), mailer, backoff, stopped);
    let listener = without_delay(
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?,
    );
    tracing::info!(
        "listening on http://{addr} — apex {}",
        state.platform.links.apex_url("/")
    );
    let drain = config.drain;
    let served = axum::serve(
        listener,
        router(state, operations).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // The load balancer sees `/readyz` fail and stops sending new requests; those it
        // sent meanwhile are still served. Then the listener closes, and the requests in
        // flight finish.
        lifecycle.start_draining();
        tracing::info!(seconds = drain.as_secs(), "draining before shutdown");
        tokio::time::sleep(drain).await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
    .await;

    let _ = stop.send(true);
    let _ = workers.await;
    database.close().await;
    served.map_err(|e| format!("server error: {e}"))
}

/// Sets `TCP_NODELAY` on every accepted connection. A page goes out in several writes
/// (the shell, then each streamed part); with Nagle's algorithm on, a write behind an
/// unacknowledged one waits for the client's delayed ACK, 40 ms on Linux
/// (`docs/benchmarks.md`).
pub fn without_delay(
    listener: tokio::net::TcpListener,
) -> TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    listener.tap_io(|stream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY could not be set");
        }
    })
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
}
