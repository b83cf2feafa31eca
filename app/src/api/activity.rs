//! Settings → Activity and Settings → Usage.

use domain::settings::{ActivityPage, Usage};
use leptos::prelude::*;

use crate::error::AppError;

/// A page of the workspace's audit log: `before`/`after` are the cursors of the page
/// links, `action` the filter.
#[server]
pub async fn get_activity(
    action: Option<String>,
    before: Option<String>,
    after: Option<String>,
) -> Result<ActivityPage, AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use usecases::activity::Cursor;

    let (tenant, member) = require_admin().await?;
    let cursor = Cursor::parse(before.as_deref(), after.as_deref());
    let action = action.filter(|a| !a.is_empty());
    Ok(
        usecases::activity::page(&*platform()?, &tenant, &member, action.as_deref(), cursor)
            .await?,
    )
}

/// Seats and leads of the workspace.
#[server]
pub async fn get_usage() -> Result<Usage, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    Ok(usecases::usage::usage(&*platform()?, &tenant, &member).await?)
}
