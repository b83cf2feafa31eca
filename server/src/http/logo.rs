//! `GET /brand/logo` on a tenant host: the workspace's logo. Until an admin uploads one,
//! a monogram of the workspace's initial on its brand colour.

use app::ssr::RequestSite;
use axum::{
    Extension,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::HexColour;

pub async fn logo(Extension(site): Extension<RequestSite>) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let colour =
        HexColour::parse(&tenant.brand_colour).unwrap_or_else(|_| HexColour::default_brand());
    // Only an ASCII letter or digit reaches the SVG, so nothing needs escaping.
    let initial = tenant
        .name
        .chars()
        .find(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or('#');
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" rx="28" fill="{bg}"/><text x="64" y="86" font-family="system-ui,-apple-system,Segoe UI,sans-serif" font-size="68" font-weight="700" text-anchor="middle" fill="{fg}">{initial}</text></svg>"##,
        bg = colour.as_str(),
        fg = colour.readable_text(),
    );
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    response
}
