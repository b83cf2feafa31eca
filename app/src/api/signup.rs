//! Self-service signup on the apex: live subdomain and password checks, creating the
//! workspace, and "Find your workspace".

use domain::signup::{Availability, PasswordRating};
use leptos::prelude::*;

use crate::error::AppError;

/// Whether a subdomain can be claimed. Says nothing beyond available, taken, reserved,
/// quarantined or invalid.
#[server]
pub async fn check_subdomain(subdomain: String) -> Result<Availability, AppError> {
    use crate::ssr::{client_ip, platform, require_apex};
    use usecases::signup::SlugRules;

    require_apex()?;
    let platform = platform()?;
    Ok(
        usecases::signup::check_subdomain(&platform, client_ip(), &subdomain, SlugRules::Signup)
            .await?,
    )
}

/// Rates a password as signup would judge it, for the live hint.
#[server]
pub async fn rate_password(password: String) -> Result<PasswordRating, AppError> {
    use crate::ssr::{client_ip, platform, require_apex};

    require_apex()?;
    Ok(usecases::signup::rate_password(&*platform()?, client_ip(), password).await?)
}

/// Creates the workspace, then sends the browser to it, signed in.
#[server]
pub async fn create_workspace(
    company: String,
    subdomain: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{
        auth::{handoff_cookie, set_cookie},
        client_ip, platform, require_apex,
    };
    use domain::signup::{SignupForm, SignupRequest};

    require_apex()?;
    let platform = platform()?;
    let request = SignupRequest::parse(SignupForm {
        company,
        subdomain,
        name,
        email,
        password,
    })?;
    let signed_up = usecases::signup::sign_up(&platform, client_ip(), request).await?;
    let cookie = handoff_cookie(
        crate::ssr::auth::SIGNUP_COOKIE,
        signed_up.browser_secret.expose(),
        platform.settings.https,
    );
    set_cookie(&cookie);
    crate::ssr::redirect(&signed_up.handoff_url);
    Ok(())
}

/// "Find your workspace" by subdomain: on to its sign-in page if it exists.
#[server]
pub async fn go_to_workspace(subdomain: String) -> Result<(), AppError> {
    use crate::ssr::{client_ip, platform, require_apex};
    use domain::Slug;

    require_apex()?;
    let slug = Slug::parse(&subdomain).map_err(|e| AppError::field("subdomain", e.to_string()))?;
    let url = usecases::find_workspace::sign_in_page(&*platform()?, client_ip(), &slug).await?;
    crate::ssr::redirect(&url);
    Ok(())
}

/// "Find your workspace" by email: the list goes to that address, if it has any. The
/// answer is the same whether or not it does.
#[server]
pub async fn email_workspaces(email: String) -> Result<(), AppError> {
    use crate::ssr::{client_ip, platform, require_apex};
    use domain::Email;

    require_apex()?;
    let email = Email::parse(&email).map_err(|e| AppError::field("email", e.to_string()))?;
    usecases::find_workspace::email_list(&*platform()?, client_ip(), &email).await?;
    crate::ssr::redirect("/login?sent=1");
    Ok(())
}
