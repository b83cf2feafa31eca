//! Settings → Usage: seats against the plan's limit, and leads, read from counters rather
//! than counted from every lead (`db::lead_counts`).

use db::{members::Member, tenants::ResolvedTenant};
use domain::settings::Usage;

use crate::{Error, Platform, actor::admin, team::seats, timefmt::when};

/// Settings → Usage.
pub async fn usage(p: &Platform, tenant: &ResolvedTenant, member: &Member) -> Result<Usage, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let seats = seats(&mut tx).await?;
    let leads = db::lead_counts::totals(&mut tx).await?;
    tx.commit().await?;
    Ok(Usage {
        seats,
        leads_this_month: leads.this_month,
        leads_total: leads.total,
        last_lead: leads.last_lead_at.map(when),
    })
}
