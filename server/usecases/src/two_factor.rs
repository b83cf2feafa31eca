//! Two-factor sign-in for staff: TOTP as RFC 6238 has it (SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way), with totp-rs. A secret is drawn when the
//! account page is opened without two-factor, shown (as text and as a QR code) until a
//! correct code turns it on, and never shown again after. A code works once: the step it
//! belongs to is recorded, and only later steps are accepted after it.
//!
//! Secrets are stored sealed with the key kept outside the database (`crate::sealing`),
//! bound to their account. Turning two-factor on or off ends every other session of the
//! account, and the session that made the change is given a new id.

use domain::console::{StaffAccount, TwoFactor};
use serde_json::json;
use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use domain::Token;

use crate::{
    Error, Platform, actor::audit, sealing::SealingKey, secrets, secrets::random_bytes,
    staff_sign_in::Staff,
};

/// What a sealed secret is for, bound to its account: a secret cannot be moved to another.
fn purpose(staff: Uuid) -> Vec<u8> {
    format!("hcrm staff totp secret v1 {staff}").into_bytes()
}

fn seal(key: &SealingKey, staff: Uuid, secret: &[u8]) -> Vec<u8> {
    key.seal_bytes(&purpose(staff), secret)
}

fn open(key: &SealingKey, staff: Uuid, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    key.open_bytes(&purpose(staff), sealed).map_err(|_| {
        tracing::error!(%staff, "a two-factor secret cannot be opened with this sealing key");
        Error::Internal
    })
}

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
            Some(sealed) => open(&p.sealing_key, staff.id, &sealed)?,
            None => {
                let secret = random_bytes::<20>().to_vec();
                let sealed = seal(&p.sealing_key, staff.id, &secret);
                db::staff::set_pending_totp(&p.db.owner, staff.id, &sealed).await?;
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
        two_factor_required: p.settings.staff_two_factor_required,
    })
}

/// Turns two-factor on with the secret being set up, once `code` proves the app has it.
/// Every other session of the account ends; the one that asked goes on under the new id
/// returned.
pub async fn turn_on(p: &Platform, staff: &Staff, code: &str) -> Result<Token, Error> {
    let sealed = db::staff::pending_totp(&p.db.owner, staff.id, SETUP_MINUTES)
        .await?
        .ok_or_else(|| {
            Error::field(
                "code",
                "This set-up has expired. Reload the page and scan the new code.",
            )
        })?;
    let secret = open(&p.sealing_key, staff.id, &sealed)?;
    let step =
        matching_step(&totp(secret, &staff.email)?, code, now_secs()).ok_or_else(wrong_code)?;
    let mut tx = p.db.owner.begin().await?;
    if !db::staff::enable_totp(&mut tx, staff.id, &sealed, step).await? {
        return Err(Error::Conflict {
            code: "two_factor_changed",
            message: "Two-factor was set up in another window meanwhile. Reload the page.".into(),
        });
    }
    let (fresh, ended) = renew_session(&mut tx, staff.id).await?;
    audit(
        &mut tx,
        None,
        &staff.actor(),
        "staff.two_factor_on",
        json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(fresh)
}

/// Turns two-factor off, where the platform lets staff go without it, once the password
/// and a current code prove who asks. Every other session of the account ends; the one
/// that asked goes on under the new id returned.
pub async fn turn_off(
    p: &Platform,
    staff: &Staff,
    password: &str,
    code: &str,
) -> Result<Token, Error> {
    if p.settings.staff_two_factor_required {
        return Err(Error::forbidden(
            "Two-factor is required for HREF staff on this platform: it cannot be turned off.",
        ));
    }
    crate::staff_accounts::confirm_password(
        p,
        staff,
        password,
        "password",
        "That is not your password.",
    )
    .await?;
    accept_code(p, staff.id, code).await?;
    let mut tx = p.db.owner.begin().await?;
    if !db::staff::disable_totp(&mut tx, staff.id).await? {
        return Err(Error::Conflict {
            code: "two_factor_changed",
            message: "Two-factor is off already.".into(),
        });
    }
    let (fresh, ended) = renew_session(&mut tx, staff.id).await?;
    audit(
        &mut tx,
        None,
        &staff.actor(),
        "staff.two_factor_off",
        json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(fresh)
}

/// Ends every session of `staff`, the one that made the change included, and starts that
/// one again under a new id (signed in): its new cookie, and how many other sessions ended.
async fn renew_session(tx: &mut db::Tx, staff: Uuid) -> Result<(Token, u64), Error> {
    let ended = db::staff_sessions::delete_all(tx, staff).await?;
    let fresh = secrets::new_token();
    db::staff_sessions::insert(&mut **tx, &fresh.hash(), staff, false).await?;
    Ok((fresh, ended.saturating_sub(1)))
}

/// Seals the two-factor secrets still stored in clear (written before secrets were
/// sealed): run at start-up, once the migrations are applied, by whoever holds the key.
/// How many accounts it sealed.
pub async fn seal_stored_secrets(owner: &db::PgPool, key: &SealingKey) -> Result<usize, Error> {
    let mut tx = owner.begin().await?;
    let clear = db::staff::clear_secrets(&mut tx).await?;
    for account in &clear {
        let secret = account
            .secret
            .as_deref()
            .map(|s| seal(key, account.staff, s));
        let pending = account
            .pending
            .as_deref()
            .map(|s| seal(key, account.staff, s));
        db::staff::replace_clear_secrets(
            &mut tx,
            account.staff,
            secret.as_deref(),
            pending.as_deref(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(clear.len())
}

/// Accepts `code` for `staff`'s sign-in, once: a code of a step already used is refused.
pub(crate) async fn accept_code(p: &Platform, staff: Uuid, code: &str) -> Result<(), Error> {
    let creds = db::staff::credentials_by_id(&p.db.owner, staff)
        .await?
        .ok_or(Error::SignInRequired)?;
    let sealed = db::staff::totp_secret(&p.db.owner, staff)
        .await?
        .ok_or(Error::SignInRequired)?;
    let secret = open(&p.sealing_key, staff, &sealed)?;
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
