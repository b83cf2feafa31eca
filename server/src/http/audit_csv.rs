//! `GET /admin/audit.csv` on the apex: the console's audit view, with the filters of its
//! query, as a CSV download, for a signed-in staff member only (`docs/console.md`).

use app::ssr::{AppState, RequestSite, auth::cookie_value, staff::cookie_name};
use axum::{
    Extension,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::Token;
use serde::Deserialize;
use usecases::{
    console::audit_log::{Filters, csv, export_name},
    staff_sign_in::{Current, current},
};

use super::api::ApiError;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    tenant: String,
    actor: String,
    action: String,
    from: String,
    to: String,
}

pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Response {
    if site != RequestSite::Apex {
        return StatusCode::NOT_FOUND.into_response();
    }
    let p = &state.platform;
    let token =
        cookie_value(&headers, cookie_name(p.settings.https)).and_then(|v| Token::parse(&v).ok());
    let staff = match token {
        Some(token) => match current(p, &token).await {
            Ok(Some(Current::SignedIn(staff))) if staff.must_set_up_two_factor(p) => {
                return (
                    StatusCode::FORBIDDEN,
                    "Turn on two-factor on your account page before using the console.",
                )
                    .into_response();
            }
            Ok(Some(Current::SignedIn(staff))) => staff,
            Ok(_) => {
                return (StatusCode::UNAUTHORIZED, "Sign in to the console first.").into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => return (StatusCode::UNAUTHORIZED, "Sign in to the console first.").into_response(),
    };
    let filters = Filters {
        tenant: query.tenant,
        actor: query.actor,
        action: query.action,
        from: query.from,
        to: query.to,
    };
    match csv(p, &staff, &filters).await {
        Ok(body) => {
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export_name()))
            {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
