//! Cross-site request checks, security headers, and the rule that every redirect we build
//! stays on this host (`docs/security.md`, "Requests").

use app::ssr::{
    AppState,
    page::{PageNonce, content_security_policy},
};
use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Tenants share a site, so SameSite cookies do not stop `mallory.<apex>` from posting to
/// `acme.<apex>`: every state-changing request to the site (pages, server functions) must
/// come from its own origin. The plain HTTP API has its own router without this check: it
/// authenticates with an API key, never a cookie.
pub async fn require_same_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = crate::tenancy::host(&request);
    let links = &state.platform.links;
    // A custom domain is served over https by the edge, whatever the platform's own
    // protocol (`docs/domains.md`).
    let own_origins: Vec<String> = host
        .iter()
        .flat_map(|host| {
            let custom = links.classify_host(host) == domain::HostKind::Other;
            let mut origins = vec![format!("{}://{host}", links.protocol())];
            if custom {
                origins.push(format!("https://{host}"));
            }
            origins
        })
        .collect();
    let allowed = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => own_origins.contains(&origin.to_lowercase()),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|site| site.as_bytes() == b"same-origin"),
    };
    if allowed {
        next.run(request).await
    } else {
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

/// Headers for every response. Pages get a Content-Security-Policy with a fresh nonce,
/// which the request carries to the renderer (`app::ssr::page`); anything else gets a
/// policy that allows nothing. A 503 (the database away) always says when to retry.
pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let response_status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if response_is_unavailable(&response_status) && !headers.contains_key(header::RETRY_AFTER) {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    if state.platform.settings.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if is_page {
        let policy = content_security_policy(&nonce, &state.platform.links);
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    } else if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}

/// Leptos shows a server function's error when the page URL names one
/// (`?__path=…&__err=…`, its own no-JavaScript fallback). We render such errors in place
/// instead (`http::server_fns`), so a URL carrying one can only be a forgery that puts
/// someone else's words on our page: answer with the same address without them.
pub async fn refuse_errors_in_urls(request: Request, next: Next) -> Response {
    let Some(query) = request.uri().query() else {
        return next.run(request).await;
    };
    let is_forged = |key: &str| key == "__err" || key == "__path";
    if !form_urlencoded::parse(query.as_bytes()).any(|(key, _)| is_forged(&key)) {
        return next.run(request).await;
    }
    let kept: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(query.as_bytes()).filter(|(key, _)| !is_forged(key)))
        .finish();
    let path = same_host_path(request.uri().path());
    let location = if kept.is_empty() {
        path
    } else {
        format!("{path}?{kept}")
    };
    axum::response::Redirect::to(&location).into_response()
}

/// The largest body a page may post, but the branding form (`docs/security.md`, "Bodies").
pub const FORM_BYTES: usize = 64 * 1024;
/// The branding form's: its logo (2 MB at most, but a larger file must still reach the use
/// case to be refused by name) and its fields.
pub const LOGO_FORM_BYTES: usize = 8 * 1024 * 1024;

/// The body limit of a request to the site: [`LOGO_FORM_BYTES`] for the branding form's
/// server function, [`FORM_BYTES`] for everything else.
pub fn body_limit(path: &str) -> usize {
    use leptos::server_fn::ServerFn;
    if path == app::api::branding::SaveBranding::PATH {
        LOGO_FORM_BYTES
    } else {
        FORM_BYTES
    }
}

/// Refuses a body over its limit with 413 before anything reads it: by its declared length
/// at once, or, without one, after reading no more than the limit (a declared length is
/// held to by the HTTP layer, so such a body cannot grow past it).
pub async fn limit_bodies(request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let too_large = || (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => too_large(),
        Some(_) => next.run(request).await,
        None => {
            let (parts, body) = request.into_parts();
            match axum::body::to_bytes(body, limit).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                        .await
                }
                Err(_) => too_large(),
            }
        }
    }
}

/// How long a client should wait before retrying a 503.
const RETRY_AFTER_SECS: &str = "5";

fn response_is_unavailable(status: &StatusCode) -> bool {
    *status == StatusCode::SERVICE_UNAVAILABLE
}

/// `path` as a path of this same host: one leading `/`, never `//` or `/\`, which a
/// browser would read as another host (`//evil.example/` is an address on evil.example).
pub fn same_host_path(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_a_browser_would_read_as_another_host_stays_on_this_one() {
        assert_eq!(same_host_path("//evil.example/"), "/evil.example/");
        assert_eq!(same_host_path("/\\evil.example/"), "/evil.example/");
        assert_eq!(same_host_path("/\\/evil.example"), "/evil.example");
        assert_eq!(same_host_path("/leads"), "/leads");
        assert_eq!(same_host_path(""), "/");
    }
}
