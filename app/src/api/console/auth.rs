//! Signing staff in and out of the console: email and password, then the two-factor code
//! when it is on.

use domain::console::StaffState;
use leptos::prelude::*;

use crate::error::AppError;

/// How far the visitor got: signed out, waiting for a code, or signed in.
#[server]
pub async fn get_staff_state() -> Result<StaffState, AppError> {
    use crate::ssr::{require_apex, staff};
    use usecases::staff_sign_in::Current;

    require_apex()?;
    Ok(match staff::current().await? {
        Some(Current::SignedIn(s)) => StaffState::SignedIn { email: s.email },
        Some(Current::NeedsCode(_)) => StaffState::NeedsCode,
        None => StaffState::SignedOut,
    })
}

/// Checks a staff member's email and password; then the console, or the code step. `code`
/// comes with them only where the account is locked (the way in past the lock).
#[server]
pub async fn staff_sign_in(
    email: String,
    password: String,
    code: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        api::console::console_next,
        ssr::{client_ip, platform, redirect, require_apex, staff},
    };

    require_apex()?;
    let email = crate::api::auth::sign_in_email(&email, &password)?;
    let code = code.filter(|c| !c.trim().is_empty());
    let started = usecases::staff_sign_in::sign_in(
        &*platform()?,
        &email,
        &password,
        code.as_deref(),
        client_ip(),
    )
    .await?;
    staff::set_staff_cookie(&started.cookie)?;
    let next = console_next(next.as_deref());
    if started.needs_code {
        redirect(&format!(
            "/admin/login?next={}",
            crate::components::query_value(&next)
        ));
    } else {
        redirect(&next);
    }
    Ok(())
}

/// The second step of a sign-in with two-factor on: the code from the app.
#[server]
pub async fn staff_enter_code(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::{
        api::console::console_next,
        ssr::{platform, redirect, require_apex, staff},
    };

    require_apex()?;
    let token = staff::staff_token().ok_or(AppError::SignInRequired)?;
    let fresh = usecases::staff_sign_in::enter_code(&*platform()?, &token, &code).await?;
    staff::set_staff_cookie(&fresh)?;
    redirect(&console_next(next.as_deref()));
    Ok(())
}

/// Ends the staff session.
#[server]
pub async fn staff_sign_out() -> Result<(), AppError> {
    use crate::ssr::{platform, require_apex, staff};

    require_apex()?;
    if let Some(token) = staff::staff_token() {
        usecases::staff_sign_in::sign_out(&*platform()?, &token).await?;
    }
    staff::clear_staff_cookie()?;
    crate::ssr::redirect("/admin/login?signed-out=1");
    Ok(())
}
