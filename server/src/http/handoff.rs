//! The signup hand-off's four steps as routes (`docs/security.md`, "Signup hand-off"):
//! the signup (on the apex) set the browser's apex cookie and sent it to
//!
//! 2. `GET /handoff/<link>` on the workspace host: a second secret for this browser's
//!    cookie there, then on to the apex with proof of it;
//! 3. `GET /handoff/<link>/confirm?n=<proof>&w=<slug>` on the apex: the browser holding
//!    the signup's cookie confirms the link, then back to the workspace host;
//! 4. `GET /handoff/<link>/finish` on the workspace host: the browser holding the second
//!    secret is signed in, and lands on the welcome page.
//!
//! Any step that fails sends the browser to the workspace's sign-in page with a notice.

use app::ssr::{
    AppState, RequestSite,
    auth::{
        HANDOFF_COOKIE, REVEAL_API_KEY, SIGNUP_COOKIE, cookie_value, handoff_cookie, start_session,
    },
};
use axum::{
    Extension,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::{Slug, Token};
use serde::Deserialize;
use tower_sessions::{Session, cookie::Cookie};
use usecases::handoff;

use super::api::ApiError;

/// Where a failed hand-off lands.
const EXPIRED: &str = "/login?handoff=expired";

/// Step 2, on the workspace host.
pub async fn bind(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    Path(link): Path<String>,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(link) = Token::parse(&link) else {
        return Redirect::to(EXPIRED).into_response();
    };
    let nonce = match handoff::bind(&state.platform, &tenant, &link).await {
        Ok(Some(nonce)) => nonce,
        Ok(None) => return Redirect::to(EXPIRED).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let confirm = state.platform.links.apex_url(&format!(
        "/handoff/{}/confirm?n={}&w={}",
        link.expose(),
        handoff::nonce_proof(&nonce).expose(),
        tenant.slug
    ));
    with_cookie(
        Redirect::to(&confirm).into_response(),
        handoff_cookie(
            HANDOFF_COOKIE,
            nonce.expose(),
            state.platform.settings.https,
        ),
    )
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    n: Option<String>,
    w: Option<String>,
}

/// Step 3, on the apex.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
    Path(link): Path<String>,
    Query(query): Query<ConfirmQuery>,
) -> Response {
    if site != RequestSite::Apex {
        return StatusCode::NOT_FOUND.into_response();
    }
    let links = &state.platform.links;
    // The workspace named in the address only decides where the browser goes next: always
    // one of our own hosts.
    let Some(slug) = query.w.as_deref().and_then(|w| Slug::parse(w).ok()) else {
        return Redirect::to("/login").into_response();
    };
    let expired = || Redirect::to(&links.tenant_url(&slug, EXPIRED)).into_response();
    let secrets = (
        Token::parse(&link).ok(),
        cookie_value(&headers, SIGNUP_COOKIE).and_then(|c| Token::parse(&c).ok()),
        query.n.as_deref().and_then(|n| Token::parse(n).ok()),
    );
    let (Some(link), Some(browser), Some(proof)) = secrets else {
        return expired();
    };
    match handoff::confirm(&state.platform, &link, &browser, &proof).await {
        Ok(true) => {
            let finish = links.tenant_url(&slug, &format!("/handoff/{}/finish", link.expose()));
            with_cookie(
                Redirect::to(&finish).into_response(),
                removal(SIGNUP_COOKIE, state.platform.settings.https),
            )
        }
        Ok(false) => expired(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Step 4, on the workspace host.
pub async fn finish(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    headers: HeaderMap,
    session: Session,
    Path(link): Path<String>,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let secrets = (
        Token::parse(&link).ok(),
        cookie_value(&headers, HANDOFF_COOKIE).and_then(|c| Token::parse(&c).ok()),
    );
    let (Some(link), Some(nonce)) = secrets else {
        return Redirect::to(EXPIRED).into_response();
    };
    let user = match handoff::finish(&state.platform, &tenant, &link, &nonce).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to(EXPIRED).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
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
        Ok(()) => with_cookie(
            Redirect::to("/welcome").into_response(),
            removal(HANDOFF_COOKIE, state.platform.settings.https),
        ),
        Err(_) => ApiError::from(usecases::Error::Unavailable).into_response(),
    }
}

/// A hand-off cookie that is done with.
fn removal(name: &'static str, https: bool) -> Cookie<'static> {
    let mut cookie = handoff_cookie(name, "", https);
    cookie.make_removal();
    cookie
}

fn with_cookie(mut response: Response, cookie: Cookie<'static>) -> Response {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
