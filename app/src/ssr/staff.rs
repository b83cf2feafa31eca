//! Who is signed in to the staff console. A staff session is a host-only cookie on the apex
//! (`hcrm_staff`, `__Host-hcrm_staff` over https), standing for a row of `staff_sessions`; the use cases decide whether it
//! is alive (15 minutes idle, 8 hours at most, `docs/console.md`). Any other host has no
//! staff session at all, whatever cookie it is sent.

use domain::Token;
use tower_sessions::cookie::{Cookie, SameSite};
use usecases::staff_sign_in::{Current, Staff};

use crate::{
    error::AppError,
    ssr::{
        RequestSite,
        auth::{cookie_value, set_cookie},
        platform, request_site,
    },
};

/// The staff session's cookie over http.
pub const STAFF_COOKIE: &str = "hcrm_staff";
/// The staff session's cookie over https: the `__Host-` prefix makes the browser refuse it
/// unless it is Secure, host-only and for the whole path, whoever sets it.
pub const STAFF_COOKIE_HTTPS: &str = "__Host-hcrm_staff";

/// The staff cookie's name, over https or not.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        STAFF_COOKIE_HTTPS
    } else {
        STAFF_COOKIE
    }
}

fn staff_cookie(value: String, https: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(https), value))
        .path("/")
        .max_age(time::Duration::hours(i64::from(
            db::staff_sessions::MAX_HOURS,
        )))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build()
}

/// Gives the browser the cookie of a new staff session.
pub fn set_staff_cookie(token: &Token) -> Result<(), AppError> {
    set_cookie(&staff_cookie(
        token.expose().to_owned(),
        platform()?.settings.https,
    ));
    Ok(())
}

/// Takes the staff cookie off the browser.
pub fn clear_staff_cookie() -> Result<(), AppError> {
    let mut removal = staff_cookie(String::new(), platform()?.settings.https);
    removal.make_removal();
    set_cookie(&removal);
    Ok(())
}

/// The staff cookie this request carries, on the apex only.
pub fn staff_token() -> Option<Token> {
    if request_site() != RequestSite::Apex {
        return None;
    }
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let https = platform().ok()?.settings.https;
    Token::parse(&cookie_value(&parts.headers, cookie_name(https))?).ok()
}

/// The session this request's cookie stands for, if it is alive.
pub async fn current() -> Result<Option<Current>, AppError> {
    let Some(token) = staff_token() else {
        return Ok(None);
    };
    Ok(usecases::staff_sign_in::current(&*platform()?, &token).await?)
}

/// The signed-in staff member (two-factor done), or `SignInRequired`; on any host but the
/// apex, a 404 as for any page that is not there. Where the platform requires two-factor,
/// a member without it is refused (`TwoFactorRequired`) until they turn it on: only their
/// account page ([`require_staff_account`]) opens to them.
pub async fn require_staff() -> Result<Staff, AppError> {
    let staff = require_staff_account().await?;
    if staff.must_set_up_two_factor(&*platform()?) {
        return Err(AppError::TwoFactorRequired);
    }
    Ok(staff)
}

/// The signed-in staff member, two-factor on or not: for their own account page, where
/// two-factor is set up.
pub async fn require_staff_account() -> Result<Staff, AppError> {
    crate::ssr::require_apex()?;
    match current().await? {
        Some(Current::SignedIn(staff)) => Ok(staff),
        _ => Err(AppError::SignInRequired),
    }
}
