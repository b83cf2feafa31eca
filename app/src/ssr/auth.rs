//! Who is signed in. A session belongs to the tenant it was made for, lasts 30 minutes
//! idle and 12 hours at most, and stops working as soon as the member is removed or the
//! tenant can no longer be signed in to (`docs/security.md`, "Sessions").
//!
//! The idle time slides: a signed-in request more than a minute after the last one that
//! was recorded touches the session, so that it is saved again with a fresh expiry. (The
//! session layer saves only sessions that changed; touching every request would write
//! one row per request.)

use db::{TenantId, UserId, members::Member, sessions::USER_ID_KEY, tenants::ResolvedTenant};
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
    let member = usecases::sign_in::member(&platform()?, &tenant, user).await?;
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
