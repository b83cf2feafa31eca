//! `/admin/account`: two-factor set-up, and changing the staff password.

use domain::console::StaffAccount;
use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in staff account, with the two-factor secret while it is being set up. Open
/// to staff without two-factor where the console requires it: this is where they set it up.
#[server]
pub async fn get_staff_account() -> Result<StaffAccount, AppError> {
    use crate::ssr::{platform, staff::require_staff_account};

    let staff = require_staff_account().await?;
    Ok(usecases::two_factor::account(&*platform()?, &staff).await?)
}

/// Turns two-factor on once a code from the app matches the secret shown; the account's
/// other sessions end, and this one goes on under a new cookie.
#[server]
pub async fn turn_on_two_factor(code: String) -> Result<(), AppError> {
    use crate::ssr::{platform, staff, staff::require_staff_account};

    let who = require_staff_account().await?;
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code your app shows.",
        ));
    }
    let fresh = usecases::two_factor::turn_on(&*platform()?, &who, &code).await?;
    staff::set_staff_cookie(&fresh)?;
    crate::ssr::redirect("/admin/account?done=two-factor-on");
    Ok(())
}

/// Turns two-factor off (where the platform allows staff without it), with the password
/// and a current code; the account's other sessions end.
#[server]
pub async fn turn_off_two_factor(password: String, code_off: String) -> Result<(), AppError> {
    use crate::ssr::{platform, staff, staff::require_staff_account};
    use domain::Fields;

    let who = require_staff_account().await?;
    let mut fields = Fields::default();
    if password.is_empty() {
        fields.add("password", "Enter your password.");
    }
    if code_off.trim().is_empty() {
        fields.add("code_off", "Enter the 6-digit code your app shows.");
    }
    if !fields.is_empty() {
        return Err(AppError::fields(fields.into_errors()));
    }
    let fresh = usecases::two_factor::turn_off(&*platform()?, &who, &password, &code_off)
        .await
        .map_err(|e| match AppError::from(e) {
            // The page has two code fields: this one is the form's own.
            AppError::Invalid { message, fields } if fields.contains_key("code") => {
                AppError::field("code_off", message)
            }
            other => other,
        })?;
    staff::set_staff_cookie(&fresh)?;
    crate::ssr::redirect("/admin/account?done=two-factor-off");
    Ok(())
}

/// Changes the staff password; the other sessions of the account end.
#[server]
pub async fn change_staff_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::ssr::{platform, staff, staff::require_staff_account};

    let who = require_staff_account().await?;
    if current_password.is_empty() {
        return Err(AppError::field(
            "current_password",
            "Enter your current password.",
        ));
    }
    let token = staff::staff_token().ok_or(AppError::SignInRequired)?;
    usecases::staff_accounts::change_password(
        &*platform()?,
        &who,
        &token,
        &current_password,
        new_password,
    )
    .await?;
    crate::ssr::redirect("/admin/account?done=password-changed");
    Ok(())
}
