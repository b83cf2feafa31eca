//! Settings → Pipeline: the stages, in order. Every change takes the workspace's row lock,
//! so the order stays dense (1 to n, no duplicates) under concurrent edits; names are unique
//! ignoring case (a unique index); at least one stage is active, since new leads land in
//! the first active one; a stage that holds leads is deleted only by moving them, in the
//! same transaction, to another stage.

use db::{members::Member, stages::Stage, tenants::ResolvedTenant};
use domain::{
    HexColour, StageName, StageType,
    settings::{Pipeline, PipelineStage},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Error, Platform,
    actor::{admin, audit},
    error::OnConstraint,
};

/// The most stages a pipeline may have.
pub const MAX_STAGES: usize = 50;

/// Settings → Pipeline.
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
) -> Result<Pipeline, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let stages = db::stages::list(&mut tx).await?;
    let counts = db::stages::lead_counts(&mut tx).await?;
    tx.commit().await?;
    let stages = stages
        .into_iter()
        .map(|stage| {
            let leads = counts
                .iter()
                .find(|(id, _)| *id == stage.id)
                .map_or(0, |(_, n)| *n);
            Ok(PipelineStage {
                stage_type: stage.kind()?,
                id: stage.id,
                name: stage.name,
                colour: stage.colour,
                leads,
            })
        })
        .collect::<Result<_, db::Error>>()?;
    Ok(Pipeline { stages })
}

/// What a stage is: its name, colour and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageFields {
    pub name: StageName,
    pub colour: HexColour,
    pub kind: StageType,
}

fn name_taken(name: &StageName) -> Error {
    Error::field("name", format!("There is already a stage named “{name}”."))
}

/// Adds a stage at the end of the pipeline.
pub async fn add(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    stage: &StageFields,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    if db::stages::list(&mut tx).await?.len() >= MAX_STAGES {
        return Err(Error::Conflict {
            code: "too_many_stages",
            message: format!("A pipeline has at most {MAX_STAGES} stages."),
        });
    }
    db::stages::insert(&mut tx, tenant.id, &stage.name, &stage.colour, stage.kind)
        .await
        .on_constraint("pipeline_stages_name_key", || name_taken(&stage.name))?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "stage.added",
        json!({ "name": stage.name.as_str(), "type": stage.kind.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Renames, recolours or retypes a stage.
pub async fn update(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    id: Uuid,
    stage: &StageFields,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    let before = find(&mut tx, id).await?;
    db::stages::update(&mut tx, id, &stage.name, &stage.colour, stage.kind)
        .await
        .on_constraint("pipeline_stages_name_key", || name_taken(&stage.name))?;
    keep_an_active_stage(&mut tx).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "stage.updated",
        json!({ "stage": before.name, "name": stage.name.as_str(), "colour": stage.colour.as_str(), "type": stage.kind.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which way a stage moves in the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Moves a stage one place up or down (the first cannot go up, nor the last down: those
/// are no-ops).
pub async fn move_stage(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    id: Uuid,
    direction: Direction,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    let stages = db::stages::list(&mut tx).await?;
    let at = stages
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(not_found)?;
    let neighbour = match direction {
        Direction::Up => at.checked_sub(1),
        Direction::Down => Some(at + 1).filter(|&i| i < stages.len()),
    };
    let Some(neighbour) = neighbour else {
        return Ok(());
    };
    db::stages::swap(&mut tx, id, stages[neighbour].id).await?;
    db::stages::renumber(&mut tx).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "stage.moved",
        json!({ "stage": stages[at].name, "to": neighbour + 1 }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a stage. One that holds leads needs `move_to`, another of the workspace's
/// stages, and its leads move there in the same transaction.
pub async fn delete(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    id: Uuid,
    move_to: Option<Uuid>,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::lock_current(&mut tx).await?;
    let stage = find(&mut tx, id).await?;
    let leads = db::stages::lead_counts(&mut tx)
        .await?
        .into_iter()
        .find(|(stage, _)| *stage == id)
        .map_or(0, |(_, n)| n);
    let moved_to = if leads > 0 {
        let target = match move_to.filter(|&to| to != id) {
            Some(to) => find(&mut tx, to).await.map_err(|_| choose_target(leads))?,
            None => return Err(choose_target(leads)),
        };
        db::leads::move_all(&mut tx, id, target.id).await?;
        Some(target.name)
    } else {
        None
    };
    db::stages::delete(&mut tx, id).await?;
    keep_an_active_stage(&mut tx).await?;
    db::stages::renumber(&mut tx).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "stage.deleted",
        json!({ "stage": stage.name, "leads_moved": leads, "moved_to": moved_to }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn choose_target(leads: i64) -> Error {
    Error::field(
        "move_to",
        format!(
            "This stage holds {leads} lead{}: choose the stage to move {} to.",
            if leads == 1 { "" } else { "s" },
            if leads == 1 { "it" } else { "them" }
        ),
    )
}

async fn find(tx: &mut db::Tx, id: Uuid) -> Result<Stage, Error> {
    db::stages::list(tx)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(not_found)
}

fn not_found() -> Error {
    Error::NotFound("That stage is not in this pipeline any more.".into())
}

async fn keep_an_active_stage(tx: &mut db::Tx) -> Result<(), Error> {
    let stages = db::stages::list(tx).await?;
    if stages
        .iter()
        .any(|s| s.stage_type == StageType::Active.as_str())
    {
        Ok(())
    } else {
        Err(Error::Conflict {
            code: "no_active_stage",
            message: "Keep at least one active stage: new leads land in the first one.".into(),
        })
    }
}
