//! A new workspace's welcome page and the email verification link.

use domain::welcome::{VerifyOutcome, Welcome};
use leptos::prelude::*;

use crate::error::AppError;

/// The welcome page of the signed-in member. The first time after signup it issues the
/// workspace's API key and shows it, once.
#[server]
pub async fn get_welcome() -> Result<Welcome, AppError> {
    use crate::ssr::{
        auth::{self, REVEAL_API_KEY},
        platform,
    };

    let (tenant, member) = auth::require_member().await?;
    let reveal = auth::session()
        .await?
        .remove::<bool>(REVEAL_API_KEY)
        .await
        .map_err(|_| AppError::Unavailable)?
        .unwrap_or(false);
    Ok(usecases::welcome::welcome(&*platform()?, &tenant, &member, reveal).await?)
}

/// Follows an email verification link of this workspace.
#[server]
pub async fn confirm_email(token: String) -> Result<VerifyOutcome, AppError> {
    use crate::ssr::{platform, require_tenant};
    use domain::Token;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let Ok(token) = Token::parse(&token) else {
        return Ok(VerifyOutcome::Invalid);
    };
    Ok(usecases::verify_email::confirm(&platform, &tenant, &token).await?)
}
