//! `/admin/outbox`: emails pending, sent and failed, and Retry.

use domain::console::OutboxPage;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// One page of the outbox.
#[server]
pub async fn get_outbox_page(
    status: Option<String>,
    to: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<OutboxPage, AppError> {
    use crate::ssr::{platform, staff::require_staff};
    use usecases::console::{outbox, page};

    let staff = require_staff().await?;
    let page = page(after.as_deref(), before.as_deref());
    Ok(outbox::page(
        &*platform()?,
        &staff,
        status.as_deref(),
        to.as_deref().unwrap_or_default(),
        &page,
    )
    .await?)
}

/// Queues a failed email again, due now.
#[server]
pub async fn retry_email(email: Uuid, back: Option<String>) -> Result<(), AppError> {
    use crate::{
        api::console::done_url,
        ssr::{platform, staff::require_staff},
    };

    let staff = require_staff().await?;
    usecases::console::outbox::retry(&*platform()?, &staff, email).await?;
    let back = back.filter(|b| b.starts_with("/admin/outbox"));
    crate::ssr::redirect(&done_url(
        back.as_deref().unwrap_or("/admin/outbox"),
        "retried",
        None,
    ));
    Ok(())
}
