//! Settings → Branding: the workspace's name, tagline, colour and logo.
//!
//! A logo is judged by its content (PNG, JPEG or WebP magic bytes), at most 2 MB and
//! 4096 × 4096 pixels (read from its header before anything is decoded, and enforced again
//! by the decoder's limits, so an image bomb is refused before it is decoded in full), then
//! decoded, shrunk to fit 512 × 512 and re-encoded as PNG on the blocking pool: what is
//! stored and served is never the uploaded file, and carries none of its metadata.

use std::{
    io::Cursor,
    sync::{Arc, LazyLock},
};

use db::{logos::Logo, members::Member, tenants::ResolvedTenant};
use domain::{
    Fields,
    settings::{Branding, BrandingForm},
};
use image::{ImageFormat, ImageReader, Limits};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::{
    Error, Platform,
    actor::{admin, audit},
    blocking::{cores, on_blocking_pool},
};

/// The largest logo file accepted.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
/// The widest and tallest logo accepted, in pixels.
pub const MAX_LOGO_PIXELS: u32 = 4096;
/// The size a logo is stored at, at most.
const STORED_PIXELS: u32 = 512;

static IMAGE_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(cores())));

/// What to do with the logo when the branding is saved.
#[derive(Clone, Debug)]
pub enum LogoChange {
    Keep,
    /// A new file, as uploaded.
    Upload(Vec<u8>),
    Remove,
}

/// Why a logo was refused: the sentence next to the Logo field.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LogoError {
    #[error("The logo must be at most 2 MB; this file is {0:.1} MB.")]
    TooLarge(f64),
    #[error(
        "Use a PNG, JPEG or WebP image. This file is not one: its content was checked, not its name."
    )]
    NotAnImage,
    #[error("The logo must be at most 4096 × 4096 pixels; this one is {0} × {1}.")]
    TooManyPixels(u32, u32),
    #[error(
        "This image is damaged or incomplete and could not be read. Save it again and upload it."
    )]
    Unreadable,
}

/// Checks, decodes and re-encodes an uploaded logo, on the blocking pool.
pub async fn prepare_logo(upload: Vec<u8>) -> Result<Result<Logo, LogoError>, Error> {
    if upload.len() > MAX_LOGO_BYTES {
        return Ok(Err(LogoError::TooLarge(
            upload.len() as f64 / (1024.0 * 1024.0),
        )));
    }
    on_blocking_pool(&IMAGE_SLOTS, move || reencode(&upload)).await
}

fn reencode(upload: &[u8]) -> Result<Logo, LogoError> {
    let format = match image::guess_format(upload) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
        _ => return Err(LogoError::NotAnImage),
    };
    let (width, height) = ImageReader::with_format(Cursor::new(upload), format)
        .into_dimensions()
        .map_err(|_| LogoError::Unreadable)?;
    if width > MAX_LOGO_PIXELS || height > MAX_LOGO_PIXELS {
        return Err(LogoError::TooManyPixels(width, height));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_LOGO_PIXELS);
    limits.max_image_height = Some(MAX_LOGO_PIXELS);
    // Four bytes a pixel at the largest size, and room for the decoder's own buffers.
    limits.max_alloc = Some(u64::from(MAX_LOGO_PIXELS).pow(2) * 4 * 2);
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| LogoError::Unreadable)?;
    let fitted = if width > STORED_PIXELS || height > STORED_PIXELS {
        decoded.thumbnail(STORED_PIXELS, STORED_PIXELS)
    } else {
        decoded
    };
    let mut png = Vec::new();
    fitted
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| LogoError::Unreadable)?;
    let digest = Sha256::digest(&png);
    let etag = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    Ok(Logo { png, etag })
}

/// What Settings → Branding shows.
pub async fn view(p: &Platform, tenant: &ResolvedTenant) -> Result<Branding, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let settings = db::tenants::settings(&mut tx).await?;
    let logo = db::logos::etag(&mut tx).await?;
    tx.commit().await?;
    Ok(Branding {
        name: settings.name,
        tagline: settings.tagline,
        colour: settings.brand_colour,
        logo,
    })
}

/// Saves the branding form and the logo change, after checking both: a bad field or a bad
/// logo changes nothing, and every problem is told at once.
pub async fn save(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    form: BrandingForm,
    logo: LogoChange,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut fields = Fields::default();
    let change = match form.parse() {
        Ok(change) => Some(change),
        Err(errors) => {
            for (field, message) in errors {
                fields.add(&field, message);
            }
            None
        }
    };
    let logo = match logo {
        LogoChange::Upload(bytes) => match prepare_logo(bytes).await? {
            Ok(logo) => Some(Some(logo)),
            Err(e) => {
                fields.add("logo", e.to_string());
                None
            }
        },
        LogoChange::Remove => Some(None),
        LogoChange::Keep => None,
    };
    let Some(change) = change.filter(|_| fields.is_empty()) else {
        return Err(Error::fields(fields.into_errors()));
    };

    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::tenants::update_branding(&mut tx, &change.name, &change.tagline, &change.colour).await?;
    let logo_change = match &logo {
        Some(Some(new)) => {
            db::logos::put(&mut tx, tenant.id, new).await?;
            Some("replaced")
        }
        Some(None) => db::logos::delete(&mut tx).await?.then_some("removed"),
        None => None,
    };
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "branding.updated",
        json!({
            "name": change.name.as_str(),
            "tagline": change.tagline.as_str(),
            "colour": change.colour.as_str(),
            "logo": logo_change,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The workspace's uploaded logo, if it has one.
pub async fn logo(p: &Platform, tenant: &ResolvedTenant) -> Result<Option<Logo>, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let logo = db::logos::find(&mut tx).await?;
    tx.commit().await?;
    Ok(logo)
}

#[cfg(test)]
mod tests {
    use image::{ImageBuffer, Rgb};

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image: ImageBuffer<Rgb<u8>, Vec<u8>> =
            ImageBuffer::from_fn(width, height, |x, y| Rgb([x as u8, y as u8, 99]));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[tokio::test]
    async fn a_png_is_stored_as_a_png_of_at_most_512_pixels() {
        let logo = prepare_logo(png(1000, 400)).await.unwrap().unwrap();
        let stored = image::load_from_memory(&logo.png).unwrap();
        assert_eq!((stored.width(), stored.height()), (512, 205));
        assert_eq!(image::guess_format(&logo.png).unwrap(), ImageFormat::Png);
        assert_eq!(logo.etag.len(), 24);
    }

    #[tokio::test]
    async fn svg_text_and_renamed_files_are_refused_by_their_content() {
        let svg =
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        assert_eq!(prepare_logo(svg).await.unwrap(), Err(LogoError::NotAnImage));
        assert_eq!(
            prepare_logo(b"just some text, renamed to logo.png".to_vec())
                .await
                .unwrap(),
            Err(LogoError::NotAnImage)
        );
    }

    #[tokio::test]
    async fn a_file_over_2_mb_is_refused_before_it_is_read() {
        let mut big = png(8, 8);
        big.resize(5 * 1024 * 1024, 0);
        assert_eq!(
            prepare_logo(big).await.unwrap(),
            Err(LogoError::TooLarge(5.0))
        );
    }

    #[tokio::test]
    async fn a_truncated_png_is_refused_as_unreadable() {
        let mut cut = png(64, 64);
        cut.truncate(cut.len() / 2);
        assert_eq!(prepare_logo(cut).await.unwrap(), Err(LogoError::Unreadable));
    }

    #[tokio::test]
    async fn an_image_larger_than_4096_pixels_is_refused_from_its_header() {
        // A PNG header that claims 20000 × 20000 pixels: nothing is decoded.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        // The IHDR chunk's CRC (over its type and data) must still match.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            prepare_logo(bomb).await.unwrap(),
            Err(LogoError::TooManyPixels(20_000, 20_000))
        );
    }
}
