//! HREF staff accounts on the apex: setting a password from a `create-staff` link.

use leptos::prelude::*;

use crate::error::AppError;

/// The staff email a set-password link belongs to, if the link still works.
#[server]
pub async fn get_staff_setup(token: String) -> Result<Option<String>, AppError> {
    use crate::ssr::{platform, require_apex};
    use domain::Token;

    require_apex()?;
    let Ok(token) = Token::parse(&token) else {
        return Ok(None);
    };
    Ok(usecases::staff_accounts::setup_email(&*platform()?, &token).await?)
}

/// Sets a staff password with a one-time link, then shows that it is done.
#[server]
pub async fn set_staff_password(token: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{platform, require_apex};
    use domain::Token;

    require_apex()?;
    let token = Token::parse(&token).map_err(|_| {
        AppError::NotFound("This link has been used or has expired. Ask for a new one.".into())
    })?;
    usecases::staff_accounts::set_password(&*platform()?, &token, password).await?;
    crate::ssr::redirect("/admin/password-set");
    Ok(())
}
