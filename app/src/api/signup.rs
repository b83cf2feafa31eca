//! Self-service signup on the apex: live subdomain and password checks, creating the
//! workspace, and "Find your workspace".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The availability check's answer (SPEC, "Subdomain rules").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubdomainState {
    Available,
    Taken,
    Reserved,
    Quarantined,
    Invalid,
}

/// Whether a subdomain can be claimed, in words, with alternatives when it cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// The subdomain as checked: trimmed and lower-cased.
    pub subdomain: String,
    pub state: SubdomainState,
    /// "acme.example.com is taken.", or why the name is not valid.
    pub message: String,
    /// Up to three available alternatives (taken, reserved, quarantined only).
    pub suggestions: Vec<String>,
}

/// A password's rating, for the hint beside the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRating {
    /// Whether the signup would accept it.
    pub acceptable: bool,
    pub message: String,
}

#[cfg(feature = "ssr")]
fn require_apex() -> Result<(), AppError> {
    use crate::ssr::{RequestSite, request_site};
    match request_site() {
        RequestSite::Apex => Ok(()),
        RequestSite::Unavailable => Err(AppError::Unavailable),
        _ => Err(AppError::NotFound("There is no such page here.".into())),
    }
}

/// Counts one live check against the client's allowance (SPEC: 60 a minute).
#[cfg(feature = "ssr")]
fn count_check(state: &crate::ssr::AppState) -> Result<(), AppError> {
    use crate::ssr::{client_ip, limits::retry_phrase};
    match client_ip().map(|ip| state.limits.check.check(&ip)) {
        Some(Err(wait)) => Err(AppError::RateLimited {
            message: format!("Too many checks from your network. {}", retry_phrase(wait)),
            retry_after_secs: wait.as_secs().max(1),
        }),
        _ => Ok(()),
    }
}

/// Whether a subdomain can be claimed. Says nothing beyond available, taken, reserved,
/// quarantined or invalid.
#[server]
pub async fn check_subdomain(subdomain: String) -> Result<Availability, AppError> {
    use crate::ssr::{app_state, signup::availability};

    require_apex()?;
    let state = app_state()?;
    count_check(&state)?;
    Ok(availability(&state.db.app, &state.links, &subdomain).await?)
}

/// Rates a password as signup would judge it, for the live hint.
#[server]
pub async fn rate_password(password: String) -> Result<PasswordRating, AppError> {
    use crate::ssr::{app_state, passwords::parse_uncommon};

    require_apex()?;
    let state = app_state()?;
    count_check(&state)?;
    let rating = match parse_uncommon(password, &[]).await {
        Ok(_) => PasswordRating {
            acceptable: true,
            message: "Strong enough.".into(),
        },
        Err(e) => PasswordRating {
            acceptable: false,
            message: e.to_string(),
        },
    };
    Ok(rating)
}

/// Creates the workspace, then sends the browser to it, signed in.
#[server]
pub async fn create_workspace(
    company: String,
    subdomain: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{
        app_state, client_ip,
        signup::{SignupForm, sign_up},
    };

    require_apex()?;
    let state = app_state()?;
    let form = SignupForm {
        company,
        subdomain,
        name,
        email,
        password,
    };
    let signed_up = sign_up(&state, client_ip(), form).await?;
    leptos_axum::redirect(&signed_up.handoff_url);
    Ok(())
}

/// "Find your workspace" by subdomain: on to its sign-in page if it exists.
#[server]
pub async fn go_to_workspace(subdomain: String) -> Result<(), AppError> {
    use crate::ssr::app_state;
    use db::tenants::SlugState;
    use domain::Slug;

    require_apex()?;
    let state = app_state()?;
    count_check(&state)?;
    let slug = Slug::parse(&subdomain).map_err(|e| AppError::field("subdomain", e.to_string()))?;
    let states = db::tenants::slug_states(&state.db.app, &[slug.as_str().to_owned()]).await?;
    if !matches!(states.first(), Some((_, SlugState::Taken))) {
        return Err(AppError::field(
            "subdomain",
            format!(
                "There is no workspace at {}. Check the spelling, or get the list by email below.",
                state.links.tenant_host(&slug)
            ),
        ));
    }
    leptos_axum::redirect(&state.links.tenant_url(&slug, "/login"));
    Ok(())
}

/// "Find your workspace" by email: the list goes to that address, if it has any. The
/// answer is the same whether or not it does.
#[server]
pub async fn email_workspaces(email: String) -> Result<(), AppError> {
    use crate::ssr::{app_state, client_ip, limits::retry_phrase};
    use domain::Email;

    require_apex()?;
    let state = app_state()?;
    let email = Email::parse(&email).map_err(|e| AppError::field("email", e.to_string()))?;
    if let Some(ip) = client_ip()
        && let Err(wait) = state.limits.signup.check(&ip)
    {
        return Err(AppError::RateLimited {
            message: format!(
                "Too many requests from your network. {}",
                retry_phrase(wait)
            ),
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let workspaces = db::tenants::workspaces_for_email(&state.db.app, email.as_str()).await?;
    if !workspaces.is_empty() {
        let links: Vec<(String, String)> = workspaces
            .into_iter()
            .map(|(slug, name)| (name, state.links.tenant_url(&slug, "/login")))
            .collect();
        let message = db::emails::workspace_list(&links)?;
        let mut tx = state.db.app.begin().await.map_err(db::Error::from)?;
        db::outbox::enqueue(&mut tx, None, &email, &message).await?;
        tx.commit().await.map_err(db::Error::from)?;
    }
    leptos_axum::redirect("/login?sent=1");
    Ok(())
}
