//! Settings → API: the workspace's key.

use domain::settings::ApiKeyInfo;
use leptos::prelude::*;

use crate::error::AppError;

/// The key's facts; the first view after a rotation also shows the new key, once.
#[server]
pub async fn get_api_key() -> Result<ApiKeyInfo, AppError> {
    use crate::ssr::{
        auth::{NEW_API_KEY, require_admin, session},
        platform,
    };
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

    let (tenant, member) = require_admin().await?;
    let platform = platform()?;
    let mut info = usecases::rotate_key::view(&platform, &tenant, &member).await?;
    let sealed = session()
        .await?
        .remove::<String>(NEW_API_KEY)
        .await
        .map_err(|_| AppError::Unavailable)?;
    info.new_key = sealed
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .and_then(|bytes| platform.sealing_key.open(&bytes).ok())
        .map(|body| body.text);
    Ok(info)
}

/// Replaces the key (after the page's confirm step). The new key is kept in the session,
/// sealed, until the page shows it once.
#[server]
pub async fn rotate_api_key(keep_old: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{
        auth::{NEW_API_KEY, require_admin, session},
        platform,
    };
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    use usecases::sealing::Body;

    let (tenant, member) = require_admin().await?;
    let platform = platform()?;
    let keep_old = keep_old.is_some_and(|v| !v.is_empty() && v != "false");
    let key = usecases::rotate_key::rotate_by_admin(&platform, &tenant, &member, keep_old).await?;
    let sealed = platform.sealing_key.seal(&Body {
        text: key.expose().to_owned(),
        html: String::new(),
    });
    session()
        .await?
        .insert(NEW_API_KEY, URL_SAFE_NO_PAD.encode(sealed))
        .await
        .map_err(|_| AppError::Unavailable)?;
    crate::ssr::redirect("/settings/api?done=rotated");
    Ok(())
}

/// Stops the previous key now.
#[server]
pub async fn revoke_old_key() -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    usecases::rotate_key::revoke_old_key(&*platform()?, &tenant, &member).await?;
    crate::ssr::redirect("/settings/api?done=old-revoked");
    Ok(())
}
