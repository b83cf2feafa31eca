//! Signing in and out of a tenant's workspace.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in person, as pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// Who is signed in to this workspace, if anyone.
#[server]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::ssr::auth::current_member;
    use domain::Role;

    Ok(current_member().await?.map(|(_, member)| Viewer {
        name: member.name,
        email: member.email,
        is_admin: member.role == Role::Admin,
    }))
}

/// Signs a member in with email and password, then goes to the pipeline.
///
/// A wrong password, an unknown address and a person who is not a member of this tenant
/// all get the same answer, after the same amount of work.
#[server]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::{
        site::closed_message,
        ssr::{app_state, auth, limits::retry_phrase, require_tenant},
    };
    use db::{credentials, login_failures, users};
    use domain::{Email, FieldErrors, Password};

    let state = app_state()?;
    let tenant = require_tenant()?;
    let mut fields = FieldErrors::new();
    let parsed_email =
        Email::parse(&email).map_err(|e| fields.insert("email".into(), e.to_string()));
    if password.is_empty() {
        fields.insert("password".into(), "Enter your password.".into());
    }
    let Ok(email) = parsed_email else {
        return Err(AppError::fields(fields));
    };
    if !fields.is_empty() {
        return Err(AppError::fields(fields));
    }
    if let Some(message) = closed_message(tenant.status) {
        return Err(AppError::Forbidden(message.to_owned()));
    }

    let limit = state.limits.login;
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let failures =
        login_failures::count_recent(&mut tx, email.as_str(), limit.window.as_secs() as i64)
            .await?;
    let found = users::find_member_credentials(&mut tx, &email).await?;
    tx.commit().await.map_err(db::Error::from)?;
    if failures >= i64::from(limit.count) {
        return Err(AppError::RateLimited {
            message: format!(
                "Too many failed sign-ins for this account. {}",
                retry_phrase(limit.window)
            ),
            retry_after_secs: limit.window.as_secs(),
        });
    }

    // A password outside the length rules cannot be anyone's: it still costs a
    // verification, so that the answer takes as long as for a real account.
    let candidate = Password::parse(password).ok();
    let stored = found
        .as_ref()
        .map(|(credentials, _)| &credentials.password_hash);
    let verified = match &candidate {
        Some(p) => credentials::verify_password(p, stored).await,
        None => {
            let filler =
                Password::parse("x".repeat(Password::MIN_CHARS)).map_err(|_| AppError::Internal)?;
            credentials::verify_password(&filler, None).await
        }
    };

    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let signed_in = match (verified, found) {
        (true, Some((credentials, _role))) => {
            login_failures::clear(&mut tx, email.as_str()).await?;
            Some(credentials.user_id)
        }
        _ => {
            login_failures::record(&mut tx, tenant.id, email.as_str()).await?;
            None
        }
    };
    tx.commit().await.map_err(db::Error::from)?;

    let Some(user) = signed_in else {
        return Err(AppError::field(
            "password",
            "That email and password don't match an account of this workspace.",
        ));
    };
    let session = auth::session().await?;
    auth::start_session(&session, tenant.id, user).await?;
    leptos_axum::redirect("/leads");
    Ok(())
}

/// Ends the session and returns to the sign-in page.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::auth;

    let session = auth::session().await?;
    auth::end_session(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
