//! The public JSON API under `/api`: health and lead intake. It is a router of its own,
//! with its own layers: API-key authentication where a route needs it, no same-origin
//! check (no cookie is ever read here), and JSON for every answer, errors and unknown
//! routes included (`{"error", "message", "fields"}`). Server functions live under another
//! prefix (`/fn/`), so nothing here can be mistaken for one.

pub mod health;
pub mod intake;

use app::ssr::AppState;
use axum::{
    Json, Router,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

/// The API's routes, to be nested at `/api`, but lead intake: it finds its workspace in its
/// own batch, so it is routed before the host is looked up (`startup::router`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
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

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API route.",
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This API route does not take that method.",
    )
}
