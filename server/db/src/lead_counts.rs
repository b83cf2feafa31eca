//! The `lead_counts` table: leads per tenant and month, kept by a trigger on `leads`, so that
//! usage is read from a handful of rows, not counted from every lead.

use time::OffsetDateTime;

use crate::{Error, Tx};

/// The current tenant's lead totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadTotals {
    pub this_month: i64,
    pub total: i64,
    pub last_lead_at: Option<OffsetDateTime>,
}

/// Reads the current tenant's totals.
pub async fn totals(tx: &mut Tx) -> Result<LeadTotals, Error> {
    let r = sqlx::query!(
        r#"select coalesce(sum(leads) filter (where month = date_trunc('month', now())::date), 0)::bigint as "this_month!",
                  coalesce(sum(leads), 0)::bigint as "total!",
                  max(last_lead_at) as last_lead_at
           from lead_counts where tenant_id = current_tenant_id()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(LeadTotals {
        this_month: r.this_month,
        total: r.total,
        last_lead_at: r.last_lead_at,
    })
}
