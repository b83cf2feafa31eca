//! Per-page settings of the HTML shell: the tenant's brand colour on `<html>`, whether to
//! hydrate, and the script nonce.
//!
//! The Content-Security-Policy header is written by the server's security middleware, not
//! through Leptos's `ResponseOptions`: under load a header set there during rendering was
//! seen missing from the response (the page then could not hydrate). The middleware makes
//! the nonce, puts it in the request as a [`PageNonce`], and every rendering context hands
//! it to Leptos with [`provide_request_nonce`], so scripts and header always agree.

use domain::Links;
use leptos::{nonce::Nonce, prelude::*};

use crate::{
    components::form::FormFallback,
    ssr::{AppState, RequestSite, request_site},
};

pub struct PageSettings {
    /// `--brand` (and its readable text colour) on a tenant host.
    pub brand_style: Option<String>,
    /// False on a page rendered in place of a failed no-JavaScript form post.
    pub hydrate: bool,
}

pub fn settings() -> PageSettings {
    let brand_style = match request_site() {
        RequestSite::Tenant(tenant) => {
            domain::HexColour::parse(&tenant.brand_colour)
                .ok()
                .map(|c| {
                    format!(
                        "--brand: {}; --brand-text: {}",
                        c.as_str(),
                        c.readable_text()
                    )
                })
        }
        _ => None,
    };
    PageSettings {
        brand_style,
        hydrate: use_context::<FormFallback>().is_none(),
    }
}

/// What every render and server function gets: the shared state, and the request's
/// script nonce.
pub fn context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        provide_request_nonce();
    }
}

/// This request's script nonce, made by the security middleware.
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);

/// Makes Leptos use the request's [`PageNonce`] for the scripts it writes.
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(Nonce::from_value(nonce.0));
    }
}

/// A page's policy: scripts run only with the nonce (and what they load); forms may post to
/// this host and to the platform's other hosts (signup hands off to the new workspace).
pub fn content_security_policy(nonce: &str, links: &Links) -> String {
    let protocol = links.protocol();
    let apex = links.apex_host();
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self' {protocol}://{apex} {protocol}://*.{apex}; \
         frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}
