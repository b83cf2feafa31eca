//! Settings → Single sign-on, and whether the sign-in page offers it (`docs/sso.md`).

use domain::sso::SsoPage;
use leptos::prelude::*;

use crate::error::AppError;

/// The workspace's connection, for its admins.
#[server]
pub async fn get_sso() -> Result<SsoPage, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    Ok(usecases::sso::view(&*platform()?, &tenant, &member).await?)
}

/// Whether this workspace's sign-in page offers **Sign in with SSO**.
#[server]
pub async fn sso_offered() -> Result<bool, AppError> {
    use crate::ssr::{platform, require_tenant};

    let tenant = require_tenant()?;
    Ok(usecases::sso::is_offered(&*platform()?, &tenant).await?)
}

/// Whether this workspace requires single sign-on of its members (the forgot-password page
/// says so to everyone, so it tells nothing about who is a member).
#[server]
pub async fn sso_required() -> Result<bool, AppError> {
    use crate::ssr::{platform, require_tenant};

    let tenant = require_tenant()?;
    Ok(usecases::sso::required_by(&*platform()?, &tenant).await?)
}

/// **Save**: discovery at the issuer, then the connection is stored.
#[server]
pub async fn save_sso(
    issuer: String,
    client_id: String,
    client_secret: String,
    email_domains: String,
    default_role: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use usecases::sso::ConnectionForm;

    let (tenant, member) = require_admin().await?;
    if default_role.as_deref().is_some_and(|r| r != "member") {
        return Err(AppError::field(
            "default_role",
            "People who join by signing in are members; an admin can change their role later.",
        ));
    }
    let form = ConnectionForm {
        issuer,
        client_id,
        client_secret,
        email_domains,
    };
    usecases::sso::save(&*platform()?, &tenant, &member, &form).await?;
    crate::ssr::redirect("/settings/sso?done=sso-saved");
    Ok(())
}

/// Looks an email domain's TXT record up now.
#[server]
pub async fn verify_sso_domain(domain: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use domain::custom_domain::TxtFinding;

    let (tenant, member) = require_admin().await?;
    let finding =
        usecases::sso::verify_email_domain(&*platform()?, &tenant, &member, &domain).await?;
    if finding != TxtFinding::Ours {
        let message = finding.message(&domain::custom_domain::CustomDomain::from_stored(domain));
        return Err(AppError::field("domain", message));
    }
    crate::ssr::redirect("/settings/sso?done=sso-domain-verified");
    Ok(())
}

/// **Require SSO** (`on=1`), or stop requiring it.
#[server]
pub async fn set_require_sso(on: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    let on = on == "1";
    usecases::sso::set_require(&*platform()?, &tenant, &member, on).await?;
    crate::ssr::redirect(if on {
        "/settings/sso?done=sso-required"
    } else {
        "/settings/sso?done=sso-not-required"
    });
    Ok(())
}
