//! The pipeline board: stages as columns, leads as cards.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The board of the current workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<Column>,
}

/// One stage and its newest leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage_id: Uuid,
    pub name: String,
    pub colour: String,
    /// How many leads the stage holds (the column may show fewer).
    pub total: i64,
    pub cards: Vec<Card>,
}

/// A lead's card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    /// When the lead arrived, e.g. "23 Nov 2026, 14:05 UTC".
    pub received: String,
}

/// The signed-in member's pipeline.
#[server]
pub async fn get_board() -> Result<Board, AppError> {
    use crate::ssr::{app_state, auth::require_member};
    use time::macros::format_description;

    let state = app_state()?;
    let (tenant, _member) = require_member().await?;
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let stages = db::stages::list(&mut tx).await?;
    let cards = db::leads::list_for_board(&mut tx).await?;
    let counts = db::leads::count_by_stage(&mut tx).await?;
    tx.commit().await.map_err(db::Error::from)?;

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
                    name: display_name(card),
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

#[cfg(feature = "ssr")]
fn display_name(card: &db::leads::LeadCard) -> String {
    let name = [card.first_name.as_deref(), card.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        name
    } else {
        card.email
            .clone()
            .or_else(|| card.phone.clone())
            .unwrap_or_default()
    }
}

/// Moves a lead to another stage of the same workspace.
#[server]
pub async fn move_lead(lead_id: Uuid, stage_id: Uuid) -> Result<(), AppError> {
    use crate::ssr::{app_state, auth::require_member};
    use serde_json::json;

    let state = app_state()?;
    let (tenant, member) = require_member().await?;
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let moved = db::leads::move_to_stage(&mut tx, lead_id, stage_id)
        .await
        .map_err(|e| match e.constraint() {
            Some("leads_stage_fkey") => {
                AppError::field("stage_id", "Choose one of this pipeline's stages.")
            }
            _ => e.into(),
        })?;
    if !moved {
        return Err(AppError::NotFound(
            "That lead is not in this pipeline any more.".into(),
        ));
    }
    db::audit::record(
        &mut tx,
        Some(tenant.id),
        &format!("user:{}", member.user_id.0),
        "lead.moved",
        json!({ "lead_id": lead_id, "stage_id": stage_id }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    Ok(())
}
