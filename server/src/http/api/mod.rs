//! The public JSON API under `/api`: health and lead intake. It is a router of its own,
//! with its own layers: API-key authentication where a route needs it, no same-origin
//! check (no cookie is ever read here), and JSON for every answer, errors and unknown
//! routes included (`{"error", "message", "fields"}`). Server functions live under another
//! prefix (`/fn/`), so nothing here can be mistaken for one.

pub mod health;
pub mod intake;

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension, Json, Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{Next, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use db::tenants::ResolvedTenant;
use serde_json::{Value, json};

/// The API's routes, to be nested at `/api`.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route(
            "/leads/intake",
            post(intake::intake).route_layer(from_fn_with_state(state.clone(), require_api_key)),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// An API error, answered as `{"error", "message", "fields"}` JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Value,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: json!({}),
            retry_after_secs: None,
        }
    }
}

impl From<usecases::Error> for ApiError {
    fn from(error: usecases::Error) -> ApiError {
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let fields = match &error {
            usecases::Error::Invalid { fields, .. } => json!(fields),
            _ => json!({}),
        };
        let retry_after_secs = match &error {
            usecases::Error::RateLimited { retry_after, .. } => Some(retry_after.as_secs().max(1)),
            usecases::Error::Unavailable => Some(5),
            _ => None,
        };
        ApiError {
            status,
            code: error.code(),
            message: error.to_string(),
            fields,
            retry_after_secs,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "message": self.message, "fields": self.fields });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API route.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This API route does not take that method.",
    )
}

/// The workspace whose API key a request presented (set by [`require_api_key`]).
#[derive(Clone, Debug)]
pub struct ApiTenant(pub ResolvedTenant);

/// Lets a request through only with the API key of the workspace whose host it is for
/// (`X-API-Key`, or `Authorization: Bearer`). A missing, malformed, unknown, rotated or other
/// workspace's key gets the same 401.
async fn require_api_key(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    mut request: Request,
    next: Next,
) -> Response {
    let tenant = match site {
        RequestSite::Tenant(tenant) => tenant,
        RequestSite::Unavailable => {
            return ApiError::from(usecases::Error::Unavailable).into_response();
        }
        _ => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no workspace at this address.",
            )
            .into_response();
        }
    };
    let presented = presented_key(request.headers());
    if let Err(e) =
        usecases::receive_lead::authenticate(&state.platform, &tenant, presented.as_deref()).await
    {
        return ApiError::from(e).into_response();
    }
    request.extensions_mut().insert(ApiTenant(tenant));
    next.run(request).await
}

fn presented_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(|key| key.trim().to_owned())
}
