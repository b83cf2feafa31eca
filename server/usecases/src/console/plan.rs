//! A tenant's plan and seat limit, set by staff on the tenant's page (`docs/product.md`,
//! "Plans"). Lowering the limit below the seats in use removes nobody: new invites wait
//! until there is room again.

use domain::{Plan, Slug};
use serde_json::json;

use crate::{Error, Platform, actor::audit, staff_sign_in::Staff};

/// The largest hand-set seat limit.
pub const MAX_USERS_LIMIT: u32 = 100_000;

/// Whether the plan changed, or it already was what was asked (a second click).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanChange {
    Changed,
    Unchanged,
}

/// Parses the Max users field: empty for the plan's own limit, else 1 to 100,000.
pub fn parse_max_users(input: &str) -> Result<Option<u32>, Error> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match input.parse::<u32>() {
        Ok(n) if (1..=MAX_USERS_LIMIT).contains(&n) => Ok(Some(n)),
        _ => Err(Error::field(
            "max_users",
            format!(
                "Enter a whole number from 1 to {MAX_USERS_LIMIT}, or leave it empty for the plan's limit."
            ),
        )),
    }
}

/// Gives the tenant at `slug` `plan`, with `max_users` as its own seat limit (`None`: the
/// plan's). Audited with the staff member.
pub async fn set_plan(
    p: &Platform,
    staff: &Staff,
    slug: &Slug,
    plan: Plan,
    max_users: Option<u32>,
) -> Result<PlanChange, Error> {
    let mut tx = p.db.console.begin().await?;
    let tenant = db::tenants::lock_by_slug(&mut tx, slug.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("No workspace has the subdomain {slug}.")))?;
    let max_users = max_users.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let before = db::console::plan(&mut tx, tenant.id).await?;
    if before == (plan, max_users) {
        return Ok(PlanChange::Unchanged);
    }
    db::console::set_plan(&mut tx, tenant.id, plan, max_users).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &staff.actor(),
        "tenant.plan_changed",
        json!({
            "plan": plan.as_str(), "max_users": max_users,
            "from_plan": before.0.as_str(), "from_max_users": before.1,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(PlanChange::Changed)
}
