//! The pipeline board: reading it, and moving a lead between stages.

use db::{TenantId, UserId};
use domain::board::{Board, Card, Column, display_name};
use serde_json::json;
use time::macros::format_description;
use uuid::Uuid;

use crate::{Actor, Error, Platform, actor::audit, error::OnConstraint};

/// The board of `tenant`: every stage in order with its newest leads.
pub async fn board(p: &Platform, tenant: TenantId) -> Result<Board, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let stages = db::stages::list(&mut tx).await?;
    let cards = db::leads::list_for_board(&mut tx).await?;
    let counts = db::stages::lead_counts(&mut tx).await?;
    tx.commit().await?;

    let when =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    let columns = stages
        .into_iter()
        .map(|stage| Column {
            stage_id: stage.id,
            total: counts
                .iter()
                .find(|(id, _)| *id == stage.id)
                .map_or(0, |(_, n)| *n),
            cards: cards
                .iter()
                .filter(|card| card.stage_id == stage.id)
                .map(|card| Card {
                    id: card.id,
                    name: display_name(
                        card.first_name.as_deref(),
                        card.last_name.as_deref(),
                        card.email.as_deref(),
                        card.phone.as_deref(),
                    ),
                    company: card.company.clone(),
                    email: card.email.clone(),
                    phone: card.phone.clone(),
                    source: card.source.clone(),
                    received: card.created_at.format(&when).unwrap_or_default(),
                })
                .collect(),
            name: stage.name,
            colour: stage.colour,
        })
        .collect();
    Ok(Board { columns })
}

/// Moves a lead of `tenant` to another of its stages, by a member.
pub async fn move_lead(
    p: &Platform,
    tenant: TenantId,
    by: UserId,
    lead: Uuid,
    stage: Uuid,
) -> Result<(), Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let moved = db::leads::move_to_stage(&mut tx, lead, stage)
        .await
        .on_constraint("leads_stage_fkey", || {
            Error::field("stage_id", "Choose one of this pipeline's stages.")
        })?;
    if !moved {
        return Err(Error::NotFound(
            "That lead is not in this pipeline any more.".into(),
        ));
    }
    audit(
        &mut tx,
        Some(tenant),
        &Actor::User(by),
        "lead.moved",
        json!({ "lead_id": lead, "stage_id": stage }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
