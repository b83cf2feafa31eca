//! `GET /__dev/mail?to=<address>` on the apex, only with `DEV_MAIL=1`: the outbox as
//! JSON, newest first, so local runs and test suites can follow emailed links.

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension, Json,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::ApiError;

#[derive(Deserialize)]
pub struct MailQuery {
    to: Option<String>,
}

pub async fn dev_mail(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    Query(query): Query<MailQuery>,
) -> Response {
    if site != RequestSite::Apex {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(to) = query.to.filter(|to| !to.trim().is_empty()) else {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Give the address to read as ?to=name@example.com.",
        )
        .with_fields(json!({ "to": "Required." }))
        .into_response();
    };
    match db::outbox::list_for_address(&state.db.owner, to.trim()).await {
        Ok(emails) => Json(
            emails
                .into_iter()
                .map(|e| {
                    json!({
                        "to": e.to_address,
                        "subject": e.subject,
                        "text": e.text_body,
                        "html": e.html_body,
                        "created_at": e.created_at.format(&Rfc3339).unwrap_or_default(),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
