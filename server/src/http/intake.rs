//! `POST /api/leads/intake` (SPEC, "Lead intake"): a tenant's website posts leads here
//! with its API key. Checks run cheapest-first and reveal nothing to a caller without a
//! valid key: key (401), tenant status (403), rate (429), content type (415), size (413),
//! body (422); then the idempotency key, then the lead.

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension, Json,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use db::{begin_tenant, idempotency::Claim, tenants::ResolvedTenant};
use domain::{ApiKey, TenantStatus};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ApiError;

/// The largest body accepted (SPEC: 64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

pub async fn intake(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let tenant = match site {
        RequestSite::Tenant(tenant) => tenant,
        RequestSite::Unavailable => return ApiError::unavailable().into_response(),
        _ => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no workspace at this address.",
            )
            .into_response();
        }
    };
    match accept(&state, &tenant, &headers, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn accept(
    state: &AppState,
    tenant: &ResolvedTenant,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_key(state, tenant, headers).await?;
    check_status(tenant.status)?;
    if let Err(wait) = state.limits.intake.check(&tenant.id.0) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many leads from this workspace's key. Slow down and retry.",
        )
        .retry_after(wait.as_secs_f64().ceil() as u64));
    }
    check_content_type(headers)?;
    let bytes = read_body(headers, body).await?;
    let lead = parse_lead(&bytes)?;
    let idempotency_key = idempotency_key(headers)?;
    store(state, tenant, &lead, idempotency_key.as_deref(), &bytes).await
}

/// 401 for a missing, malformed, unknown, rotated or other tenant's key: all alike.
async fn check_key(
    state: &AppState,
    tenant: &ResolvedTenant,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "The API key is missing or not valid for this workspace.",
        )
    };
    let presented = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(str::trim);
    // The format is checked before any database look-up.
    let key = presented
        .and_then(|k| ApiKey::parse(k).ok())
        .ok_or_else(invalid)?;
    let mut tx = begin_tenant(&state.db.app, tenant.id).await?;
    let matches = db::tenants::check_api_key(&mut tx, &key).await?;
    tx.commit().await.map_err(db::Error::from)?;
    if matches { Ok(()) } else { Err(invalid()) }
}

fn check_status(status: TenantStatus) -> Result<(), ApiError> {
    match status {
        TenantStatus::Active => Ok(()),
        TenantStatus::Pending => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "tenant_pending",
            "This workspace is awaiting approval and cannot receive leads yet.",
        )),
        TenantStatus::Suspended | TenantStatus::Rejected => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "tenant_suspended",
            "This workspace is suspended and cannot receive leads.",
        )),
    }
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

fn invalid(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        message,
    )
}

fn parse_lead(bytes: &[u8]) -> Result<domain::NewLead, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| {
        invalid("The body is not valid JSON.").with_fields(json!({ "body": "Send a JSON object." }))
    })?;
    domain::lead::parse(&value)
        .map_err(|fields| invalid("Some fields are not valid.").with_fields(json!(fields)))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        Ok(key) if !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY => Ok(Some(key.to_owned())),
        _ => Err(
            invalid("The Idempotency-Key header must be 1 to 255 visible characters.")
                .with_fields(json!({ "Idempotency-Key": "Use 1 to 255 visible characters." })),
        ),
    }
}

async fn store(
    state: &AppState,
    tenant: &ResolvedTenant,
    lead: &domain::NewLead,
    idempotency_key: Option<&str>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let mut tx = begin_tenant(&state.db.app, tenant.id).await?;
    if let Some(key) = idempotency_key {
        let request_hash = Sha256::digest(body);
        match db::idempotency::claim(&mut tx, tenant.id, key, &request_hash).await? {
            Claim::New => {}
            Claim::Replay { status, body } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
                let mut response = (status, Json(body)).into_response();
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(response);
            }
            Claim::Mismatch => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used for a different request.",
                )
                .with_fields(json!({ "Idempotency-Key": "Use a new key for a different lead." })));
            }
        }
    }
    let Some(stage) = db::stages::first_active(&mut tx).await? else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_active_stage",
            "This workspace's pipeline has no active stage to receive leads.",
        ));
    };
    let id = db::leads::insert(&mut tx, tenant.id, stage.id, lead).await?;
    let answer = json!({ "id": id, "stage": stage.name });
    if let Some(key) = idempotency_key {
        db::idempotency::complete(&mut tx, key, 201, &answer).await?;
    }
    db::audit::record(
        &mut tx,
        Some(tenant.id),
        "api",
        "lead.received",
        json!({ "lead_id": id, "stage": stage.name, "source": lead.source }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    tracing::info!(lead = %id, "lead received");
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
