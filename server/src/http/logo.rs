//! `GET /brand/logo` on a tenant host: the workspace's logo, as the PNG the server made of
//! the upload, with an `ETag` (revalidated on every view, so a new logo shows at once);
//! until an admin uploads one, a monogram of the workspace's initial on its brand colour.
//! Either way a fixed image type, `nosniff`, and a policy that runs nothing.

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::HexColour;

use super::api::ApiError;

pub async fn logo(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let uploaded = match usecases::branding::logo(&state.platform, &tenant).await {
        Ok(logo) => logo,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut response = match uploaded {
        Some(logo) => {
            let etag = format!("\"{}\"", logo.etag);
            let fresh = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
            let mut response = if fresh {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                logo.png.into_response()
            };
            if let Ok(value) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(header::ETAG, value);
            }
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            response
        }
        None => {
            let mut response = monogram(&tenant.name, &tenant.brand_colour).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            response
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}

/// The workspace's initial on its colour, as SVG. Only an ASCII letter or digit reaches
/// the SVG, so nothing needs escaping.
fn monogram(name: &str, colour: &str) -> String {
    let colour = HexColour::parse(colour).unwrap_or_else(|_| HexColour::default_brand());
    let initial = name
        .chars()
        .find(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or('#');
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" rx="28" fill="{bg}"/><text x="64" y="86" font-family="system-ui,-apple-system,Segoe UI,sans-serif" font-size="68" font-weight="700" text-anchor="middle" fill="{fg}">{initial}</text></svg>"##,
        bg = colour.as_str(),
        fg = colour.readable_text(),
    )
}
