//! Per-page settings of the HTML shell: the tenant's brand colour on `<html>`, the
//! Content-Security-Policy with this response's nonce, and whether to hydrate.

use leptos::{nonce::use_nonce, prelude::*};
use leptos_axum::ResponseOptions;

use crate::{
    components::form::FormFallback,
    ssr::{RequestSite, app_state, request_site},
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
    set_content_security_policy();
    PageSettings {
        brand_style,
        hydrate: use_context::<FormFallback>().is_none(),
    }
}

/// Scripts run only with this response's nonce (and what they load); forms may post to
/// this host and to the platform's other hosts (signup hands off to the new workspace).
fn set_content_security_policy() {
    let (Some(response), Some(nonce)) = (use_context::<ResponseOptions>(), use_nonce()) else {
        return;
    };
    let form_targets = app_state()
        .map(|state| {
            let protocol = state.links.protocol();
            let apex = state.links.apex_host();
            format!("'self' {protocol}://{apex} {protocol}://*.{apex}")
        })
        .unwrap_or_else(|_| "'self'".to_owned());
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; form-action {form_targets}; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
