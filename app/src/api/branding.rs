//! Settings → Branding: the workspace's name, tagline, colour and logo, saved in one form
//! (multipart, for the logo).

use domain::settings::Branding;
use leptos::{
    prelude::*,
    server_fn::codec::{MultipartData, MultipartFormData},
};

use crate::error::AppError;

/// The saved branding, for the workspace's admins.
#[server]
pub async fn get_branding() -> Result<Branding, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, _admin) = require_admin().await?;
    Ok(usecases::branding::view(&*platform()?, &tenant).await?)
}

/// Saves the branding form: `name`, `tagline`, `colour` (and `colour_picker`,
/// `colour_was`), an optional `logo` file, and `remove_logo`.
#[server(input = MultipartFormData)]
pub async fn save_branding(data: MultipartData) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use domain::settings::BrandingForm;
    use usecases::branding::LogoChange;

    let (tenant, member) = require_admin().await?;
    let cut_off = || AppError::field("logo", "The upload was cut off. Try again.");
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut form = BrandingForm::default();
    let mut upload: Option<Vec<u8>> = None;
    let mut remove = false;
    while let Some(mut field) = data.next_field().await.map_err(|_| cut_off())? {
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| cut_off())? {
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "name" => form.name = text(),
            "tagline" => form.tagline = text(),
            "colour" => form.colour = text(),
            "colour_picker" => form.colour_picker = text(),
            "colour_was" => form.colour_was = text(),
            "remove_logo" => remove = true,
            // A form without a file chosen still sends the field, empty.
            "logo" if !bytes.is_empty() => upload = Some(bytes),
            _ => {}
        }
    }
    let logo = match (upload, remove) {
        (Some(bytes), _) => LogoChange::Upload(bytes),
        (None, true) => LogoChange::Remove,
        (None, false) => LogoChange::Keep,
    };
    usecases::branding::save(&*platform()?, &tenant, &member, form, logo).await?;
    crate::ssr::redirect("/settings/branding?done=saved");
    Ok(())
}
