//! `/admin/account`: two-factor set-up, and changing the staff password.

use domain::console::StaffAccount;
use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in staff account, with the two-factor secret while it is being set up.
#[server]
pub async fn get_staff_account() -> Result<StaffAccount, AppError> {
    use crate::ssr::{platform, staff::require_staff};

    let staff = require_staff().await?;
    Ok(usecases::two_factor::account(&platform()?, &staff).await?)
}

/// Turns two-factor on once a code from the app matches the secret shown.
#[server]
pub async fn turn_on_two_factor(code: String) -> Result<(), AppError> {
    use crate::ssr::{platform, staff::require_staff};

    let staff = require_staff().await?;
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code your app shows.",
        ));
    }
    usecases::two_factor::turn_on(&platform()?, &staff, &code).await?;
    leptos_axum::redirect("/admin/account?done=two-factor-on");
    Ok(())
}

/// Changes the staff password; the other sessions of the account end.
#[server]
pub async fn change_staff_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::ssr::{platform, staff, staff::require_staff};

    let who = require_staff().await?;
    if current_password.is_empty() {
        return Err(AppError::field(
            "current_password",
            "Enter your current password.",
        ));
    }
    let token = staff::staff_token().ok_or(AppError::SignInRequired)?;
    usecases::staff_accounts::change_password(
        &platform()?,
        &who,
        &token,
        &current_password,
        new_password,
    )
    .await?;
    leptos_axum::redirect("/admin/account?done=password-changed");
    Ok(())
}
