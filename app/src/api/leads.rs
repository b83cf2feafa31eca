//! The pipeline board.

use domain::board::Board;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The signed-in member's pipeline.
#[server]
pub async fn get_board() -> Result<Board, AppError> {
    use crate::ssr::{auth::require_member, platform};

    let (tenant, _member) = require_member().await?;
    Ok(usecases::board::board(&platform()?, tenant.id).await?)
}

/// Moves a lead to another stage of the same workspace.
#[server]
pub async fn move_lead(lead_id: Uuid, stage_id: Uuid) -> Result<(), AppError> {
    use crate::ssr::{auth::require_member, platform};

    let (tenant, member) = require_member().await?;
    usecases::board::move_lead(&platform()?, tenant.id, member.user_id, lead_id, stage_id).await?;
    Ok(())
}
