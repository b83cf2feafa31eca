//! Settings → Branding: the workspace's name, tagline, colour and logo.
//!
//! A logo is judged by its content (PNG, JPEG or WebP magic bytes), at most 2 MB and
//! 4096 × 4096 pixels (read from its header before anything is decoded, and enforced again
//! by the decoder's limits, so an image bomb is refused before it is decoded in full), then
//! decoded, shrunk to fit 512 × 512 and re-encoded as PNG on the blocking pool: what is
//! stored and served is never the uploaded file, and carries none of its metadata.
//!
//! A small file can still decode to a large buffer (4096 × 4096 at 16 bits a channel is
//! 128 MiB from about 100 KB), so the decoded size is worked out from the header too and
//! held to [`MAX_DECODED_BYTES`]; and a workspace has at most one logo in the works at a
//! time, so uploads cannot queue up without bound (`docs/security.md`, "Uploads").

use std::{
    collections::HashSet,
    io::Cursor,
    sync::{Arc, LazyLock, Mutex, PoisonError},
};

use db::{logos::Logo, members::Member, tenants::ResolvedTenant};
use domain::{
    Fields,
    settings::{Branding, BrandingForm},
};
use image::{ImageDecoder, ImageFormat, ImageReader, Limits};
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
/// The largest buffer a logo may decode to (width × height × bytes per pixel).
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;
/// Room for the decoder's own buffers beside the image.
const DECODER_SCRATCH_BYTES: u64 = 16 * 1024 * 1024;
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
    /// Decoded, the image would need more than [`MAX_DECODED_BYTES`]: at most so many
    /// pixels at its colour depth.
    #[error(
        "This image is too large: at most {} pixels at its colour depth. Save it smaller or with 8 bits a channel.",
        thousands(*.0)
    )]
    TooMuchMemory(u64),
    #[error("Another logo of this workspace is being processed. Try again in a moment.")]
    Busy,
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
    // The header alone says the size and the colour depth: nothing is decoded yet.
    let decoder = ImageReader::with_format(Cursor::new(upload), format)
        .into_decoder()
        .map_err(|_| LogoError::Unreadable)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_LOGO_PIXELS || height > MAX_LOGO_PIXELS {
        return Err(LogoError::TooManyPixels(width, height));
    }
    let bytes_per_pixel = u64::from(decoder.color_type().bytes_per_pixel()).max(1);
    if u64::from(width) * u64::from(height) * bytes_per_pixel > MAX_DECODED_BYTES {
        return Err(LogoError::TooMuchMemory(
            MAX_DECODED_BYTES / bytes_per_pixel,
        ));
    }
    drop(decoder);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_LOGO_PIXELS);
    limits.max_image_height = Some(MAX_LOGO_PIXELS);
    limits.max_alloc = Some(MAX_DECODED_BYTES + DECODER_SCRATCH_BYTES);
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

/// `8388608` as `8,388,608`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The workspaces with a logo in the works (in this process).
static PROCESSING: LazyLock<Mutex<HashSet<uuid::Uuid>>> = LazyLock::new(Mutex::default);

/// A workspace's turn at processing a logo, given back when dropped.
struct LogoTurn(uuid::Uuid);

impl LogoTurn {
    /// The turn of `tenant`, unless one of its logos is in the works already.
    fn take(tenant: uuid::Uuid) -> Option<LogoTurn> {
        let mut processing = PROCESSING.lock().unwrap_or_else(PoisonError::into_inner);
        // Made only when it is ours: a turn dropped here would lock the set a second time.
        if processing.insert(tenant) {
            Some(LogoTurn(tenant))
        } else {
            None
        }
    }
}

impl Drop for LogoTurn {
    fn drop(&mut self) {
        PROCESSING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
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
        LogoChange::Upload(bytes) => {
            let prepared = match LogoTurn::take(tenant.id.0) {
                Some(_turn) => prepare_logo(bytes).await?,
                None => Err(LogoError::Busy),
            };
            match prepared {
                Ok(logo) => Some(Some(logo)),
                Err(e) => {
                    fields.add("logo", e.to_string());
                    None
                }
            }
        }
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

    /// A 4096 × 4096 PNG at 16 bits a channel (RGBA: 8 bytes a pixel, 128 MiB decoded) of
    /// one colour: about 100 KB compressed.
    fn deep_png(width: u32, height: u32) -> Vec<u8> {
        use image::{ImageEncoder, codecs::png::PngEncoder};
        let row = vec![0u8; width as usize * 8];
        let mut raw = Vec::with_capacity(row.len() * height as usize);
        for _ in 0..height {
            raw.extend_from_slice(&row);
        }
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(&raw, width, height, image::ExtendedColorType::Rgba16)
            .unwrap();
        out
    }

    #[tokio::test]
    async fn an_image_that_would_decode_past_64_mib_is_refused_from_its_header() {
        let bomb = deep_png(4096, 4096);
        assert!(bomb.len() < MAX_LOGO_BYTES, "{} bytes", bomb.len());
        let refused = prepare_logo(bomb).await.unwrap().unwrap_err();
        assert_eq!(refused, LogoError::TooMuchMemory(8 * 1024 * 1024));
        assert!(
            refused
                .to_string()
                .starts_with("This image is too large: at most 8,388,608 pixels"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn a_deep_image_within_64_mib_is_still_accepted() {
        let logo = prepare_logo(deep_png(1024, 1024)).await.unwrap().unwrap();
        let stored = image::load_from_memory(&logo.png).unwrap();
        assert_eq!((stored.width(), stored.height()), (512, 512));
    }

    #[test]
    fn a_workspace_processes_one_logo_at_a_time() {
        let tenant = uuid::Uuid::new_v4();
        let first = LogoTurn::take(tenant).expect("the first upload gets its turn");
        assert!(LogoTurn::take(tenant).is_none(), "a second waits for none");
        assert!(
            LogoTurn::take(uuid::Uuid::new_v4()).is_some(),
            "another workspace has its own turn"
        );
        drop(first);
        assert!(LogoTurn::take(tenant).is_some(), "the turn comes back");
    }

    #[test]
    fn big_numbers_are_written_with_thousands_separators() {
        assert_eq!(thousands(8_388_608), "8,388,608");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
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
