//! The pipeline board: reading it, and moving leads between stages.

use db::{TenantId, UserId, leads::CARDS_PER_STAGE};
use domain::board::{Board, Card, Column, MAX_MOVE, Page, display_name};
use serde_json::json;
use time::macros::format_description;
use uuid::Uuid;

use crate::{Actor, Error, Platform, actor::audit, error::OnConstraint};

/// The board of `tenant`: every stage in order with its newest leads, or, for the stage
/// that `page` names, the leads after its cursor. Each column reads at most
/// [`CARDS_PER_STAGE`] + 1 leads, so the board costs the same at any size.
pub async fn board(p: &Platform, tenant: TenantId, page: Option<Page>) -> Result<Board, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let stages = db::stages::list(&mut tx).await?;
    let mut cards = db::leads::list_for_board(&mut tx).await?;
    let counts = db::stages::lead_counts(&mut tx).await?;
    // The paged column, if its cursor still stands: `None` (the lead moved on) shows the
    // stage from its newest again.
    let paged = match page {
        Some(page) => db::leads::list_stage_after(&mut tx, page.stage, page.after)
            .await?
            .map(|older| (page, older)),
        None => None,
    };
    tx.commit().await?;
    if let Some((page, older)) = &paged {
        cards.retain(|card| card.stage_id != page.stage);
        cards.extend(older.iter().cloned());
    }

    let when =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    let columns = stages
        .into_iter()
        .map(|stage| {
            let mut shown: Vec<&db::leads::LeadCard> = cards
                .iter()
                .filter(|card| card.stage_id == stage.id)
                .collect();
            let more = shown.len() as i64 > CARDS_PER_STAGE;
            shown.truncate(CARDS_PER_STAGE as usize);
            Column {
                stage_id: stage.id,
                total: counts
                    .iter()
                    .find(|(id, _)| *id == stage.id)
                    .map_or(0, |(_, n)| *n),
                paged: paged
                    .as_ref()
                    .is_some_and(|(page, _)| page.stage == stage.id),
                next: more.then(|| shown.last().map(|card| card.id)).flatten(),
                cards: shown
                    .into_iter()
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
            }
        })
        .collect();
    Ok(Board { columns })
}

/// Moves leads of `tenant` to another of its stages, by a member: all of them or, if one
/// is no longer there, none. One activity entry per lead moved.
pub async fn move_leads(
    p: &Platform,
    tenant: TenantId,
    by: UserId,
    leads: &[Uuid],
    stage: Uuid,
) -> Result<(), Error> {
    if leads.is_empty() {
        return Err(Error::field("lead_ids", "Select the leads to move."));
    }
    if leads.len() > MAX_MOVE {
        return Err(Error::field(
            "lead_ids",
            format!("Move at most {MAX_MOVE} leads at a time."),
        ));
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant).await?;
    let moved = db::leads::move_to_stage(&mut tx, leads, stage)
        .await
        .on_constraint("leads_stage_fkey", || {
            Error::field("stage_id", "Choose one of this pipeline's stages.")
        })?;
    let mut distinct = leads.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if moved != distinct.len() as u64 {
        return Err(Error::NotFound(if distinct.len() == 1 {
            "That lead is not in this pipeline any more.".into()
        } else {
            "One of those leads is not in this pipeline any more; nothing was moved.".into()
        }));
    }
    for lead in distinct {
        audit(
            &mut tx,
            Some(tenant),
            &Actor::User(by),
            "lead.moved",
            json!({ "lead_id": lead, "stage_id": stage }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
