//! Forgotten passwords on a workspace's host.

use domain::settings::ResetView;
use leptos::prelude::*;

use crate::error::AppError;

/// Asks for a reset link. The answer is the same whether or not the address is a member's.
#[server]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::ssr::{client_ip, platform, require_tenant};
    use domain::Email;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let email = Email::parse(&email).map_err(|e| AppError::field("email", e.to_string()))?;
    usecases::password_reset::request(&platform, &tenant, client_ip(), &email).await?;
    crate::ssr::redirect("/forgot-password?sent=1");
    Ok(())
}

/// What the reset link `token` leads to.
#[server]
pub async fn get_reset(token: String) -> Result<ResetView, AppError> {
    use crate::ssr::{platform, require_tenant};
    use domain::Token;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let Ok(token) = Token::parse(&token) else {
        return Ok(ResetView::Invalid);
    };
    Ok(usecases::password_reset::view(&platform, &tenant, &token).await?)
}

/// Sets the new password and signs the person in.
#[server]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::ssr::{auth, platform, require_tenant};
    use domain::Token;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let token = Token::parse(&token)
        .map_err(|_| AppError::NotFound("This reset link is not valid.".into()))?;
    let user = usecases::password_reset::reset(&platform, &tenant, &token, new_password).await?;
    auth::start_session(&auth::session().await?, tenant.id, user).await?;
    crate::ssr::redirect("/leads");
    Ok(())
}
