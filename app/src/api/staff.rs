//! HREF staff accounts on the apex: setting a password from a `create-staff` link.
//! Staff data is reached through the owner connection only (see `db::staff`).

use leptos::prelude::*;

use crate::error::AppError;

/// The staff email a set-password link belongs to, if the link still works.
#[server]
pub async fn get_staff_setup(token: String) -> Result<Option<String>, AppError> {
    use crate::ssr::{RequestSite, app_state, request_site};
    use domain::Token;

    if request_site() != RequestSite::Apex {
        return Err(AppError::NotFound("There is no such page here.".into()));
    }
    let state = app_state()?;
    let Ok(token) = Token::parse(&token) else {
        return Ok(None);
    };
    Ok(db::staff::find_open_token(&state.db.owner, &token).await?)
}

/// Sets a staff password with a one-time link, then shows that it is done.
#[server]
pub async fn set_staff_password(token: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{RequestSite, app_state, passwords::parse_uncommon, request_site};
    use domain::Token;

    if request_site() != RequestSite::Apex {
        return Err(AppError::NotFound("There is no such page here.".into()));
    }
    let state = app_state()?;
    let used =
        || AppError::NotFound("This link has been used or has expired. Ask for a new one.".into());
    let token = Token::parse(&token).map_err(|_| used())?;
    let email = db::staff::find_open_token(&state.db.owner, &token)
        .await?
        .ok_or_else(used)?;
    let password = parse_uncommon(password, &[email.as_str()])
        .await
        .map_err(|e| AppError::field("password", e.to_string()))?;
    let hash = db::credentials::hash_password(&password).await?;
    let mut tx = state.db.owner.begin().await.map_err(db::Error::from)?;
    if !db::staff::set_password(&mut tx, &token, &hash).await? {
        return Err(used());
    }
    db::audit::record(
        &mut tx,
        None,
        &format!("staff:{email}"),
        "staff.password_set",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    leptos_axum::redirect("/admin/password-set");
    Ok(())
}
