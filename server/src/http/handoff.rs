//! `GET /handoff/<token>` on a tenant host: the end of a signup on the apex. Spends the
//! single-use, 60-second token, signs its person in here, and goes to the welcome page.

use app::ssr::{
    AppState, RequestSite,
    auth::{REVEAL_API_KEY, start_session},
};
use axum::{
    Extension,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use domain::Token;
use tower_sessions::Session;

pub async fn handoff(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let expired = || Redirect::to("/login?handoff=expired").into_response();
    let Ok(token) = Token::parse(&token) else {
        return expired();
    };
    if !tenant.status.can_sign_in() {
        return expired();
    }
    let user = async {
        let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
        let user = db::handoffs::consume(&mut tx, &token).await?;
        tx.commit().await.map_err(db::Error::from)?;
        Ok::<_, db::Error>(user)
    }
    .await;
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return expired(),
        Err(e) => return super::ApiError::from(e).into_response(),
    };
    let signed_in = async {
        start_session(&session, tenant.id, user).await?;
        session
            .insert(REVEAL_API_KEY, true)
            .await
            .map_err(|_| app::error::AppError::Unavailable)
    }
    .await;
    match signed_in {
        Ok(()) => Redirect::to("/welcome").into_response(),
        Err(_) => super::ApiError::unavailable().into_response(),
    }
}
