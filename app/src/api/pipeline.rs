//! Settings → Pipeline: the stages.

use domain::settings::Pipeline;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The stages of this workspace, for its admins.
#[server]
pub async fn get_pipeline() -> Result<Pipeline, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    Ok(usecases::pipeline::view(&*platform()?, &tenant, &member).await?)
}

/// A stage's fields as typed, parsed.
#[cfg(feature = "ssr")]
fn stage_fields(
    name: &str,
    colour: &str,
    stage_type: &str,
) -> Result<usecases::pipeline::StageFields, AppError> {
    use domain::{Fields, HexColour, StageName, StageType};

    let mut fields = Fields::default();
    let name = fields.check("name", StageName::parse(name));
    let colour = fields.check("colour", HexColour::parse(colour));
    let kind = fields.check(
        "stage_type",
        stage_type
            .parse::<StageType>()
            .map_err(|_| "Choose active, won or lost."),
    );
    match (name, colour, kind) {
        (Some(name), Some(colour), Some(kind)) => {
            Ok(usecases::pipeline::StageFields { name, colour, kind })
        }
        _ => Err(fields.into_errors().into()),
    }
}

/// Adds a stage at the end of the pipeline.
#[server]
pub async fn add_stage(name: String, colour: String, stage_type: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let stage = stage_fields(&name, &colour, &stage_type)?;
    usecases::pipeline::add(&*platform()?, &tenant, &member, &stage).await?;
    crate::ssr::redirect("/settings/pipeline?done=stage-added");
    Ok(())
}

/// Saves a stage's name, colour and type.
#[server]
pub async fn update_stage(
    stage: Uuid,
    name: String,
    colour: String,
    stage_type: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let fields = stage_fields(&name, &colour, &stage_type)?;
    usecases::pipeline::update(&*platform()?, &tenant, &member, stage, &fields).await?;
    crate::ssr::redirect("/settings/pipeline?done=stage-saved");
    Ok(())
}

/// Moves a stage one place `up` or `down`.
#[server]
pub async fn move_stage(stage: Uuid, direction: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use usecases::pipeline::Direction;

    let (tenant, member) = require_admin().await?;
    let direction = match direction.as_str() {
        "up" => Direction::Up,
        "down" => Direction::Down,
        _ => return Err(AppError::field("direction", "Move a stage up or down.")),
    };
    usecases::pipeline::move_stage(&*platform()?, &tenant, &member, stage, direction).await?;
    // Names the moved stage, so that its button keeps the focus on the page drawn next.
    let direction = match direction {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    crate::ssr::redirect(&format!(
        "/settings/pipeline?done=stage-moved&moved={stage}&direction={direction}"
    ));
    Ok(())
}

/// Deletes a stage, moving its leads to `move_to` (after the page's confirm step).
#[server]
pub async fn delete_stage(stage: Uuid, move_to: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let move_to = match move_to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(
            id.parse::<Uuid>()
                .map_err(|_| AppError::field("move_to", "Choose one of the other stages."))?,
        ),
    };
    usecases::pipeline::delete(&*platform()?, &tenant, &member, stage, move_to).await?;
    crate::ssr::redirect("/settings/pipeline?done=stage-deleted");
    Ok(())
}
