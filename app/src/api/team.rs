//! Settings → Team: members, pending invites, and the invite form.

use domain::settings::Team;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The team of this workspace, for its admins.
#[server]
pub async fn get_team() -> Result<Team, AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    Ok(usecases::team::view(&*platform()?, &tenant, &member).await?)
}

/// Invites someone (or sends their pending invite again).
#[server]
pub async fn send_invite(email: String, role: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use domain::{Email, Fields, Role};
    use usecases::team::Invited;

    let (tenant, member) = require_admin().await?;
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&email));
    let role = fields.check(
        "role",
        role.parse::<Role>().map_err(|_| "Choose admin or member."),
    );
    let (Some(email), Some(role)) = (email, role) else {
        return Err(fields.into_errors().into());
    };
    let done = match usecases::team::invite(&*platform()?, &tenant, &member, &email, role).await? {
        Invited::Sent => "invite-sent",
        Invited::Resent => "invite-resent",
    };
    crate::ssr::redirect(&format!("/settings/team?done={done}"));
    Ok(())
}

/// Sends a pending invite again with a new link; the old one stops working.
#[server]
pub async fn resend_invite(invite: Uuid) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    usecases::team::resend(&*platform()?, &tenant, &member, invite).await?;
    crate::ssr::redirect("/settings/team?done=invite-resent");
    Ok(())
}

/// Withdraws a pending invite.
#[server]
pub async fn revoke_invite(invite: Uuid) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    usecases::team::revoke(&*platform()?, &tenant, &member, invite).await?;
    crate::ssr::redirect("/settings/team?done=invite-revoked");
    Ok(())
}

/// Gives a member another role.
#[server]
pub async fn change_role(user: Uuid, role: String) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};
    use domain::Role;

    let (tenant, member) = require_admin().await?;
    let role = role
        .parse::<Role>()
        .map_err(|_| AppError::field("role", "Choose admin or member."))?;
    usecases::team::change_role(&*platform()?, &tenant, &member, db::UserId(user), role).await?;
    crate::ssr::redirect("/settings/team?done=role-changed");
    Ok(())
}

/// Removes a member from the workspace (after the page's confirm step).
#[server]
pub async fn remove_member(user: Uuid) -> Result<(), AppError> {
    use crate::ssr::{auth::require_admin, platform};

    let (tenant, member) = require_admin().await?;
    usecases::team::remove(&*platform()?, &tenant, &member, db::UserId(user)).await?;
    crate::ssr::redirect("/settings/team?done=member-removed");
    Ok(())
}
