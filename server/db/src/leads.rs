//! The `leads` table.

use domain::NewLead;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// The most cards a board column shows; the column header still counts them all, and the
/// column ends with how many older ones it holds. Each card carries a stage picker, so a
/// board costs cards × stages (`docs/benchmarks.md`).
pub const CARDS_PER_STAGE: i64 = 50;

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
        r#"select newest.id as "id!", newest.stage_id as "stage_id!", newest.first_name,
                  newest.last_name, newest.email, newest.phone, newest.company, newest.source,
                  newest.created_at as "created_at!"
           from pipeline_stages s
           cross join lateral (
             select l.* from leads l
             where l.tenant_id = current_tenant_id() and l.stage_id = s.id
             order by l.created_at desc limit $1) newest
           where s.tenant_id = current_tenant_id()
           order by newest.created_at desc"#,
        CARDS_PER_STAGE
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(cards)
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

/// Moves every lead of one stage of the current tenant to another; how many moved.
pub async fn move_all(tx: &mut Tx, from: Uuid, to: Uuid) -> Result<u64, Error> {
    let done = sqlx::query!(
        "update leads set stage_id = $2, updated_at = now()
         where tenant_id = current_tenant_id() and stage_id = $1",
        from,
        to
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
