//! The `pipeline_stages` table. Changes to a tenant's stages take the tenant's row lock
//! first (`tenants::lock_current`), so the order stays dense, 1 to n, with no duplicates.

use domain::{HexColour, StageName, StageType};
use uuid::Uuid;

use crate::{Error, TenantId, Tx};

/// A stage of the current tenant's pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    pub colour: String,
    pub stage_type: String,
    pub sort_order: i32,
}

impl Stage {
    /// The stage's type.
    pub fn kind(&self) -> Result<StageType, Error> {
        self.stage_type
            .parse()
            .map_err(|_| Error::Data(format!("stage type {:?}", self.stage_type)))
    }
}

/// Gives a new tenant the five default stages (the SQL function of the same name).
pub async fn seed_defaults(tx: &mut Tx, tenant: TenantId) -> Result<(), Error> {
    sqlx::query!("select seed_default_pipeline_stages($1)", tenant.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The current tenant's stages in pipeline order.
pub async fn list(tx: &mut Tx) -> Result<Vec<Stage>, Error> {
    let stages = sqlx::query_as!(
        Stage,
        "select id, name, colour, stage_type, sort_order from pipeline_stages
         where tenant_id = current_tenant_id() order by sort_order"
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(stages)
}

/// How many leads each of the current tenant's stages holds (a counter that triggers on
/// `leads` keep, so no lead is counted here).
pub async fn lead_counts(tx: &mut Tx) -> Result<Vec<(Uuid, i64)>, Error> {
    let rows = sqlx::query!(
        "select id, lead_count from pipeline_stages where tenant_id = current_tenant_id()"
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.lead_count)).collect())
}

/// Where new leads land: the first stage of type `active`.
pub async fn first_active(tx: &mut Tx) -> Result<Option<Stage>, Error> {
    let stage = sqlx::query_as!(
        Stage,
        "select id, name, colour, stage_type, sort_order from pipeline_stages
         where tenant_id = current_tenant_id() and stage_type = 'active'
         order by sort_order limit 1"
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(stage)
}

/// Adds a stage at the end of the pipeline. A name the tenant already has (ignoring case)
/// fails on `pipeline_stages_name_key`.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    name: &StageName,
    colour: &HexColour,
    kind: StageType,
) -> Result<Uuid, Error> {
    let id = sqlx::query_scalar!(
        "insert into pipeline_stages (tenant_id, name, colour, stage_type, sort_order)
         values ($1, $2, $3, $4,
                 (select coalesce(max(sort_order), 0) + 1 from pipeline_stages
                  where tenant_id = current_tenant_id()))
         returning id",
        tenant.0,
        name.as_str(),
        colour.as_str(),
        kind.as_str(),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Renames, recolours and retypes a stage. False if it is not the tenant's.
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    name: &StageName,
    colour: &HexColour,
    kind: StageType,
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update pipeline_stages set name = $2, colour = $3, stage_type = $4
         where tenant_id = current_tenant_id() and id = $1",
        id,
        name.as_str(),
        colour.as_str(),
        kind.as_str(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Swaps the positions of two stages (the order constraint is checked at commit).
pub async fn swap(tx: &mut Tx, a: Uuid, b: Uuid) -> Result<(), Error> {
    sqlx::query!(
        "update pipeline_stages s set sort_order = o.sort_order
         from pipeline_stages o
         where s.tenant_id = current_tenant_id() and o.tenant_id = current_tenant_id()
           and ((s.id = $1 and o.id = $2) or (s.id = $2 and o.id = $1))",
        a,
        b
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a stage that holds no lead. False if it is not the tenant's.
pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<bool, Error> {
    let done = sqlx::query!(
        "delete from pipeline_stages where tenant_id = current_tenant_id() and id = $1",
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Numbers the tenant's stages 1 to n again, in their order.
pub async fn renumber(tx: &mut Tx) -> Result<(), Error> {
    sqlx::query!(
        "update pipeline_stages s set sort_order = n.position
         from (select id, row_number() over (order by sort_order)::int as position
               from pipeline_stages where tenant_id = current_tenant_id()) n
         where s.id = n.id and s.tenant_id = current_tenant_id() and s.sort_order <> n.position"
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
