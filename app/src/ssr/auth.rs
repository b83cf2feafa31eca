//! Who is signed in. A session belongs to the tenant it was made for, lasts 30 minutes
//! idle and 12 hours at most, and stops working as soon as the member is removed or the
//! tenant can no longer be signed in to (`docs/security.md`, "Sessions").
//!
//! The idle time slides: a signed-in request more than a minute after the last one that
//! was recorded touches the session, so that it is saved again with a fresh expiry. (The
//! session layer saves only sessions that changed; touching every request would write
//! one row per request.)

use db::{TenantId, UserId, members::Member, sessions::USER_ID_KEY, tenants::ResolvedTenant};
use leptos::prelude::use_context;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    error::AppError,
    ssr::{platform, require_tenant},
};

const TENANT_ID_KEY: &str = "tenant_id";
/// Set by the signup hand-off: the welcome page issues and shows the API key once.
pub const REVEAL_API_KEY: &str = "reveal_api_key";
const SIGNED_IN_AT_KEY: &str = "signed_in_at";
const SEEN_AT_KEY: &str = "seen_at";
/// The absolute session lifetime for tenant users.
const MAX_SESSION_SECS: i64 = 12 * 3600;
/// How stale the recorded last request may get before a request records itself.
const TOUCH_AFTER_SECS: i64 = 60;

/// The request's session (the session layer is on every route).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Unavailable
}

/// Signs `user` in to `tenant`: a new session id (against fixation) carrying the user,
/// the tenant and the time.
pub async fn start_session(
    session: &Session,
    tenant: TenantId,
    user: UserId,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, user.0.to_string())
        .await
        .map_err(session_error)?;
    session
        .insert(TENANT_ID_KEY, tenant.0.to_string())
        .await
        .map_err(session_error)?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    session
        .insert(SIGNED_IN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    session
        .insert(SEEN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Ends the current session.
pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The signed-in member of the current tenant, if any.
pub async fn current_member() -> Result<Option<(ResolvedTenant, Member)>, AppError> {
    let Ok(tenant) = require_tenant() else {
        return Ok(None);
    };
    let session = session().await?;
    let user: Option<String> = session.get(USER_ID_KEY).await.map_err(session_error)?;
    let Some(user) = user.and_then(|u| u.parse().ok()).map(UserId) else {
        return Ok(None);
    };
    let session_tenant: Option<String> = session.get(TENANT_ID_KEY).await.map_err(session_error)?;
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.map_err(session_error)?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let fresh = signed_in_at.is_some_and(|at| now - at < MAX_SESSION_SECS);
    if session_tenant.as_deref() != Some(tenant.id.0.to_string().as_str())
        || !fresh
        || !tenant.status.can_sign_in()
    {
        end_session(&session).await?;
        return Ok(None);
    }
    let member = usecases::sign_in::member(&*platform()?, &tenant, user).await?;
    let Some(member) = member else {
        end_session(&session).await?;
        return Ok(None);
    };
    let seen_at: Option<i64> = session.get(SEEN_AT_KEY).await.map_err(session_error)?;
    if seen_at.is_none_or(|at| now - at >= TOUCH_AFTER_SECS) {
        session
            .insert(SEEN_AT_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(Some((tenant, member)))
}

/// The signed-in member, or `SignInRequired`.
pub async fn require_member() -> Result<(ResolvedTenant, Member), AppError> {
    current_member().await?.ok_or(AppError::SignInRequired)
}

/// The signup hand-off's cookie on the apex: the signing-up browser's secret
/// (`docs/security.md`, "Signup hand-off").
pub const SIGNUP_COOKIE: &str = "hcrm_signup";
/// The signup hand-off's cookie on the workspace host.
pub const HANDOFF_COOKIE: &str = "hcrm_handoff";

/// A hand-off cookie: host-only, HttpOnly, sent only to `/handoff/`, gone with the link.
pub fn handoff_cookie(
    name: &'static str,
    value: &str,
    https: bool,
) -> tower_sessions::cookie::Cookie<'static> {
    use tower_sessions::cookie::{Cookie, SameSite};
    Cookie::build((name, value.to_owned()))
        .path("/handoff/")
        .max_age(time::Duration::seconds(i64::from(db::handoffs::VALID_SECS)))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build()
}

/// The signed-in admin of this workspace: `SignInRequired`, or `Forbidden` for a member.
pub async fn require_admin() -> Result<(ResolvedTenant, Member), AppError> {
    let (tenant, member) = require_member().await?;
    if member.role == domain::Role::Admin {
        Ok((tenant, member))
    } else {
        Err(AppError::Forbidden(
            "Settings are for this workspace's admins. Ask one of them for what you need.".into(),
        ))
    }
}

/// The session key that holds an API key just made, sealed, until the page shows it once.
pub const NEW_API_KEY: &str = "new_api_key";

/// The cookie that remembers, for a visitor sent to sign in, the page that sent them, so the
/// sign-in page's address stays plain `/login` (`docs/product.md`, "Sign-in").
pub const NEXT_COOKIE: &str = "hcrm_next";

/// How long the page to return to is remembered.
const NEXT_MAX_AGE_SECS: i64 = 15 * 60;

fn next_cookie(value: String, https: bool) -> tower_sessions::cookie::Cookie<'static> {
    use tower_sessions::cookie::{Cookie, SameSite};
    Cookie::build((NEXT_COOKIE, value))
        .path("/")
        .max_age(time::Duration::seconds(NEXT_MAX_AGE_SECS))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build()
}

/// Sets `cookie` on the current response, in place of what the response already set for
/// its name: the server may draw a page's view more than once, and the cookie is sent once.
pub fn set_cookie(cookie: &tower_sessions::cookie::Cookie<'_>) {
    use http::header::SET_COOKIE;
    let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie.to_string()),
    ) else {
        return;
    };
    let mut parts = response
        .0
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let name = format!("{}=", cookie.name());
    let others: Vec<_> = parts
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .filter(|set| !set.as_bytes().starts_with(name.as_bytes()))
        .cloned()
        .collect();
    parts.headers.remove(SET_COOKIE);
    for set in others {
        parts.headers.append(SET_COOKIE, set);
    }
    parts.headers.append(SET_COOKIE, value);
}

fn https() -> bool {
    platform().is_ok_and(|p| p.settings.https)
}

/// Remembers `path` (a path and query of this host) as the page to return to once signed in.
pub fn remember_next(path: &str) {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let value = utf8_percent_encode(path, NON_ALPHANUMERIC).to_string();
    set_cookie(&next_cookie(value, https()));
}

/// The value of the cookie `name` that a request with `headers` carries.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    use tower_sessions::cookie::Cookie;
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The page remembered by [`remember_next`], forgotten as it is read.
pub fn take_next() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let value = cookie_value(&parts.headers, NEXT_COOKIE)?;
    let mut removal = next_cookie(String::new(), https());
    removal.make_removal();
    set_cookie(&removal);
    percent_encoding::percent_decode_str(&value)
        .decode_utf8()
        .ok()
        .map(|path| path.into_owned())
}
