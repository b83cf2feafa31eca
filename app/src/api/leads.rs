//! The pipeline board.

use domain::board::Board;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The signed-in member's pipeline; with `stage` and `after`, that column's next page
/// (**Show more**).
#[server]
pub async fn get_board(stage: Option<Uuid>, after: Option<Uuid>) -> Result<Board, AppError> {
    use crate::ssr::{auth::require_member, platform};
    use domain::board::Page;

    let (tenant, _member) = require_member().await?;
    let page = stage.zip(after).map(|(stage, after)| Page { stage, after });
    Ok(usecases::board::board(&*platform()?, tenant.id, page).await?)
}

/// Moves the selected leads to another stage of the same workspace.
#[server]
pub async fn move_leads(
    #[server(default)] lead_ids: Vec<Uuid>,
    stage_id: Uuid,
) -> Result<(), AppError> {
    use crate::ssr::{auth::require_member, platform};

    let (tenant, member) = require_member().await?;
    usecases::board::move_leads(
        &*platform()?,
        tenant.id,
        member.user_id,
        &lead_ids,
        stage_id,
    )
    .await?;
    Ok(())
}
