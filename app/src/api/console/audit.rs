//! `/admin/audit`: every audit entry, filtered, a page at a time (the CSV export is a
//! plain route, `/admin/audit.csv`, in the server crate).

use domain::console::AuditPage;
use leptos::prelude::*;

use crate::error::AppError;

/// One page of the audit log.
#[server]
pub async fn get_audit_page(
    tenant: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::ssr::{platform, staff::require_staff};
    use usecases::console::{audit_log, page};

    let staff = require_staff().await?;
    let filters = audit_log::Filters {
        tenant: tenant.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let page = page(after.as_deref(), before.as_deref());
    Ok(audit_log::page(&*platform()?, &staff, &filters, &page).await?)
}
