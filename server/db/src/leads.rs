//! The `leads` table.

use domain::NewLead;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// The most cards a board column shows; the column header still counts them all.
pub const CARDS_PER_STAGE: i64 = 200;

/// A lead as its card on the board shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadCard {
    pub id: Uuid,
    pub stage_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub source: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Stores a validated lead in `stage` and returns its id.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    stage: Uuid,
    lead: &NewLead,
) -> Result<Uuid, Error> {
    let id = sqlx::query_scalar!(
        "insert into leads (tenant_id, stage_id, first_name, last_name, email, phone, company,
                            source, message, extra)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         returning id",
        tenant.0,
        stage,
        lead.first_name,
        lead.last_name,
        lead.email.as_ref().map(|e| e.as_str()),
        lead.phone,
        lead.company,
        lead.source,
        lead.message,
        serde_json::Value::Object(lead.extra.clone()),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The newest leads of every stage (at most [`CARDS_PER_STAGE`] each), newest first.
pub async fn list_for_board(tx: &mut Tx) -> Result<Vec<LeadCard>, Error> {
    let cards = sqlx::query_as!(
        LeadCard,
        r#"select id as "id!", stage_id as "stage_id!", first_name, last_name, email, phone,
                  company, source, created_at as "created_at!"
           from (select l.*, row_number() over (partition by stage_id order by created_at desc) as n
                 from leads l where l.tenant_id = current_tenant_id()) ranked
           where n <= $1
           order by created_at desc"#,
        CARDS_PER_STAGE
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(cards)
}

/// How many leads each stage holds.
pub async fn count_by_stage(tx: &mut Tx) -> Result<Vec<(Uuid, i64)>, Error> {
    let rows = sqlx::query!(
        r#"select stage_id, count(*) as "count!" from leads
           where tenant_id = current_tenant_id() group by stage_id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.stage_id, r.count)).collect())
}

/// How many leads the current tenant has.
pub async fn count(tx: &mut Tx) -> Result<i64, Error> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from leads where tenant_id = current_tenant_id()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Moves a lead of the current tenant to another of its stages. False if the lead is not
/// there; a stage of another tenant fails on `leads_stage_fkey`.
pub async fn move_to_stage(tx: &mut Tx, lead: Uuid, stage: Uuid) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update leads set stage_id = $2, updated_at = now()
         where tenant_id = current_tenant_id() and id = $1",
        lead,
        stage
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
