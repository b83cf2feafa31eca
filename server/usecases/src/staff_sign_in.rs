//! Signing HREF staff in to the console on the apex, and telling who is signed in
//! (`docs/console.md`, "Staff sign-in"). Staff are not tenant users: a tenant account's
//! email and password get the same answer as a wrong password. Failures are counted per
//! account and per client network before anything is hashed. A session lives 15 minutes
//! idle and 8 hours at most; with two-factor on it is worth nothing until its code came.
//!
//! An account locked by too many failures (a stranger can cause that by failing on purpose)
//! still lets its owner in with the password and a two-factor code together, from a network
//! that has not failed for that account: the code proves possession of the device, and a
//! wrong password or code answers exactly as the lock does (`docs/security.md`, "Staff
//! sign-in").

use std::net::IpAddr;

use domain::{Email, Token};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Actor, Error, Platform,
    actor::audit,
    limits::{Scope, client_key, refused},
    passwords, secrets, two_factor,
};

/// The one answer for a wrong email, a wrong password, or a tenant user's credentials.
pub const NO_MATCH: &str = "That email and password do not match a staff account.";
/// The answer for a locked account, whatever else was wrong.
pub use domain::console::STAFF_LOCKED as LOCKED;
/// Client networks may fail this many times the per-account limit within its window.
const NETWORK_FACTOR: u32 = 5;

/// A signed-in staff member: what the console's use cases take as proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
    /// Two-factor is on for the account.
    pub two_factor_on: bool,
}

impl Staff {
    /// The audit log's actor for this staff member.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.email.clone())
    }

    /// Whether the console stays closed to them but for their account page, where two-factor
    /// is set up: the platform requires it (`STAFF_TWO_FACTOR`) and it is off.
    pub fn must_set_up_two_factor(&self, p: &Platform) -> bool {
        p.settings.staff_two_factor_required && !self.two_factor_on
    }
}

/// A session: its cookie value, and whether it still waits for a two-factor code.
#[derive(Debug)]
pub struct StartedSession {
    pub cookie: Token,
    pub needs_code: bool,
}

/// The session a cookie stands for, as far as it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Current {
    SignedIn(Staff),
    NeedsCode(Staff),
}

fn account_key(email: &Email) -> String {
    format!("staff:{}", email.as_str())
}

fn network_key(client: IpAddr) -> String {
    format!("staff-network:{}", client_key(client))
}

/// The failures of one client network against one account: a network that failed for an
/// account cannot use the way past its lock.
fn pair_key(email: &Email, client: IpAddr) -> String {
    format!("staff-pair:{}|{}", email.as_str(), client_key(client))
}

/// Checks a staff member's email and password; starts a session when they match. `code`
/// is the two-factor code when given on the same form (the way in past a locked account).
pub async fn sign_in(
    p: &Platform,
    email: &Email,
    password: &str,
    code: Option<&str>,
    client: Option<IpAddr>,
) -> Result<StartedSession, Error> {
    let owner = &p.db.owner;
    let limit = p.limits.login;
    let too_many = || refused(Scope::Login, "Too many sign-in attempts.", limit.window);
    if let Some(client) = client {
        let network_limit = limit.count.saturating_mul(NETWORK_FACTOR);
        db::password_attempts::reserve(owner, &network_key(client), network_limit, limit.window)
            .await?
            .ok_or_else(too_many)?;
    }
    let account = account_key(email);
    let locked = db::password_attempts::reserve(owner, &account, limit.count, limit.window)
        .await?
        .is_none();
    let pair = client.map(|c| pair_key(email, c));
    if let Some(pair) = &pair {
        // Unlocked, every attempt is recorded for its network; locked, a network gets one
        // try, and only if it never failed for this account within the window.
        let allowed = if locked { 1 } else { u32::MAX };
        let reserved = db::password_attempts::reserve(owner, pair, allowed, limit.window).await?;
        if locked && reserved.is_none() {
            return Err(refused(Scope::Login, LOCKED, limit.window));
        }
    }
    let staff = db::staff::credentials(owner, email).await?;
    let stored = staff.as_ref().and_then(|s| s.password_hash.as_deref());
    let matched = passwords::matches_stored(stored, password).await?;
    if locked {
        return past_the_lock(p, staff, matched, code, pair.as_deref()).await;
    }
    if !matched {
        tracing::info!("staff sign-in refused");
        return Err(Error::field("password", NO_MATCH));
    }
    let staff = staff.ok_or(Error::Internal)?;
    if staff.disabled {
        return Err(Error::forbidden(
            "This staff account is disabled. Ask another member of HREF staff.",
        ));
    }
    db::password_attempts::forget(owner, &account).await?;
    if let Some(pair) = &pair {
        db::password_attempts::forget(owner, pair).await?;
    }
    let cookie = secrets::new_token();
    db::staff_sessions::insert(owner, &cookie.hash(), staff.id, staff.totp_on).await?;
    if !staff.totp_on {
        record_sign_in(p, &staff.email, false).await?;
    }
    Ok(StartedSession {
        cookie,
        needs_code: staff.totp_on,
    })
}

/// A sign-in to a locked account: only the right password with a right code, for an account
/// with two-factor on, gets in; anything else is answered as the lock is, so the attempt
/// tells nothing about the password. The account's failures stay counted.
async fn past_the_lock(
    p: &Platform,
    staff: Option<db::staff::Credentials>,
    matched: bool,
    code: Option<&str>,
    pair: Option<&str>,
) -> Result<StartedSession, Error> {
    let locked = || refused(Scope::Login, LOCKED, p.limits.login.window);
    let (Some(staff), Some(code), Some(pair)) = (staff, code, pair) else {
        return Err(locked());
    };
    if !matched || !staff.totp_on || staff.disabled {
        return Err(locked());
    }
    if two_factor::accept_code(p, staff.id, code).await.is_err() {
        return Err(locked());
    }
    db::password_attempts::forget(&p.db.owner, pair).await?;
    let cookie = secrets::new_token();
    db::staff_sessions::insert(&p.db.owner, &cookie.hash(), staff.id, false).await?;
    record_sign_in(p, &staff.email, true).await?;
    Ok(StartedSession {
        cookie,
        needs_code: false,
    })
}

/// Finishes a sign-in that waits for its two-factor code: the code must be right and not
/// used before. The session is replaced by a new one (a new cookie), signed in.
pub async fn enter_code(p: &Platform, cookie: &Token, code: &str) -> Result<Token, Error> {
    let Some(Current::NeedsCode(staff)) = current(p, cookie).await? else {
        return Err(Error::SignInRequired);
    };
    let limit = p.limits.login;
    let key = format!("staff-code:{}", staff.id);
    if db::password_attempts::reserve(&p.db.owner, &key, limit.count, limit.window)
        .await?
        .is_none()
    {
        return Err(refused(Scope::Login, "Too many codes tried.", limit.window));
    }
    two_factor::accept_code(p, staff.id, code).await?;
    db::password_attempts::forget(&p.db.owner, &key).await?;
    db::staff_sessions::delete(&p.db.owner, &cookie.hash()).await?;
    let fresh = secrets::new_token();
    db::staff_sessions::insert(&p.db.owner, &fresh.hash(), staff.id, false).await?;
    record_sign_in(p, &staff.email, false).await?;
    Ok(fresh)
}

async fn record_sign_in(p: &Platform, email: &str, past_lock: bool) -> Result<(), Error> {
    let mut tx = p.db.owner.begin().await?;
    audit(
        &mut tx,
        None,
        &Actor::Staff(email.to_owned()),
        "staff.signed_in",
        if past_lock {
            json!({ "past_lock": true })
        } else {
            json!({})
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The session behind `cookie`, if it is still alive (which also keeps it alive).
pub async fn current(p: &Platform, cookie: &Token) -> Result<Option<Current>, Error> {
    let session = db::staff_sessions::touch(&p.db.owner, &cookie.hash()).await?;
    Ok(session.map(|s| {
        let staff = Staff {
            id: s.staff_id,
            email: s.email,
            two_factor_on: s.totp_on,
        };
        if s.needs_code {
            Current::NeedsCode(staff)
        } else {
            Current::SignedIn(staff)
        }
    }))
}

/// Ends the session behind `cookie`.
pub async fn sign_out(p: &Platform, cookie: &Token) -> Result<(), Error> {
    db::staff_sessions::delete(&p.db.owner, &cookie.hash()).await?;
    Ok(())
}
