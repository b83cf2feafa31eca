//! `GET /__dev/mail?to=<address>` on the apex, only with `DEV_MAIL=1`: the outbox as
//! JSON, newest first, so local runs and test suites can follow emailed links. Bodies are
//! opened with the mail key; an email already sent has none left to show.

use app::ssr::{AppState, RequestSite};
use axum::{
    Extension, Json,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::Email;
use serde::Deserialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::api::ApiError;

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
    let to = match Email::parse(query.to.as_deref().unwrap_or_default()) {
        Ok(to) => to,
        Err(e) => {
            let mut error = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Give the address to read as ?to=name@example.com.",
            );
            error.fields = json!({ "to": e.to_string() });
            return error.into_response();
        }
    };
    match usecases::outbox::dev_mailbox(&state.platform, &to).await {
        Ok(emails) => Json(
            emails
                .into_iter()
                .map(|e| {
                    json!({
                        "to": e.to,
                        "subject": e.subject,
                        "text": e.text,
                        "html": e.html,
                        "created_at": e.created_at.format(&Rfc3339).unwrap_or_default(),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
