//! Provisioning: one transaction creates a tenant with its stages, first admin, audit entry
//! and emails, whichever door it comes through (CLI, signup, staff console).

use domain::{ApiKey, Email, Links, PersonName, Role, Slug, TenantName, TenantStatus, Token};
use serde_json::json;

use crate::{
    Error, TenantId, Tx, UserId, audit,
    credentials::PasswordHash,
    emails, invites, members, outbox, set_tenant, stages,
    tenants::{self, SlugState},
    users,
};

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
    pub api_key: ApiKey,
    pub admin_invite: Option<Token>,
    /// The admin made a member at once (not invited).
    pub admin_user: Option<UserId>,
}

/// Why provisioning did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("the subdomain is taken")]
    SlugTaken,
    #[error("the subdomain belonged to a deleted workspace and is not available yet")]
    SlugQuarantined,
    #[error("an account with this email was created meanwhile")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] Error),
}

/// Creates the tenant inside `tx`, which this scopes to the new tenant. Nothing is
/// committed here: the caller commits (or drops `tx`, and nothing is left).
///
/// A concurrent provisioning of the same subdomain waits on the unique index and then
/// fails with [`ProvisionError::SlugTaken`]; the caller must then drop `tx`.
pub async fn provision_tenant(
    tx: &mut Tx,
    new: &NewTenant,
    first_admin: &FirstAdmin,
    actor: &str,
    links: &Links,
) -> Result<Provisioned, ProvisionError> {
    let tenant_id = tenants::new_id();
    set_tenant(tx, tenant_id).await?;

    let state = tenants::slug_states(&mut **tx, &[new.slug.as_str().to_owned()]).await?;
    match state.first().map(|(_, s)| *s) {
        Some(SlugState::Taken) => return Err(ProvisionError::SlugTaken),
        Some(SlugState::Quarantined) => return Err(ProvisionError::SlugQuarantined),
        _ => {}
    }

    let api_key = crate::credentials::new_api_key();
    tenants::insert(
        tx,
        tenant_id,
        new.slug.as_str(),
        new.name.as_str(),
        new.status,
        &api_key,
    )
    .await
    .map_err(|e| match e.constraint() {
        Some("tenants_slug_key") => ProvisionError::SlugTaken,
        _ => ProvisionError::Db(e),
    })?;
    stages::seed_defaults(tx, tenant_id).await?;

    let mut admin_user = None;
    let admin_invite = match first_admin {
        FirstAdmin::Invite(email) => {
            let token = invites::insert(tx, tenant_id, email, Role::Admin, None).await?;
            let url = links.tenant_url(new.slug.as_str(), &format!("/invite/{}", token.expose()));
            let email_body = emails::invite(new.name.as_str(), Role::Admin, &url)?;
            outbox::enqueue(tx, Some(tenant_id), email, &email_body).await?;
            Some(token)
        }
        FirstAdmin::Member(user) => {
            members::insert(tx, tenant_id, *user, Role::Admin).await?;
            admin_user = Some(*user);
            None
        }
        FirstAdmin::NewAccount {
            email,
            name,
            password_hash,
        } => {
            let user = users::insert(tx, email, name, password_hash)
                .await
                .map_err(|e| match e.constraint() {
                    Some("users_email_key") => ProvisionError::EmailTaken,
                    _ => ProvisionError::Db(e),
                })?;
            members::insert(tx, tenant_id, user, Role::Admin).await?;
            admin_user = Some(user);
            None
        }
    };

    audit::record(
        tx,
        Some(tenant_id),
        actor,
        "tenant.provisioned",
        json!({ "slug": new.slug.as_str(), "name": new.name.as_str(), "status": new.status.as_str() }),
    )
    .await?;

    Ok(Provisioned {
        tenant_id,
        api_key,
        admin_invite,
        admin_user,
    })
}
