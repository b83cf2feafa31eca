//! `/admin/staff`: HREF's staff accounts, with **End sessions** and **Disable**.

use domain::console::StaffMember;
use leptos::prelude::*;

use crate::error::AppError;

/// Every staff account.
#[server]
pub async fn get_staff_list() -> Result<Vec<StaffMember>, AppError> {
    use crate::ssr::{platform, staff::require_staff};

    require_staff().await?;
    Ok(usecases::staff_accounts::list(&*platform()?).await?)
}

/// Ends every session of the staff account of `email`.
#[server]
pub async fn end_staff_sessions(email: String) -> Result<(), AppError> {
    use crate::ssr::{platform, staff::require_staff};

    let staff = require_staff().await?;
    let email =
        domain::Email::parse(&email).map_err(|e| AppError::field("email", e.to_string()))?;
    usecases::staff_accounts::end_sessions(&*platform()?, &email, &staff.actor()).await?;
    crate::ssr::redirect("/admin/staff?done=staff-sessions-ended");
    Ok(())
}

/// Disables the staff account of `email` (after the page's confirm step).
#[server]
pub async fn disable_staff(email: String) -> Result<(), AppError> {
    use crate::ssr::{platform, staff::require_staff};

    let staff = require_staff().await?;
    let email =
        domain::Email::parse(&email).map_err(|e| AppError::field("email", e.to_string()))?;
    usecases::staff_accounts::disable(&*platform()?, &email, &staff.actor()).await?;
    crate::ssr::redirect("/admin/staff?done=staff-disabled");
    Ok(())
}
