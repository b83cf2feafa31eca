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

/// Signs a member in with email and password, then goes to `next` or the remembered page
/// (a page of this workspace that asked for a sign-in), else the pipeline.
#[server]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, client_ip, platform, redirect, require_tenant};

    let (platform, tenant) = (platform()?, require_tenant()?);
    let email = sign_in_email(&email, &password)?;
    let user =
        usecases::sign_in::sign_in(&platform, &tenant, &email, &password, client_ip()).await?;
    auth::start_session(&auth::session().await?, tenant.id, user).await?;
    let remembered = auth::take_next();
    let next = next.filter(|n| !n.is_empty()).or(remembered);
    redirect(&domain::redirect::local_path_or(next.as_deref(), "/leads"));
    Ok(())
}

/// Ends the session and returns to the sign-in page.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::auth;

    auth::end_session(&auth::session().await?).await?;
    crate::ssr::redirect("/login");
    Ok(())
}

/// The email of a sign-in form (a workspace's or the staff console's), or the errors of its
/// fields: an email that is one, and a password that is not empty.
#[cfg(feature = "ssr")]
pub(crate) fn sign_in_email(email: &str, password: &str) -> Result<domain::Email, AppError> {
    let mut fields = domain::Fields::default();
    let email = fields.check("email", domain::Email::parse(email));
    if password.is_empty() {
        fields.add("password", "Enter your password.");
    }
    email
        .filter(|_| fields.is_empty())
        .ok_or_else(|| fields.into_errors().into())
}
