//! What happens around every server function call.
//!
//! * A failed call answers with the status its `AppError` deserves (Leptos answers 500 for
//!   every error), with `Retry-After` when rate limited.
//! * A successful plain form post (no JavaScript) is redirected only to our own hosts.
//! * A failed plain form post is answered with the form's page rendered again, showing the
//!   error and keeping what was typed (never passwords). Leptos alone would redirect back
//!   to the `Referer` and lose both. The page is rendered at the form's URL, without the
//!   hydration scripts: it is a plain page whose form posts again the same way. Its own
//!   address is then the form's URL, so the form's page is remembered in a short-lived
//!   cookie sent only to server functions.
//!
//! This middleware sits on the site's router only (not the JSON API's), and acts on the
//! server functions' own prefix.

use app::{SERVER_FN_PREFIX, components::form::FormFallback, error::AppError, ssr::AppState};
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::HostKind;
use leptos::prelude::provide_context;
use leptos::server_fn::error::FromServerFnError;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::security::LOGO_FORM_BYTES as MAX_FORM_BYTES;
/// The header leptos puts on a server function's error response.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";
/// Remembers which page a form rendered in place belongs to.
const FORM_PAGE_COOKIE: &str = "hcrm_form_page";

/// Middleware over the whole router; acts on server function calls only.
pub async fn server_fn_outcomes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_server_fn(request.uri().path()) {
        return next.run(request).await;
    }
    if !is_plain_form_post(&request) {
        let response = next.run(request).await;
        return match take_error(response).await {
            Ok(response) => response,
            Err((error, headers)) => error_response(&error, headers),
        };
    }

    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let page = form_page(&parts.headers, &state);
    let values = typed_values(&parts.headers, &bytes).await;
    let action = parts.uri.path().to_owned();
    let headers = parts.headers.clone();
    let extensions = parts.extensions.clone();

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let error = match take_error(response).await {
        Ok(response) => return keep_redirect_on_our_hosts(response, &state, page.as_deref()),
        Err((error, _)) => error,
    };
    let Some(page) = page else {
        return error_response(&error, HeaderMap::new());
    };

    // A `Referer` path need not be a valid URI (a browser sends what it has): then there is
    // no page to render again, only the error.
    let Ok(uri) = page.parse::<Uri>() else {
        return error_response(&error, HeaderMap::new());
    };
    let mut rerender = Request::new(Body::empty());
    *rerender.method_mut() = Method::GET;
    *rerender.uri_mut() = uri;
    *rerender.headers_mut() = headers;
    *rerender.extensions_mut() = extensions;
    let fallback = FormFallback {
        action,
        error: error.clone(),
        values,
    };
    let context = {
        let page = app::ssr::page::context(&state);
        move || {
            page();
            provide_context(fallback.clone());
        }
    };
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_async_with_context(context, move || app::shell(options.clone()));
    let mut response = render(rerender).await;
    *response.status_mut() = status_of(&error);
    let cookie = Cookie::build((FORM_PAGE_COOKIE, page))
        .path(SERVER_FN_PREFIX)
        .max_age(time::Duration::minutes(15))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.platform.settings.https)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn is_server_fn(path: &str) -> bool {
    path.starts_with(SERVER_FN_PREFIX)
}

/// A form submitted by the browser itself, not by the hydrated app's fetch.
fn is_plain_form_post(request: &Request) -> bool {
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-www-form-urlencoded")
                || v.starts_with("multipart/form-data")
        });
    request.method() == Method::POST && accepts_html && form
}

/// Splits an error response into its decoded error, or passes a success through.
async fn take_error(response: Response) -> Result<Response, (AppError, HeaderMap)> {
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.unwrap_or_default();
    Err((AppError::de(bytes), parts.headers))
}

fn status_of(error: &AppError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The error, encoded as leptos's client expects, with its own status.
fn error_response(error: &AppError, mut headers: HeaderMap) -> Response {
    headers.remove(header::CONTENT_LENGTH);
    if let AppError::RateLimited {
        retry_after_secs, ..
    } = error
        && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        headers.insert(header::RETRY_AFTER, value);
    }
    let mut response = (status_of(error), error.ser()).into_response();
    response.headers_mut().extend(headers);
    response
}

/// The page the form was on: the `Referer` if it is a page of this same origin, or, when
/// the form was itself on a page rendered in place (its address a server function's),
/// the page remembered in the cookie.
fn form_page(headers: &HeaderMap, state: &AppState) -> Option<String> {
    let is_page = |path: &str| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !is_server_fn(path.split('?').next().unwrap_or(path))
    };
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?.to_lowercase();
    let origin = format!("{}://{host}", state.platform.links.protocol());
    let path = referer.strip_prefix(&origin)?;
    if is_page(path) {
        return Some(path.to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == FORM_PAGE_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|path| is_page(path))
}

/// What the person typed, to show again: every field but passwords (and files).
async fn typed_values(headers: &HeaderMap, body: &Bytes) -> Vec<(String, String)> {
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let values = if multipart {
        multipart_text_fields(headers, body.clone()).await
    } else {
        form_urlencoded::parse(body)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    };
    values
        .into_iter()
        .filter(|(name, _)| !name.contains("password"))
        .collect()
}

/// The text fields of a multipart body (a file's field is left out). The body is already
/// held in full, within [`MAX_FORM_BYTES`]; a file's bytes are skipped, not kept.
async fn multipart_text_fields(headers: &HeaderMap, body: Bytes) -> Vec<(String, String)> {
    let Some(boundary) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
    else {
        return Vec::new();
    };
    let mut multipart = multer::Multipart::new(Body::from(body).into_data_stream(), boundary);
    let mut values = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.file_name().is_some() {
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if let Ok(text) = field.text().await {
            values.push((name, text));
        }
    }
    values
}

/// Redirects go to a page of this host, or to the apex or one of its tenants; a redirect
/// back to a server function's address (a form on a page rendered in place) goes to the
/// form's page; anything else (a forged `Referer`, say) goes to `/`.
fn keep_redirect_on_our_hosts(
    mut response: Response,
    state: &AppState,
    page: Option<&str>,
) -> Response {
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return response;
    };
    let links = &state.platform.links;
    let (host, path) = match location.strip_prefix(&format!("{}://", links.protocol())) {
        Some(rest) => match rest.find(['/', '?', '#']) {
            Some(i) => (Some(&rest[..i]), &rest[i..]),
            None => (Some(rest), "/"),
        },
        None => (None, location.as_str()),
    };
    let on_our_hosts = match host {
        Some(host) => links.classify_host(host) != HostKind::Other,
        None => location.starts_with('/') && !location.starts_with("//"),
    };
    let replacement = if !on_our_hosts {
        Some("/".to_owned())
    } else if is_server_fn(path.split(['?', '#']).next().unwrap_or(path)) {
        Some(page.unwrap_or("/").to_owned())
    } else {
        None
    };
    if let Some(value) = replacement.and_then(|r| HeaderValue::from_str(&r).ok()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_are_never_typed_back() {
        let values = typed_values(
            &HeaderMap::new(),
            &Bytes::from_static(b"email=a%40b.co&password=secret&new_password=x&name=Ann+Lee"),
        )
        .await;
        assert_eq!(
            values,
            vec![
                ("email".into(), "a@b.co".into()),
                ("name".into(), "Ann Lee".into())
            ]
        );
    }

    #[test]
    fn only_server_function_paths_are_handled() {
        assert!(is_server_fn(&format!("{SERVER_FN_PREFIX}sign_in12345")));
        assert!(!is_server_fn("/api/leads/intake"));
        assert!(!is_server_fn("/leads"));
    }
}
