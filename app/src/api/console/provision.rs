//! `/admin/new`: provisioning a tenant from the console, as `cargo hcrm provision-tenant`
//! does (the same use case). The API key and the invite link are kept with the staff
//! session, sealed, until the page shows them once.

use domain::{console::ProvisionResult, signup::Availability};
use leptos::prelude::*;

use crate::error::AppError;

/// Whether a subdomain can be given to a new tenant (staff rules: 1–2 letters allowed).
#[server]
pub async fn check_console_subdomain(subdomain: String) -> Result<Availability, AppError> {
    use crate::ssr::{platform, staff::require_staff};
    use usecases::signup::SlugRules;

    require_staff().await?;
    Ok(usecases::signup::availability(&*platform()?, &subdomain, SlugRules::Staff).await?)
}

/// Provisions an active tenant whose first admin is invited by email.
#[server]
pub async fn provision_tenant(
    subdomain: String,
    display_name: String,
    admin_email: String,
) -> Result<(), AppError> {
    use crate::ssr::{platform, staff, staff::require_staff};
    use domain::{Email, Fields, Slug, TenantName};
    use usecases::sealing::Body;

    let who = require_staff().await?;
    let mut fields = Fields::default();
    let slug = fields.check("subdomain", Slug::parse(&subdomain));
    let name = fields.check("display_name", TenantName::parse(&display_name));
    let email = fields.check("admin_email", Email::parse(&admin_email));
    let (Some(slug), Some(name), Some(email)) = (slug, name, email) else {
        return Err(fields.into_errors().into());
    };
    let platform = platform()?;
    let made = usecases::provision::provision(&platform, slug, name, email, &who.actor())
        .await
        .map_err(|e| rename_fields(e.into()))?;
    let links = &platform.links;
    let slug = made.slug.as_str();
    let result = ProvisionResult {
        slug: slug.to_owned(),
        name: made.name.as_str().to_owned(),
        tenant_id: made.tenant_id.to_string(),
        api_key: made.api_key.expose().to_owned(),
        splash_url: links.tenant_url(slug, "/"),
        invite_url: made
            .admin_invite
            .as_ref()
            .map(|t| links.tenant_url(slug, &format!("/invite/{}", t.expose())))
            .unwrap_or_default(),
        intake_url: links.tenant_url(slug, "/api/leads/intake"),
        summary: made.summary(links),
    };
    let sealed = platform.sealing_key.seal(&Body {
        text: serde_json::to_string(&result).map_err(|_| AppError::Internal)?,
        html: String::new(),
    });
    let token = staff::staff_token().ok_or(AppError::SignInRequired)?;
    usecases::console::flash::keep(&platform, &token, &sealed).await?;
    crate::ssr::redirect(&format!("/admin/new?done=provisioned&tenant={slug}"));
    Ok(())
}

/// The provision use case names its fields as signup does; this form's differ.
#[cfg(feature = "ssr")]
fn rename_fields(error: AppError) -> AppError {
    match error {
        AppError::Invalid { message, fields } => AppError::Invalid {
            message,
            fields: fields
                .into_iter()
                .map(|(field, text)| {
                    let field = match field.as_str() {
                        "slug" => "subdomain".to_owned(),
                        "name" | "company" => "display_name".to_owned(),
                        "email" => "admin_email".to_owned(),
                        _ => field,
                    };
                    (field, text)
                })
                .collect(),
        },
        other => other,
    }
}

/// What the last provision made, once: gone after this read.
#[server]
pub async fn take_provision_result() -> Result<Option<ProvisionResult>, AppError> {
    use crate::ssr::{platform, staff, staff::require_staff};

    require_staff().await?;
    let platform = platform()?;
    let token = staff::staff_token().ok_or(AppError::SignInRequired)?;
    let Some(sealed) = usecases::console::flash::take(&platform, &token).await? else {
        return Ok(None);
    };
    let body = platform
        .sealing_key
        .open(&sealed)
        .map_err(|_| AppError::Internal)?;
    Ok(serde_json::from_str(&body.text).ok())
}
