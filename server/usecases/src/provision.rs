//! Provisioning a workspace: one transaction makes the tenant with its default stages,
//! first admin, audit entry and emails, whichever door it comes through (the CLI, the
//! staff console, self-service signup). Either all of it exists or none of it does.

use std::fmt::Write as _;

use db::{TenantId, Tx, UserId, tenants::SlugState};
use domain::{
    ApiKey, Email, HexColour, Links, PasswordHash, PersonName, Role, Slug, TenantName,
    TenantStatus, Token,
};
use serde_json::json;

use crate::{Actor, Error, Platform, actor::audit, emails, error::OnConstraint, secrets};

/// The tenant to create.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub slug: Slug,
    pub name: TenantName,
    pub status: TenantStatus,
}

/// Who becomes the first admin.
#[derive(Clone, Debug)]
pub enum FirstAdmin {
    /// Send an invite (role admin, 7 days) to this address.
    Invite(Email),
    /// Make this existing account an admin member at once.
    Member(UserId),
    /// Create this account and make it an admin member at once (self-service signup).
    NewAccount {
        email: Email,
        name: PersonName,
        password_hash: PasswordHash,
    },
}

/// What provisioning created, with the secrets that exist in plain text only here.
#[derive(Debug)]
pub struct Provisioned {
    pub tenant_id: TenantId,
    pub slug: Slug,
    pub name: TenantName,
    pub api_key: ApiKey,
    pub admin_invite: Option<Token>,
    /// The admin made a member at once (not invited).
    pub admin_user: Option<UserId>,
}

/// Provisions an active workspace whose first admin is invited by email: the staff
/// doors (`cargo hcrm provision-tenant`, the console).
pub async fn provision(
    p: &Platform,
    slug: Slug,
    name: TenantName,
    admin_email: Email,
    actor: &Actor,
) -> Result<Provisioned, Error> {
    let new = NewTenant {
        slug,
        name,
        status: TenantStatus::Active,
    };
    let mut tx = p.db.app.begin().await?;
    let provisioned =
        provision_in(p, &mut tx, &new, FirstAdmin::Invite(admin_email), actor).await?;
    tx.commit().await?;
    tracing::info!(tenant = %provisioned.slug, "workspace provisioned");
    Ok(provisioned)
}

/// Creates the tenant inside `tx`, which this scopes to the new tenant. Nothing is
/// committed here: the caller commits (or drops `tx`, and nothing is left).
///
/// A concurrent provisioning of the same subdomain waits on the unique index and then
/// fails as taken; the caller must then drop `tx`.
pub(crate) async fn provision_in(
    p: &Platform,
    tx: &mut Tx,
    new: &NewTenant,
    first_admin: FirstAdmin,
    actor: &Actor,
) -> Result<Provisioned, Error> {
    let tenant_id = db::tenants::new_id();
    db::set_tenant(tx, tenant_id).await?;

    let state = db::tenants::slug_states(&mut **tx, &[new.slug.as_str().to_owned()]).await?;
    match state.first().map(|(_, s)| *s) {
        Some(SlugState::Taken) => return Err(slug_taken(&new.slug)),
        Some(SlugState::Quarantined) => return Err(slug_quarantined(&new.slug)),
        _ => {}
    }

    let api_key = secrets::new_api_key();
    db::tenants::insert(
        tx,
        tenant_id,
        new.slug.as_str(),
        new.name.as_str(),
        new.status,
        &api_key,
    )
    .await
    .on_constraint("tenants_slug_key", || slug_taken(&new.slug))?;
    db::stages::seed_defaults(tx, tenant_id).await?;

    let mut admin_user = None;
    let admin_invite = match first_admin {
        FirstAdmin::Invite(email) => {
            let token = secrets::new_token();
            db::invites::insert(tx, tenant_id, &email, Role::Admin, None, &token).await?;
            let url = p
                .links
                .tenant_url(&new.slug, &format!("/invite/{}", token.expose()));
            let brand = emails::Brand::new(new.name.as_str(), &HexColour::default_brand(), None);
            let message = emails::invite(&brand, Role::Admin, &url)?;
            emails::queue(p, tx, Some(tenant_id), &email, &message).await?;
            Some(token)
        }
        FirstAdmin::Member(user) => {
            db::members::insert(tx, tenant_id, user, Role::Admin).await?;
            admin_user = Some(user);
            None
        }
        FirstAdmin::NewAccount {
            email,
            name,
            password_hash,
        } => {
            let user = db::users::insert(tx, &email, &name, &password_hash, false)
                .await
                .on_constraint("users_email_key", email_taken)?;
            db::members::insert(tx, tenant_id, user, Role::Admin).await?;
            admin_user = Some(user);
            None
        }
    };

    audit(
        tx,
        Some(tenant_id),
        actor,
        "tenant.provisioned",
        json!({ "slug": new.slug.as_str(), "name": new.name.as_str(), "status": new.status.as_str() }),
    )
    .await?;

    Ok(Provisioned {
        tenant_id,
        slug: new.slug.clone(),
        name: new.name.clone(),
        api_key,
        admin_invite,
        admin_user,
    })
}

/// The answer when the subdomain already belongs to a workspace.
pub fn slug_taken(slug: &Slug) -> Error {
    Error::Invalid {
        code: "subdomain_taken",
        message: format!("The subdomain {slug} is taken."),
        fields: [(
            "subdomain".to_owned(),
            format!("The subdomain {slug} is taken."),
        )]
        .into(),
    }
}

/// The answer when the subdomain belonged to a workspace deleted less than 30 days ago.
pub fn slug_quarantined(slug: &Slug) -> Error {
    let message = format!(
        "The subdomain {slug} belonged to a deleted workspace and is quarantined for {} days.",
        crate::change_status::QUARANTINE_DAYS
    );
    Error::Invalid {
        code: "subdomain_quarantined",
        message: message.clone(),
        fields: [("subdomain".to_owned(), message)].into(),
    }
}

/// The answer when an account with the first admin's email appeared meanwhile.
pub fn email_taken() -> Error {
    Error::Invalid {
        code: "email_taken",
        message: "An account with this email was created a moment ago. Enter its password to add this workspace to it.".to_owned(),
        fields: [(
            "password".to_owned(),
            "An account with this email was created a moment ago. Enter its password to add this workspace to it.".to_owned(),
        )]
        .into(),
    }
}

impl Provisioned {
    /// The block that the CLI prints and the console shows once: the API key in plain
    /// text, the links, and a `curl` line that posts a test lead.
    pub fn summary(&self, links: &Links) -> String {
        let slug = self.slug.as_str();
        let invite = self
            .admin_invite
            .as_ref()
            .map(|token| links.tenant_url(slug, &format!("/invite/{}", token.expose())))
            .unwrap_or_default();
        let key = self.api_key.expose();
        let intake = links.tenant_url(slug, "/api/leads/intake");
        let rule = "===========================================";
        let mut out = String::new();
        let _ = write!(
            out,
            "{rule}\n  Tenant provisioned: {name}\n{rule}\n\n  Slug:          {slug}\n  Tenant ID:     {id}\n\n  \
             --- ONE-TIME ---\n  API key (store securely; not retrievable again):\n    {key}\n\n  \
             --- LINKS ---\n  Splash:        {splash}\n  Admin invite:  {invite}\n  Intake URL:    {intake}\n\n  \
             --- TEST INTAKE ---\n  curl -X POST {intake} \\\n    -H \"Content-Type: application/json\" \\\n    \
             -H \"X-API-Key: {key}\" \\\n    -d '{{\"first_name\":\"Test\",\"email\":\"test@example.com\",\"source\":\"manual-test\"}}'\n",
            name = self.name.as_str(),
            id = self.tenant_id,
            splash = links.tenant_url(slug, "/"),
        );
        out
    }
}
