//! A new workspace's welcome page and the email verification link.

use domain::TenantStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the welcome page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub workspace: String,
    pub status: TenantStatus,
    pub workspace_url: String,
    pub email: String,
    pub email_verified: bool,
    /// The API key, on the first view after signup only (it is never stored in clear).
    pub api_key: Option<String>,
    pub intake_url: String,
    pub has_leads: bool,
}

/// The welcome page of the signed-in member. The first time after signup it issues the
/// workspace's API key and shows it, once.
#[server]
pub async fn get_welcome() -> Result<Welcome, AppError> {
    use crate::ssr::{
        app_state,
        auth::{self, REVEAL_API_KEY},
    };
    use domain::Role;

    let state = app_state()?;
    let (tenant, member) = auth::require_member().await?;
    let session = auth::session().await?;
    let reveal = member.role == Role::Admin
        && session
            .remove::<bool>(REVEAL_API_KEY)
            .await
            .map_err(|_| AppError::Unavailable)?
            .unwrap_or(false);
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let api_key = if reveal {
        // The key made at provisioning was never shown; this one is, once.
        let key = db::credentials::new_api_key();
        db::tenants::rotate_api_key(&mut tx, &key).await?;
        db::audit::record(
            &mut tx,
            Some(tenant.id),
            &format!("user:{}", member.user_id.0),
            "tenant.api_key_issued",
            serde_json::json!({ "prefix": key.display_prefix() }),
        )
        .await?;
        Some(key.expose().to_owned())
    } else {
        None
    };
    let has_leads = db::leads::count(&mut tx).await? > 0;
    tx.commit().await.map_err(db::Error::from)?;
    Ok(Welcome {
        workspace: tenant.name.clone(),
        status: tenant.status,
        workspace_url: state.links.tenant_url(&tenant.slug, "/"),
        email: member.email,
        email_verified: member.email_verified,
        api_key,
        intake_url: state.links.tenant_url(&tenant.slug, "/api/leads/intake"),
        has_leads,
    })
}

/// What following a verification link did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyOutcome {
    Verified,
    AlreadyUsed,
    Expired,
    Invalid,
}

/// Follows an email verification link of this workspace.
#[server]
pub async fn confirm_email(token: String) -> Result<VerifyOutcome, AppError> {
    use crate::ssr::{app_state, require_tenant};
    use db::verifications::Verification;
    use domain::Token;

    let state = app_state()?;
    let tenant = require_tenant()?;
    let Ok(token) = Token::parse(&token) else {
        return Ok(VerifyOutcome::Invalid);
    };
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let outcome = db::verifications::consume(&mut tx, &token).await?;
    tx.commit().await.map_err(db::Error::from)?;
    Ok(match outcome {
        Verification::Verified { .. } => VerifyOutcome::Verified,
        Verification::AlreadyUsed => VerifyOutcome::AlreadyUsed,
        Verification::Expired => VerifyOutcome::Expired,
        Verification::Unknown => VerifyOutcome::Invalid,
    })
}
