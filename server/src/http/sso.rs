//! Single sign-on's two browser steps on a workspace host (`docs/sso.md`):
//!
//! - `GET /sso/start`: off to the provider, with `state` remembered in this browser's
//!   session (so that a callback started by someone else's browser signs nobody in);
//! - `GET /sso/callback?code=…&state=…`: back from the provider; signed in on the board, or
//!   a page that says why not;
//!
//! and the provider's own step, server to server (no browser, no session, no same-origin
//! check): `POST /sso/back-channel-logout` with a signed `logout_token` that ends an
//! account's sessions here.

use app::ssr::{AppState, RequestSite, auth::start_session};
use axum::{
    Extension, Form, Json,
    extract::{Query, State, rejection::FormRejection},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::assets;

/// The session key holding the state of this browser's sign-in under way.
const STATE_KEY: &str = "sso_state";

pub async fn start(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    session: Session,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match usecases::sso::start(&state.platform, &tenant).await {
        Ok((url, login_state)) => {
            if session.insert(STATE_KEY, login_state).await.is_err() {
                return refused(&state, &usecases::Error::Unavailable);
            }
            Redirect::to(&url).into_response()
        }
        Err(e) => refused(&state, &e),
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    session: Session,
    Query(back): Query<Callback>,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let expected: Option<String> = session.remove(STATE_KEY).await.ok().flatten();
    if let Some(error) = back.error {
        let why = back.error_description.unwrap_or(error);
        return refused(
            &state,
            &usecases::Error::forbidden(format!(
                "Single sign-on did not work: your provider said “{why}”."
            )),
        );
    }
    let (Some(code), Some(login_state)) = (back.code, back.state) else {
        return refused(
            &state,
            &usecases::Error::forbidden(
                "Single sign-on did not work: the provider's answer was incomplete. Start again.",
            ),
        );
    };
    // The state must be the one this browser left with: a callback started by another
    // browser (login CSRF) signs nobody in, and creates nothing.
    if expected.as_deref() != Some(login_state.as_str()) {
        return refused(
            &state,
            &usecases::Error::forbidden(
                "Single sign-on did not work: this sign-in was not started in this browser, or was already finished. Start again.",
            ),
        );
    }
    let user = match usecases::sso::finish(&state.platform, &tenant, &code, &login_state).await {
        Ok(user) => user,
        Err(e) => return refused(&state, &e),
    };
    match start_session(&session, tenant.id, user).await {
        Ok(()) => Redirect::to("/leads").into_response(),
        Err(_) => refused(&state, &usecases::Error::Unavailable),
    }
}

#[derive(Deserialize)]
pub struct BackChannelLogout {
    logout_token: String,
}

/// OpenID Connect Back-Channel Logout: 200 once the account's sessions have ended (or it
/// has none here), 400 with the reason for a token that is not valid, never a page.
pub async fn back_channel_logout(
    State(state): State<AppState>,
    Extension(site): Extension<RequestSite>,
    form: Result<Form<BackChannelLogout>, FormRejection>,
) -> Response {
    let RequestSite::Tenant(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(Form(form)) = form else {
        return invalid_request("send logout_token as a form field");
    };
    match usecases::sso::end_sessions_from_provider(&state.platform, &tenant, &form.logout_token)
        .await
    {
        Ok(_) => (StatusCode::OK, NO_STORE).into_response(),
        Err(usecases::Error::Invalid { message, .. }) => invalid_request(&message),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, NO_STORE).into_response()
        }
    }
}

/// Answers to the provider are never cached.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// A 400 in OAuth's error shape, saying why.
fn invalid_request(why: &str) -> Response {
    let body = serde_json::json!({ "error": "invalid_request", "error_description": why });
    (StatusCode::BAD_REQUEST, NO_STORE, Json(body)).into_response()
}

/// The page for a sign-in that did not happen: what went wrong and the way back, laid out
/// like the site's other message pages.
fn refused(state: &AppState, error: &usecases::Error) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
    let message = html_escape(&error.to_string());
    let stylesheet = assets::stylesheet_href(&state.leptos_options);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{stylesheet}\">\
         <title>Single sign-on did not work</title></head><body>\
         <main id=\"main\" class=\"message-page\">\
         <h1>Single sign-on did not work</h1><p role=\"alert\">{message}</p>\
         <a class=\"button primary\" href=\"/login\">Back to sign in</a></main></body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
