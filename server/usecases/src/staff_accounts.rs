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

/// Sets a staff password with a one-time link (the way back in: every session of the
/// account ends, and a disabled account is given back).
pub async fn set_password(p: &Platform, token: &Token, password: String) -> Result<(), Error> {
    let used =
        || Error::NotFound("This link has been used or has expired. Ask for a new one.".into());
    let email = setup_email(p, token).await?.ok_or_else(used)?;
    let password = passwords::parse_uncommon(password, &[email.as_str()])
        .await
        .map_err(|e| Error::field("password", e.to_string()))?;
    let hash = passwords::hash(&password).await?;
    let mut tx = p.db.owner.begin().await?;
    if db::staff::set_password(&mut tx, token, &hash)
        .await?
        .is_none()
    {
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
    let creds = confirm_password(
        p,
        staff,
        current,
        "current_password",
        "That is not your current password.",
    )
    .await?;
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

/// Checks a signed-in staff member's own password before a change to their account,
/// counted against the account's limit like a sign-in: their credentials, or the refusal
/// (`wrong` under `field`).
pub(crate) async fn confirm_password(
    p: &Platform,
    staff: &crate::staff_sign_in::Staff,
    password: &str,
    field: &str,
    wrong: &str,
) -> Result<db::staff::Credentials, Error> {
    let creds = db::staff::credentials_by_id(&p.db.owner, staff.id)
        .await?
        .ok_or(Error::SignInRequired)?;
    let key = format!("staff:{}", creds.email);
    let limit = p.limits.login;
    if db::password_attempts::reserve(&p.db.owner, &key, limit.count, limit.window)
        .await?
        .is_none()
    {
        return Err(crate::limits::refused(
            crate::limits::Scope::Login,
            "Too many password attempts.",
            limit.window,
        ));
    }
    if !passwords::matches_stored(creds.password_hash.as_deref(), password).await? {
        return Err(Error::field(field, wrong));
    }
    db::password_attempts::forget(&p.db.owner, &key).await?;
    Ok(creds)
}

/// Ends every session of the staff account of `email` (`cargo hcrm staff-sessions end`):
/// how many.
pub async fn end_sessions(p: &Platform, email: &Email, actor: &Actor) -> Result<u64, Error> {
    let mut tx = p.db.owner.begin().await?;
    let staff = db::staff::credentials(&p.db.owner, email)
        .await?
        .ok_or_else(|| no_such_staff(email))?;
    let ended = db::staff_sessions::delete_all(&mut tx, staff.id).await?;
    audit(
        &mut tx,
        None,
        actor,
        "staff.sessions_ended",
        json!({ "email": email.as_str(), "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Disables the staff account of `email`: its sessions end and it cannot sign in until a
/// new set-password link (`create-staff`) gives it back. Staff cannot disable themselves.
pub async fn disable(p: &Platform, email: &Email, actor: &Actor) -> Result<(), Error> {
    if matches!(actor, Actor::Staff(me) if me == email.as_str()) {
        return Err(Error::Conflict {
            code: "disable_self",
            message: "You cannot disable your own account.".into(),
        });
    }
    let mut tx = p.db.owner.begin().await?;
    db::staff::disable(&mut tx, email)
        .await?
        .ok_or_else(|| no_such_staff(email))?;
    audit(
        &mut tx,
        None,
        actor,
        "staff.disabled",
        json!({ "email": email.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every staff account, for the console's staff page.
pub async fn list(p: &Platform) -> Result<Vec<domain::console::StaffMember>, Error> {
    Ok(db::staff::list(&p.db.owner)
        .await?
        .into_iter()
        .map(|s| domain::console::StaffMember {
            email: s.email,
            two_factor_on: s.totp_on,
            disabled: s.disabled,
            sessions: s.sessions,
        })
        .collect())
}

fn no_such_staff(email: &Email) -> Error {
    Error::NotFound(format!("There is no staff account {email}."))
}
