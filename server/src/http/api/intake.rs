//! `POST /api/leads/intake` (`docs/product.md`, "Lead intake"): a tenant's website posts
//! leads here with its API key. The answers reveal nothing to a caller without a valid key:
//! workspace (404), key (401), its status (403), its rate (429), then the body's type (415),
//! size (413) and content (422), then the idempotency key, then the lead. The first four are
//! checked in the batch that writes the lead (`usecases::receive_lead`), with no look-up
//! before it.

use app::ssr::AppState;
use axum::{
    Json,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{ApiKey, HostKind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use usecases::receive_lead::{self, Idempotency, Outcome};

use super::ApiError;

/// The largest body accepted (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

pub async fn intake(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let platform = &state.platform;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let HostKind::Tenant(slug) = platform.links.classify_host(host) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no workspace at this address.",
        )
        .into_response();
    };
    // The body's faults are only told once the key, the workspace and its rate let the
    // request through: a caller without a valid key learns nothing from them.
    let read = read_lead(&headers, body).await;
    let (lead, idempotency) = match &read {
        Ok((lead, idempotency)) => (Some(lead.clone()), idempotency.clone()),
        Err(_) => (None, None),
    };
    let request = receive_lead::Request {
        slug,
        key: presented_key(&headers).and_then(|key| ApiKey::parse(&key).ok()),
        idempotency,
        lead,
    };
    match receive_lead::receive(platform, request).await {
        Ok(Outcome::Stored(receipt)) => {
            let status = StatusCode::from_u16(receipt.status).unwrap_or(StatusCode::CREATED);
            let mut response = (status, Json(receipt.body)).into_response();
            if receipt.replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response
        }
        Ok(Outcome::Admitted) => match read {
            Err(refusal) => refusal.into_response(),
            Ok(_) => ApiError::from(usecases::Error::Internal).into_response(),
        },
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The lead and its idempotency key, or why the request's body is refused: its type
/// (415), its size (413), then its content (422).
async fn read_lead(
    headers: &HeaderMap,
    body: Body,
) -> Result<(domain::NewLead, Option<Idempotency>), ApiError> {
    check_content_type(headers)?;
    let bytes = read_body(headers, body).await?;
    let lead = parse_lead(&bytes)?;
    let idempotency = idempotency_key(headers)?.map(|key| Idempotency {
        key,
        request_hash: Sha256::digest(&bytes).into(),
    });
    Ok((lead, idempotency))
}

/// The key a request presents: `X-API-Key`, or `Authorization: Bearer`.
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

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the lead as JSON with Content-Type: application/json.",
        ))
    }
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is larger than 64 KiB.",
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())
}

fn invalid(message: &str, fields: Value) -> ApiError {
    let mut error = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        message,
    );
    error.fields = fields;
    error
}

fn parse_lead(bytes: &[u8]) -> Result<domain::NewLead, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| {
        invalid(
            "The body is not valid JSON.",
            json!({ "body": "Send a JSON object." }),
        )
    })?;
    domain::lead::parse(&value)
        .map_err(|fields| invalid("Some fields are not valid.", json!(fields)))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        Ok(key) if !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY => Ok(Some(key.to_owned())),
        _ => Err(invalid(
            "The Idempotency-Key header must be 1 to 255 visible characters.",
            json!({ "Idempotency-Key": "Use 1 to 255 visible characters." }),
        )),
    }
}
