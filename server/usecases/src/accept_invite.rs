//! Accepting an invite. The emailed link proves the address, so a person whose address has
//! no verified account sets a name and a password (taking over an account that never
//! verified its email, if there is one: `docs/product.md`, "Accounts"); a person with a
//! verified account proves it with that account's password.

use std::net::IpAddr;

use db::{
    UserId,
    invites::{Invite, InviteState},
    tenants::ResolvedTenant,
    users::AccountSetting,
};
use domain::{Email, Fields, PersonName, Token, invite::InviteView};
use serde_json::json;
use time::OffsetDateTime;

use crate::{
    Actor, Error, Platform,
    actor::audit,
    error::OnConstraint,
    passwords::{self, begin_attempt, parse_uncommon},
};

/// What the invite link `token` of `tenant` leads to.
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    token: &Token,
) -> Result<InviteView, Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Ok(InviteView::WorkspaceClosed(message.to_owned()));
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let invite = db::invites::find_by_token(&mut tx, token).await?;
    tx.commit().await?;
    let Some(invite) = invite else {
        return Ok(InviteView::NotFound);
    };
    Ok(match invite.state(OffsetDateTime::now_utc()) {
        InviteState::Accepted => InviteView::Accepted,
        InviteState::Revoked => InviteView::Revoked,
        InviteState::Expired => InviteView::Expired,
        InviteState::Open => {
            let account = db::users::account_setting(&p.db.app, &invited_email(&invite)?).await?;
            InviteView::Open {
                email: invite.email,
                role: invite.role,
                has_account: account.is_some_and(|a| a.email_verified),
            }
        }
    })
}

/// Accepts the invite `token` of `tenant`: the person to sign in. `name` is needed only
/// when the address has no verified account.
pub async fn accept(
    p: &Platform,
    tenant: &ResolvedTenant,
    token: &Token,
    name: Option<&str>,
    password: String,
    client: Option<IpAddr>,
) -> Result<UserId, Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let invite = db::invites::find_by_token(&mut tx, token)
        .await?
        .ok_or_else(|| Error::NotFound("This invite link is not valid any more.".into()))?;
    // A workspace that requires single sign-on makes no password accounts for members:
    // they join by signing in with SSO (`docs/sso.md`).
    if invite.role != domain::Role::Admin && crate::sso::is_required(&mut tx).await? {
        return Err(Error::forbidden(crate::sso::USE_SSO));
    }
    tx.commit().await?;
    match invite.state(OffsetDateTime::now_utc()) {
        InviteState::Open => {}
        InviteState::Accepted => {
            return Err(Error::NotFound("This invite has already been used.".into()));
        }
        InviteState::Revoked => return Err(Error::NotFound("This invite was withdrawn.".into())),
        InviteState::Expired => return Err(Error::NotFound("This invite has expired.".into())),
    }
    let email = invited_email(&invite)?;
    let account = db::users::account_setting(&p.db.app, &email).await?;

    // Hashing takes a while: no transaction stays open across it.
    let joining = match account {
        Some(account) if account.email_verified => {
            prove_account(p, &email, &account, &password, client).await?;
            Joining::Existing(account.user_id)
        }
        unverified => {
            let mut fields = Fields::default();
            let name = fields.check("name", PersonName::parse(name.unwrap_or_default()));
            let about_the_person = [
                name.as_ref().map(PersonName::as_str).unwrap_or_default(),
                email.as_str(),
            ];
            let password = fields.check(
                "password",
                parse_uncommon(password, &about_the_person).await,
            );
            let (Some(name), Some(password)) = (name, password) else {
                return Err(Error::fields(fields.into_errors()));
            };
            let hash = passwords::hash(&password).await?;
            match unverified {
                Some(account) => Joining::Claimed(account.user_id, name, hash),
                None => Joining::New(name, hash),
            }
        }
    };

    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let user = match joining {
        Joining::Existing(user) => user,
        Joining::Claimed(claimed, name, hash) => {
            let user = db::users::claim_by_invite(&mut tx, invite.id, &name, &hash)
                .await?
                .ok_or_else(|| {
                    Error::field("password", "This invite changed a moment ago. Reload the page and try again.")
                })?;
            audit(&mut tx, Some(tenant.id), &Actor::User(user), "account.claimed", json!({ "invite_id": invite.id, "previous": claimed.0 })).await?;
            user
        }
        Joining::New(name, hash) => db::users::insert(&mut tx, &email, &name, &hash, true)
            .await
            .on_constraint("users_email_key", || {
                Error::field(
                    "password",
                    "An account with this email was just created. Reload the page and enter its password.",
                )
            })?,
    };
    if !db::invites::consume(&mut tx, invite.id, user).await? {
        return Err(Error::NotFound("This invite has just been used.".into()));
    }
    if db::members::find(&mut tx, user).await?.is_none() {
        db::members::insert(&mut tx, tenant.id, user, invite.role).await?;
    }
    // The person is signed in once this returns.
    db::members::touch_sign_in(&mut tx, user).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::User(user),
        "invite.accepted",
        json!({ "invite_id": invite.id, "role": invite.role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// How the invited person joins.
enum Joining {
    /// With their verified account, proven by its password.
    Existing(UserId),
    /// Taking over the address's unverified account.
    Claimed(UserId, PersonName, domain::PasswordHash),
    /// With a new account.
    New(PersonName, domain::PasswordHash),
}

/// The invited address (stored lower-cased and checked when the invite was made).
fn invited_email(invite: &Invite) -> Result<Email, Error> {
    Email::parse(&invite.email).map_err(|_| {
        tracing::error!(invite = %invite.id, "an invite's stored email does not parse");
        Error::Internal
    })
}

/// Checks the password of the invited address's verified account, counted against its
/// limit and the client network's like a sign-in.
async fn prove_account(
    p: &Platform,
    email: &Email,
    account: &AccountSetting,
    password: &str,
    client: Option<IpAddr>,
) -> Result<(), Error> {
    let attempt = begin_attempt(
        p,
        email,
        client,
        "Too many wrong passwords for this account.",
    )
    .await?;
    if passwords::check(p, attempt, Some(account), password).await? {
        Ok(())
    } else {
        Err(Error::field(
            "password",
            format!("That is not the password of the HREF CRM account {email}."),
        ))
    }
}
