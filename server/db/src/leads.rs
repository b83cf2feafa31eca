//! The `leads` table.

use domain::NewLead;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// The most cards a board column shows at a time; **Show more** pages on from the last card
/// shown (keyset: `created_at`, then `id`, both descending), so no page reads more than this
/// many leads a stage however big the stage (`docs/benchmarks.md`, "The board").
pub const CARDS_PER_STAGE: i64 = 20;

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

/// The newest leads of every stage, newest first: at most [`CARDS_PER_STAGE`] + 1 each,
/// the one more telling the caller that the stage holds older ones.
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
             order by l.created_at desc, l.id desc limit $1) newest
           where s.tenant_id = current_tenant_id()
           order by newest.created_at desc, newest.id desc"#,
        CARDS_PER_STAGE + 1
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(cards)
}

/// The leads of `stage` older than the lead `after` (in board order), newest first: at most
/// [`CARDS_PER_STAGE`] + 1. None if `after` is no longer a lead of this stage.
pub async fn list_stage_after(
    tx: &mut Tx,
    stage: Uuid,
    after: Uuid,
) -> Result<Option<Vec<LeadCard>>, Error> {
    let Some(mark) = sqlx::query!(
        "select created_at from leads
         where tenant_id = current_tenant_id() and stage_id = $1 and id = $2",
        stage,
        after
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let cards = sqlx::query_as!(
        LeadCard,
        r#"select id, stage_id, first_name, last_name, email, phone, company, source, created_at
           from leads
           where tenant_id = current_tenant_id() and stage_id = $1
             and (created_at, id) < ($2, $3)
           order by created_at desc, id desc limit $4"#,
        stage,
        mark.created_at,
        after,
        CARDS_PER_STAGE + 1
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(cards))
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

/// Moves leads of the current tenant to another of its stages; how many moved (a lead that
/// is not there is not counted). A stage of another tenant fails on `leads_stage_fkey`.
pub async fn move_to_stage(tx: &mut Tx, leads: &[Uuid], stage: Uuid) -> Result<u64, Error> {
    let done = sqlx::query!(
        "update leads set stage_id = $2, updated_at = now()
         where tenant_id = current_tenant_id() and id = any($1)",
        leads,
        stage
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
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
