//! The tenant list, a tenant's page, and the actions on a tenant: the life cycle (the
//! CLI's own `change_status`), deletion, and the plan.

use domain::console::{TenantList, TenantPage};
use leptos::prelude::*;

use crate::error::AppError;

/// One page of the tenant list.
#[server]
pub async fn get_tenant_list(
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<TenantList, AppError> {
    use crate::ssr::{platform, staff::require_staff};
    use db::console::Sort;
    use usecases::console::{page, tenants};

    let staff = require_staff().await?;
    let query = tenants::ListQuery {
        search: q.unwrap_or_default(),
        status: status.and_then(|s| s.parse().ok()),
        sort: match sort.as_deref() {
            Some("oldest") => Sort::Oldest,
            Some("name") => Sort::Name,
            _ => Sort::Newest,
        },
        page: page(after.as_deref(), before.as_deref()),
    };
    Ok(tenants::list(&*platform()?, &staff, &query).await?)
}

/// The tenant at `slug`.
#[server]
pub async fn get_console_tenant(slug: String) -> Result<TenantPage, AppError> {
    use crate::ssr::{platform, staff::require_staff};

    let staff = require_staff().await?;
    Ok(usecases::console::tenants::page(&*platform()?, &staff, &slug.to_lowercase()).await?)
}

/// Approves, rejects, suspends or reactivates a tenant (`reason` for reject and suspend),
/// then returns to `back` with the outcome.
#[server]
pub async fn change_tenant_status(
    slug: String,
    action: String,
    reason: Option<String>,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        api::console::done_url,
        ssr::{platform, staff::require_staff},
    };
    use domain::{Reason, Slug, StatusAction};

    let staff = require_staff().await?;
    let slug = Slug::parse(&slug).map_err(|e| AppError::NotFound(e.to_string()))?;
    let action = match action.as_str() {
        "approve" => StatusAction::Approve,
        "reject" => StatusAction::Reject,
        "suspend" => StatusAction::Suspend,
        "reactivate" => StatusAction::Reactivate,
        _ => return Err(AppError::field("action", "Choose an action.")),
    };
    let reason = match reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => {
            Some(Reason::parse(text).map_err(|e| AppError::field("reason", e.to_string()))?)
        }
        None => None,
    };
    let changed = usecases::change_status::change_status(
        &*platform()?,
        &slug,
        action,
        reason.as_ref(),
        &staff.actor(),
    )
    .await?;
    let done = match action {
        StatusAction::Approve => "approved",
        StatusAction::Reject => "rejected",
        StatusAction::Suspend => "suspended",
        StatusAction::Reactivate => "reactivated",
    };
    crate::ssr::redirect(&done_url(
        back.as_deref().unwrap_or("/admin"),
        done,
        Some(&changed.slug),
    ));
    Ok(())
}

/// Deletes a tenant once its subdomain was typed to confirm.
#[server]
pub async fn delete_tenant(
    slug: String,
    confirm: String,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        api::console::done_url,
        ssr::{platform, staff::require_staff},
    };
    use domain::Slug;

    let staff = require_staff().await?;
    let slug = Slug::parse(&slug).map_err(|e| AppError::NotFound(e.to_string()))?;
    if confirm.trim().to_lowercase() != slug.as_str() {
        return Err(AppError::field(
            "confirm",
            format!("Type {slug} exactly to delete this workspace."),
        ));
    }
    let deleted =
        usecases::change_status::delete_tenant(&*platform()?, &slug, &staff.actor()).await?;
    // The tenant's own page is gone: back to the list.
    let back = back
        .filter(|b| !b.starts_with("/admin/tenants/"))
        .unwrap_or_else(|| "/admin".into());
    crate::ssr::redirect(&done_url(&back, "deleted", Some(&deleted.slug)));
    Ok(())
}

/// Sets a tenant's plan and its own seat limit (empty: the plan's).
#[server]
pub async fn set_tenant_plan(
    slug: String,
    plan: String,
    max_users: String,
) -> Result<(), AppError> {
    use crate::{
        api::console::done_url,
        ssr::{platform, staff::require_staff},
    };
    use domain::{Fields, Plan, Slug};
    use usecases::console::plan::{PlanChange, parse_max_users, set_plan};

    let staff = require_staff().await?;
    let slug = Slug::parse(&slug).map_err(|e| AppError::NotFound(e.to_string()))?;
    let mut fields = Fields::default();
    let plan = fields.check("plan", plan.parse::<Plan>().map_err(|_| "Choose a plan."));
    let max_users = match parse_max_users(&max_users) {
        Ok(n) => Some(n),
        Err(e) => {
            fields.add("max_users", e.to_string());
            None
        }
    };
    let (Some(plan), Some(max_users)) = (plan, max_users) else {
        return Err(fields.into_errors().into());
    };
    let done = match set_plan(&*platform()?, &staff, &slug, plan, max_users).await? {
        PlanChange::Changed => "plan-saved",
        PlanChange::Unchanged => "plan-unchanged",
    };
    crate::ssr::redirect(&done_url(&format!("/admin/tenants/{slug}"), done, None));
    Ok(())
}
