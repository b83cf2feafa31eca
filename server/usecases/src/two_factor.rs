//! Two-factor sign-in for staff: TOTP as RFC 6238 has it (SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way), with totp-rs. A secret is drawn when the
//! account page is opened without two-factor, shown (as text and as a QR code) until a
//! correct code turns it on, and never shown again after. A code works once: the step it
//! belongs to is recorded, and only later steps are accepted after it.

use domain::console::{StaffAccount, TwoFactor};
use serde_json::json;
use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use crate::{Error, Platform, actor::audit, secrets::random_bytes, staff_sign_in::Staff};

/// Minutes a drawn secret waits for its first code before a new one is drawn.
const SETUP_MINUTES: i32 = 30;
const STEP_SECS: u64 = 30;
const ISSUER: &str = "HREF CRM";

fn totp(secret: Vec<u8>, email: &str) -> Result<TOTP, Error> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        secret,
        Some(ISSUER.to_owned()),
        email.to_owned(),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "a two-factor secret was refused");
        Error::Internal
    })
}

/// The 30-second step whose code `code` is, within one step of `now`, if any.
fn matching_step(totp: &TOTP, code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = now / STEP_SECS;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| {
            let expected = totp.generate(s * STEP_SECS);
            // Constant time: a near miss must not answer faster than a far one.
            expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        })
        .and_then(|s| i64::try_from(s).ok())
}

fn now_secs() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

fn wrong_code() -> Error {
    Error::field(
        "code",
        "That code is not right. Enter the 6 digits your app shows now.",
    )
}

/// `/admin/account`: the account and where its two-factor stands. Without two-factor, the
/// secret being set up (drawn now if there is none from the last 30 minutes).
pub async fn account(p: &Platform, staff: &Staff) -> Result<StaffAccount, Error> {
    let creds = db::staff::credentials_by_id(&p.db.owner, staff.id)
        .await?
        .ok_or(Error::SignInRequired)?;
    let two_factor = if creds.totp_on {
        TwoFactor::On
    } else {
        let secret = match db::staff::pending_totp(&p.db.owner, staff.id, SETUP_MINUTES).await? {
            Some(secret) => secret,
            None => {
                let secret = random_bytes::<20>().to_vec();
                db::staff::set_pending_totp(&p.db.owner, staff.id, &secret).await?;
                secret
            }
        };
        let totp = totp(secret, &creds.email)?;
        let qr_svg = qrcode::QrCode::new(totp.get_url().as_bytes())
            .map_err(|_| Error::Internal)?
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build();
        TwoFactor::SettingUp {
            secret: totp.get_secret_base32(),
            qr_svg,
        }
    };
    Ok(StaffAccount {
        email: creds.email,
        two_factor,
    })
}

/// Turns two-factor on with the secret being set up, once `code` proves the app has it.
pub async fn turn_on(p: &Platform, staff: &Staff, code: &str) -> Result<(), Error> {
    let secret = db::staff::pending_totp(&p.db.owner, staff.id, SETUP_MINUTES)
        .await?
        .ok_or_else(|| {
            Error::field(
                "code",
                "This set-up has expired. Reload the page and scan the new code.",
            )
        })?;
    let step = matching_step(&totp(secret.clone(), &staff.email)?, code, now_secs())
        .ok_or_else(wrong_code)?;
    if !db::staff::enable_totp(&p.db.owner, staff.id, &secret, step).await? {
        return Err(Error::Conflict {
            code: "two_factor_changed",
            message: "Two-factor was set up in another window meanwhile. Reload the page.".into(),
        });
    }
    let mut tx = p.db.owner.begin().await?;
    audit(
        &mut tx,
        None,
        &staff.actor(),
        "staff.two_factor_on",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts `code` for `staff`'s sign-in, once: a code of a step already used is refused.
pub(crate) async fn accept_code(p: &Platform, staff: Uuid, code: &str) -> Result<(), Error> {
    let creds = db::staff::credentials_by_id(&p.db.owner, staff)
        .await?
        .ok_or(Error::SignInRequired)?;
    let secret = db::staff::totp_secret(&p.db.owner, staff)
        .await?
        .ok_or(Error::SignInRequired)?;
    let step =
        matching_step(&totp(secret, &creds.email)?, code, now_secs()).ok_or_else(wrong_code)?;
    if !db::staff::use_totp_step(&p.db.owner, staff, step).await? {
        return Err(Error::field(
            "code",
            "That code was used already. Wait for the next one your app shows.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_totp() -> TOTP {
        // RFC 6238's SHA-1 test secret.
        totp(b"12345678901234567890".to_vec(), "staff@example.com").unwrap()
    }

    #[test]
    fn codes_match_rfc_6238_within_one_step_either_way() {
        let totp = rfc_totp();
        // RFC 6238, appendix B: T = 59 s gives 94287082 (8 digits); 6 digits: 287082.
        assert_eq!(totp.generate(59), "287082");
        assert_eq!(matching_step(&totp, "287082", 59), Some(1));
        assert_eq!(matching_step(&totp, "287 082", 80), Some(1));
        assert_eq!(matching_step(&totp, "287082", 59 + 3 * 30), None);
        assert_eq!(matching_step(&totp, "28708", 59), None);
        assert_eq!(matching_step(&totp, "abcdef", 59), None);
    }
}
