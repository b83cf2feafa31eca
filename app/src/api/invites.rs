//! Accepting an invite: a new person sets a name and password; a person who already has an
//! account proves it with that account's password.

use domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What an invite link leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteView {
    /// Can be accepted. `has_account`: the address already has an HREF CRM account.
    Open {
        email: String,
        role: Role,
        has_account: bool,
    },
    Accepted,
    Revoked,
    Expired,
    /// No such invite here (or a malformed link).
    NotFound,
    /// The workspace is suspended or was not approved.
    WorkspaceClosed(String),
}

/// Looks up an invite of this workspace by its token.
#[server]
pub async fn get_invite(token: String) -> Result<InviteView, AppError> {
    use crate::{
        site::closed_message,
        ssr::{app_state, require_tenant},
    };
    use db::invites::{self, InviteState};
    use domain::{Email, Token};

    let state = app_state()?;
    let tenant = require_tenant()?;
    let Ok(token) = Token::parse(&token) else {
        return Ok(InviteView::NotFound);
    };
    if let Some(message) = closed_message(tenant.status) {
        return Ok(InviteView::WorkspaceClosed(message.to_owned()));
    }
    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let invite = invites::find_by_token(&mut tx, &token).await?;
    let view = match invite {
        None => InviteView::NotFound,
        Some(invite) => match invite.state(time::OffsetDateTime::now_utc()) {
            InviteState::Accepted => InviteView::Accepted,
            InviteState::Revoked => InviteView::Revoked,
            InviteState::Expired => InviteView::Expired,
            InviteState::Open => {
                let email = Email::parse(&invite.email)
                    .map_err(|_| db::Error::Data(format!("invite email {:?}", invite.email)))?;
                let has_account = db::users::find_credentials(&mut *tx, &email)
                    .await?
                    .is_some();
                InviteView::Open {
                    email: invite.email,
                    role: invite.role,
                    has_account,
                }
            }
        },
    };
    tx.commit().await.map_err(db::Error::from)?;
    Ok(view)
}

/// Accepts an invite and signs the person in. `name` is needed only for a new account.
#[server]
pub async fn accept_invite(
    token: String,
    name: Option<String>,
    password: String,
) -> Result<(), AppError> {
    use crate::{
        site::closed_message,
        ssr::{app_state, auth, passwords::parse_uncommon, require_tenant},
    };
    use db::{
        audit, credentials,
        invites::{self, InviteState},
        members, users,
    };
    use domain::{Email, FieldErrors, Password, PersonName, Token};
    use serde_json::json;

    let state = app_state()?;
    let tenant = require_tenant()?;
    let gone = || AppError::NotFound("This invite link is not valid any more.".into());
    let token = Token::parse(&token).map_err(|_| gone())?;
    if let Some(message) = closed_message(tenant.status) {
        return Err(AppError::Forbidden(message.to_owned()));
    }

    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let invite = invites::find_by_token(&mut tx, &token)
        .await?
        .ok_or_else(gone)?;
    match invite.state(time::OffsetDateTime::now_utc()) {
        InviteState::Open => {}
        InviteState::Accepted => {
            return Err(AppError::NotFound(
                "This invite has already been used.".into(),
            ));
        }
        InviteState::Revoked => {
            return Err(AppError::NotFound("This invite was withdrawn.".into()));
        }
        InviteState::Expired => return Err(AppError::NotFound("This invite has expired.".into())),
    }
    let email = Email::parse(&invite.email)
        .map_err(|_| db::Error::Data(format!("invite email {:?}", invite.email)))?;
    let existing = users::find_credentials(&mut *tx, &email).await?;
    // Hashing takes a while: no transaction stays open across it.
    tx.commit().await.map_err(db::Error::from)?;

    let (user, new_account) = match existing {
        Some(account) => {
            let verified = match Password::parse(password) {
                Ok(p) => credentials::verify_password(&p, Some(&account.password_hash)).await,
                Err(_) => false,
            };
            if !verified {
                return Err(AppError::field(
                    "password",
                    format!("That is not the password of the HREF CRM account {email}."),
                ));
            }
            (Some(account.user_id), None)
        }
        None => {
            let mut fields = FieldErrors::new();
            let name = PersonName::parse(name.as_deref().unwrap_or_default())
                .map_err(|e| fields.insert("name".into(), e.to_string()))
                .ok();
            let about_the_person = [
                name.as_ref().map(PersonName::as_str).unwrap_or_default(),
                email.as_str(),
            ];
            let password = parse_uncommon(password, &about_the_person)
                .await
                .map_err(|e| fields.insert("password".into(), e.to_string()))
                .ok();
            let (Some(name), Some(password)) = (name, password) else {
                return Err(AppError::fields(fields));
            };
            let hash = credentials::hash_password(&password).await?;
            (None, Some((name, hash)))
        }
    };

    let mut tx = db::begin_tenant(&state.db.app, tenant.id).await?;
    let user = match (user, new_account) {
        (Some(user), _) => user,
        (None, Some((name, hash))) => users::insert(&mut tx, &email, &name, &hash)
            .await
            .map_err(|e| match e.constraint() {
                Some("users_email_key") => AppError::field(
                    "password",
                    "An account with this email was just created. Reload the page and enter its password.",
                ),
                _ => e.into(),
            })?,
        (None, None) => return Err(AppError::Internal),
    };
    if !invites::consume(&mut tx, invite.id, user).await? {
        return Err(AppError::NotFound("This invite has just been used.".into()));
    }
    let already_member = members::find(&mut tx, user).await?.is_some();
    if !already_member {
        members::insert(&mut tx, tenant.id, user, invite.role).await?;
    }
    audit::record(
        &mut tx,
        Some(tenant.id),
        &format!("user:{}", user.0),
        "invite.accepted",
        json!({ "invite_id": invite.id, "role": invite.role.as_str() }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;

    let session = auth::session().await?;
    auth::start_session(&session, tenant.id, user).await?;
    leptos_axum::redirect("/leads");
    Ok(())
}
