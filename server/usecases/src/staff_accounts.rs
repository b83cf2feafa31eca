//! HREF staff accounts: made by `cargo hcrm create-staff`, with a one-time link that sets
//! the password. Staff data is reached through the owner connection only.

use domain::{Email, Token};
use serde_json::json;

pub use db::staff::Created;

use crate::{Actor, Error, Platform, actor::audit, passwords, secrets};

/// Makes (or finds) the staff account of `email` with a fresh one-time link to set its
/// password; earlier links of that account stop working.
pub async fn create_staff(
    p: &Platform,
    email: &Email,
    actor: &Actor,
) -> Result<(Created, Token), Error> {
    let token = secrets::new_token();
    let mut tx = p.db.owner.begin().await?;
    let created = db::staff::create_or_renew(&mut tx, email, &token).await?;
    audit(
        &mut tx,
        None,
        actor,
        "staff.password_link_issued",
        json!({ "email": email.as_str(), "new_account": created == Created::New }),
    )
    .await?;
    tx.commit().await?;
    Ok((created, token))
}

/// The staff email a set-password link belongs to, if the link still works.
pub async fn setup_email(p: &Platform, token: &Token) -> Result<Option<String>, Error> {
    Ok(db::staff::find_open_token(&p.db.owner, token).await?)
}

/// Sets a staff password with a one-time link.
pub async fn set_password(p: &Platform, token: &Token, password: String) -> Result<(), Error> {
    let used =
        || Error::NotFound("This link has been used or has expired. Ask for a new one.".into());
    let email = setup_email(p, token).await?.ok_or_else(used)?;
    let password = passwords::parse_uncommon(password, &[email.as_str()])
        .await
        .map_err(|e| Error::field("password", e.to_string()))?;
    let hash = passwords::hash(&password).await?;
    let mut tx = p.db.owner.begin().await?;
    if !db::staff::set_password(&mut tx, token, &hash).await? {
        return Err(used());
    }
    audit(
        &mut tx,
        None,
        &Actor::Staff(email),
        "staff.password_set",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a signed-in staff member's password after checking the current one; every
/// other session of the account ends, the one behind `keep` stays. How many ended.
pub async fn change_password(
    p: &Platform,
    staff: &crate::staff_sign_in::Staff,
    keep: &Token,
    current: &str,
    new: String,
) -> Result<u64, Error> {
    let creds = db::staff::credentials_by_id(&p.db.owner, staff.id)
        .await?
        .ok_or(Error::SignInRequired)?;
    let key = format!("staff:{}", creds.email);
    let limit = p.limits.login;
    if db::staff::reserve_attempt(&p.db.owner, &key, limit.count, limit.window)
        .await?
        .is_none()
    {
        return Err(Error::rate_limited(
            "Too many password attempts.",
            limit.window,
        ));
    }
    if !passwords::matches_stored(creds.password_hash.as_deref(), current).await? {
        return Err(Error::field(
            "current_password",
            "That is not your current password.",
        ));
    }
    db::staff::forget_attempts(&p.db.owner, &key).await?;
    let password = passwords::parse_uncommon(new, &[creds.email.as_str()])
        .await
        .map_err(|e| Error::field("new_password", e.to_string()))?;
    let hash = passwords::hash(&password).await?;
    let mut tx = p.db.owner.begin().await?;
    db::staff::change_password(&mut tx, staff.id, &hash).await?;
    let ended = db::staff_sessions::delete_others(&mut tx, staff.id, &keep.hash()).await?;
    audit(
        &mut tx,
        None,
        &staff.actor(),
        "staff.password_changed",
        json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
