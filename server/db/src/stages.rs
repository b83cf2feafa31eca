//! The `pipeline_stages` table.

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
