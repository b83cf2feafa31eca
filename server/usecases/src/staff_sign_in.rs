//! Signing HREF staff in to the console on the apex, and telling who is signed in
//! (`docs/console.md`, "Staff sign-in"). Staff are not tenant users: a tenant account's
//! email and password get the same answer as a wrong password. Failures are counted per
//! account and per client network before anything is hashed. A session lives 15 minutes
//! idle and 8 hours at most; with two-factor on it is worth nothing until its code came.

use std::net::IpAddr;

use domain::{Email, Token};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Actor, Error, Platform, actor::audit, limits::client_key, passwords, secrets, two_factor,
};

/// The one answer for a wrong email, a wrong password, or a tenant user's credentials.
pub const NO_MATCH: &str = "That email and password do not match a staff account.";
/// Client networks may fail this many times the per-account limit within its window.
const NETWORK_FACTOR: u32 = 5;

/// A signed-in staff member: what the console's use cases take as proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
}

impl Staff {
    /// The audit log's actor for this staff member.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.email.clone())
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

/// Checks a staff member's email and password; starts a session when they match.
pub async fn sign_in(
    p: &Platform,
    email: &Email,
    password: &str,
    client: Option<IpAddr>,
) -> Result<StartedSession, Error> {
    let limit = p.limits.login;
    let refused = || Error::rate_limited("Too many sign-in attempts.", limit.window);
    let account = account_key(email);
    if db::staff::reserve_attempt(&p.db.owner, &account, limit.count, limit.window)
        .await?
        .is_none()
    {
        return Err(refused());
    }
    let network = client.map(network_key);
    if let Some(network) = &network {
        let network_limit = limit.count.saturating_mul(NETWORK_FACTOR);
        if db::staff::reserve_attempt(&p.db.owner, network, network_limit, limit.window)
            .await?
            .is_none()
        {
            return Err(refused());
        }
    }
    let staff = db::staff::credentials(&p.db.owner, email).await?;
    let stored = staff.as_ref().and_then(|s| s.password_hash.as_deref());
    if !passwords::matches_stored(stored, password).await? {
        tracing::info!("staff sign-in refused");
        return Err(Error::field("password", NO_MATCH));
    }
    let staff = staff.ok_or(Error::Internal)?;
    db::staff::forget_attempts(&p.db.owner, &account).await?;
    if let Some(network) = &network {
        db::staff::forget_attempts(&p.db.owner, network).await?;
    }
    let cookie = secrets::new_token();
    db::staff_sessions::insert(&p.db.owner, &cookie.hash(), staff.id, staff.totp_on).await?;
    if !staff.totp_on {
        record_sign_in(p, &staff.email).await?;
    }
    Ok(StartedSession {
        cookie,
        needs_code: staff.totp_on,
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
    if db::staff::reserve_attempt(&p.db.owner, &key, limit.count, limit.window)
        .await?
        .is_none()
    {
        return Err(Error::rate_limited("Too many codes tried.", limit.window));
    }
    two_factor::accept_code(p, staff.id, code).await?;
    db::staff::forget_attempts(&p.db.owner, &key).await?;
    db::staff_sessions::delete(&p.db.owner, &cookie.hash()).await?;
    let fresh = secrets::new_token();
    db::staff_sessions::insert(&p.db.owner, &fresh.hash(), staff.id, false).await?;
    record_sign_in(p, &staff.email).await?;
    Ok(fresh)
}

async fn record_sign_in(p: &Platform, email: &str) -> Result<(), Error> {
    let mut tx = p.db.owner.begin().await?;
    audit(
        &mut tx,
        None,
        &Actor::Staff(email.to_owned()),
        "staff.signed_in",
        json!({}),
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
