//! Accepting an invite to a workspace.

use domain::invite::InviteView;
use leptos::prelude::*;

use crate::error::AppError;

/// What the invite link `token` of this workspace leads to.
#[server]
pub async fn get_invite(token: String) -> Result<InviteView, AppError> {
    use crate::ssr::{platform, require_tenant};
    use domain::Token;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let Ok(token) = Token::parse(&token) else {
        return Ok(InviteView::NotFound);
    };
    Ok(usecases::accept_invite::view(&platform, &tenant, &token).await?)
}

/// Accepts an invite and signs the person in. `name` is needed only for a new account.
#[server]
pub async fn accept_invite(
    token: String,
    name: Option<String>,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, client_ip, platform, require_tenant};
    use domain::Token;

    let (platform, tenant) = (platform()?, require_tenant()?);
    let token = Token::parse(&token)
        .map_err(|_| AppError::NotFound("This invite link is not valid any more.".into()))?;
    let user = usecases::accept_invite::accept(
        &platform,
        &tenant,
        &token,
        name.as_deref(),
        password,
        client_ip(),
    )
    .await?;
    auth::start_session(&auth::session().await?, tenant.id, user).await?;
    crate::ssr::redirect("/leads");
    Ok(())
}
