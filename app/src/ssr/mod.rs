//! Server-only support for pages and server functions: the state and request context the
//! server provides, the HTML shell's settings, and who is signed in (sessions belong to
//! this door; the flows themselves are in the `usecases` crate).

pub mod auth;
pub mod page;
pub mod staff;
mod state;

pub use state::{
    AppState, ClientIp, RequestSite, app_state, client_ip, platform, request_site, require_apex,
    require_tenant,
};

/// Sends the visitor to `path` once the server function returns. Leptos's own `redirect`
/// panics on a value that cannot be a header; a path built from request input that slipped
/// through must never reach that: the visitor goes to `/` instead (`docs/security.md`,
/// "Redirects").
pub fn redirect(path: &str) {
    if http::HeaderValue::from_str(path).is_ok() {
        leptos_axum::redirect(path);
    } else {
        tracing::warn!("a redirect that is not a valid header value was replaced by /");
        leptos_axum::redirect("/");
    }
}
