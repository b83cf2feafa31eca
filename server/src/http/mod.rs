//! Plain axum routes beside the Leptos pages: health, lead intake, dev mail, the brand
//! logo, and the server-function endpoint (with its no-JavaScript fallback).

pub mod dev_mail;
pub mod handoff;
pub mod health;
pub mod intake;
pub mod logo;
pub mod server_fns;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

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

    /// Adds per-field messages.
    pub fn with_fields(mut self, fields: Value) -> ApiError {
        self.fields = fields;
        self
    }

    /// Adds `Retry-After`.
    pub fn retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after_secs = Some(secs.max(1));
        self
    }

    /// 503 for when the database cannot be reached.
    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The service is busy right now. Please try again in a moment.",
        )
        .retry_after(5)
    }
}

impl From<db::Error> for ApiError {
    fn from(error: db::Error) -> ApiError {
        if error.is_unavailable() {
            tracing::warn!(error = ?error, "database unavailable");
            ApiError::unavailable()
        } else {
            tracing::error!(error = ?error, "database error");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong. Please try again.",
            )
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
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}
