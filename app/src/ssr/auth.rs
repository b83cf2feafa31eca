//! Who is signed in. A session belongs to the tenant it was made for, lasts 30 minutes
//! idle (the session layer) and 12 hours at most (checked here), and stops working as soon
//! as the member is removed or the tenant can no longer be signed in to.

use db::{TenantId, UserId, members::Member, sessions::USER_ID_KEY, tenants::ResolvedTenant};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    error::AppError,
    ssr::{app_state, require_tenant},
};

const TENANT_ID_KEY: &str = "tenant_id";
/// Set by the signup hand-off: the welcome page issues and shows the API key once.
pub const REVEAL_API_KEY: &str = "reveal_api_key";
const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// The absolute session lifetime for tenant users (SECURITY.md).
const MAX_SESSION_SECS: i64 = 12 * 3600;

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
    session
        .insert(SIGNED_IN_AT_KEY, OffsetDateTime::now_utc().unix_timestamp())
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
    let fresh = signed_in_at
        .is_some_and(|at| OffsetDateTime::now_utc().unix_timestamp() - at < MAX_SESSION_SECS);
    if session_tenant.as_deref() != Some(tenant.id.0.to_string().as_str())
        || !fresh
        || !tenant.status.can_sign_in()
    {
        end_session(&session).await?;
        return Ok(None);
    }
    let state = app_state()?;
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let member = db::members::find(&mut tx, user).await?;
    tx.commit().await.map_err(db::Error::from)?;
    match member {
        Some(member) => Ok(Some((tenant, member))),
        None => {
            end_session(&session).await?;
            Ok(None)
        }
    }
}

/// The signed-in member, or `SignInRequired`.
pub async fn require_member() -> Result<(ResolvedTenant, Member), AppError> {
    current_member().await?.ok_or(AppError::SignInRequired)
}
