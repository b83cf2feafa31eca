//! Self-service signup (issue 3): the availability check and the signup itself, apart from
//! their server functions so that the benchmark (`server/benches/signup.rs`) measures the
//! very code that requests run.

use std::net::IpAddr;

use db::{
    TenantId, credentials,
    provisioning::{FirstAdmin, NewTenant, ProvisionError, provision_tenant},
    tenants::SlugState,
};
use domain::{
    Email, FieldErrors, Links, Password, PersonName, Slug, TenantName, TenantStatus, Token,
    slug::{alternatives, suggest_from_name},
};

use crate::{
    api::signup::{Availability, SubdomainState},
    error::AppError,
    ssr::{AppState, limits::retry_phrase, passwords::check_not_common},
};

/// How many available alternatives a taken, reserved or quarantined name comes with.
pub const SUGGESTIONS: usize = 3;

/// Whether `input` can be claimed, with up to three available alternatives when it cannot
/// for a reason other than its shape. One round trip to the database at most.
pub async fn availability(
    db: &db::PgPool,
    links: &Links,
    input: &str,
) -> Result<Availability, db::Error> {
    let normalized = input.trim().to_lowercase();
    let host = |name: &str| links.tenant_host(name);
    let parsed = Slug::parse_for_signup(input);
    let mut candidates = match &parsed {
        Ok(slug) => vec![slug.as_str().to_owned()],
        Err(e) if e.is_reserved() => Vec::new(),
        Err(e) => {
            return Ok(Availability {
                subdomain: normalized,
                state: SubdomainState::Invalid,
                message: e.to_string(),
                suggestions: Vec::new(),
            });
        }
    };
    candidates.extend(alternatives(&normalized));
    let states = db::tenants::slug_states(db, &candidates).await?;
    let state = match (&parsed, states.first()) {
        (Err(_), _) => SubdomainState::Reserved,
        (Ok(_), Some((_, SlugState::Available))) => SubdomainState::Available,
        (Ok(_), Some((_, SlugState::Quarantined))) => SubdomainState::Quarantined,
        (Ok(_), _) => SubdomainState::Taken,
    };
    let message = match state {
        SubdomainState::Available => format!("{} is available.", host(&normalized)),
        SubdomainState::Taken => format!("{} is taken.", host(&normalized)),
        SubdomainState::Reserved => format!("“{normalized}” is reserved."),
        SubdomainState::Quarantined => format!(
            "{} is quarantined: it belonged to a workspace deleted less than 30 days ago.",
            host(&normalized)
        ),
        SubdomainState::Invalid => unreachable!("answered above"),
    };
    let skip = usize::from(parsed.is_ok());
    let suggestions = if state == SubdomainState::Available {
        Vec::new()
    } else {
        states
            .into_iter()
            .skip(skip)
            .filter(|(_, s)| *s == SlugState::Available)
            .map(|(name, _)| name)
            .take(SUGGESTIONS)
            .collect()
    };
    Ok(Availability {
        subdomain: normalized,
        state,
        message,
        suggestions,
    })
}

/// What the person typed into the signup form.
#[derive(Clone, Debug)]
pub struct SignupForm {
    pub company: String,
    pub subdomain: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// A created workspace: where to send the browser to be signed in there.
#[derive(Debug)]
pub struct SignedUp {
    pub tenant_id: TenantId,
    pub slug: Slug,
    pub handoff_url: String,
}

/// Creates a workspace from the signup form, in one transaction (SPEC, "Provisioning").
/// Every field is checked before anything is written; a failure leaves nothing behind.
pub async fn sign_up(
    state: &AppState,
    client: Option<IpAddr>,
    form: SignupForm,
) -> Result<SignedUp, AppError> {
    let mut fields = FieldErrors::new();
    let mut field = |name: &str, message: String| {
        fields.insert(name.to_owned(), message);
    };
    let company = TenantName::parse(&form.company)
        .map_err(|e| field("company", e.to_string()))
        .ok();
    // No subdomain typed (a form posted without scripting): derive it from the company.
    let subdomain = match form.subdomain.trim() {
        "" => suggest_from_name(&form.company),
        typed => typed.to_owned(),
    };
    let slug = Slug::parse_for_signup(&subdomain)
        .map_err(|e| field("subdomain", e.to_string()))
        .ok();
    let name = PersonName::parse(&form.name)
        .map_err(|e| field("name", e.to_string()))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| field("email", e.to_string()))
        .ok();
    let password = Password::parse(form.password)
        .map_err(|e| field("password", e.to_string()))
        .ok();
    let (Some(company), Some(slug), Some(name), Some(email), Some(password)) =
        (company, slug, name, email, password)
    else {
        return Err(AppError::fields(fields));
    };

    // Only well-formed attempts count against the limit: typos cost nothing.
    if let Some(ip) = client
        && let Err(wait) = state.limits.signup.check(&ip)
    {
        return Err(AppError::RateLimited {
            message: format!("Too many signups from your network. {}", retry_phrase(wait)),
            retry_after_secs: wait.as_secs().max(1),
        });
    }

    let taken =
        |availability: Availability| AppError::field("subdomain", taken_message(&availability));
    let available = availability(&state.db.app, &state.links, slug.as_str()).await?;
    if available.state != SubdomainState::Available {
        return Err(taken(available));
    }

    // An address that already has an account joins with that account's password;
    // otherwise a new account is made. Hashing happens before the transaction opens.
    let first_admin = match db::users::find_credentials(&state.db.app, &email).await? {
        Some(account) => {
            if !credentials::verify_password(&password, Some(&account.password_hash)).await {
                return Err(AppError::field(
                    "password",
                    "This email already has an HREF CRM account. Enter that account’s password to add this workspace to it.",
                ));
            }
            FirstAdmin::Member(account.user_id)
        }
        None => {
            check_not_common(
                &password,
                &[name.as_str(), email.as_str(), company.as_str()],
            )
            .await
            .map_err(|e| AppError::field("password", e.to_string()))?;
            FirstAdmin::NewAccount {
                email: email.clone(),
                name: name.clone(),
                password_hash: credentials::hash_password(&password).await?,
            }
        }
    };

    let status = if state.settings.auto_approve_signups {
        TenantStatus::Active
    } else {
        TenantStatus::Pending
    };
    let new = NewTenant {
        slug: slug.clone(),
        name: company,
        status,
    };
    let mut tx = state.db.app.begin().await.map_err(db::Error::from)?;
    let provisioned = match provision_tenant(&mut tx, &new, &first_admin, "signup", &state.links)
        .await
    {
        Ok(provisioned) => provisioned,
        Err(ProvisionError::SlugTaken | ProvisionError::SlugQuarantined) => {
            // Another signup won the race: say so, with alternatives that are free now.
            drop(tx);
            return Err(taken(
                availability(&state.db.app, &state.links, slug.as_str()).await?,
            ));
        }
        Err(ProvisionError::EmailTaken) => {
            return Err(AppError::field(
                "password",
                "An account with this email was created a moment ago. Enter its password to add this workspace to it.",
            ));
        }
        Err(ProvisionError::Db(e)) => return Err(e.into()),
    };
    let tenant = provisioned.tenant_id;
    let user = provisioned.admin_user.ok_or(AppError::Internal)?;
    let handoff = db::handoffs::insert(&mut tx, tenant, user).await?;
    let member = db::members::find(&mut tx, user)
        .await?
        .ok_or(AppError::Internal)?;
    if !member.email_verified {
        let token = db::verifications::insert(&mut tx, tenant, user, &email).await?;
        let url = verification_url(&state.links, &slug, &token);
        let message = db::emails::verification(new.name.as_str(), &url)?;
        db::outbox::enqueue(&mut tx, Some(tenant), &email, &message).await?;
    }
    if status == TenantStatus::Pending {
        let notice = db::emails::staff_signup_notice(
            new.name.as_str(),
            slug.as_str(),
            &state.links.tenant_url(&slug, "/"),
            name.as_str(),
            email.as_str(),
        )?;
        if db::staff::enqueue_notice(&mut tx, &notice).await? == 0 {
            tracing::warn!(
                tenant = %slug,
                "a signup awaits approval but no staff account exists to tell (cargo hcrm create-staff)"
            );
        }
    }
    tx.commit().await.map_err(db::Error::from)?;
    tracing::info!(tenant = %slug, status = status.as_str(), "workspace signed up");
    Ok(SignedUp {
        tenant_id: tenant,
        handoff_url: state
            .links
            .tenant_url(&slug, &format!("/handoff/{}", handoff.expose())),
        slug,
    })
}

/// "acme.example.com is taken. Try acme-hq, acme-team or get-acme." — the suggestions in
/// words too, for a page without scripting, where suggestion buttons cannot work.
pub fn taken_message(availability: &Availability) -> String {
    match availability.suggestions.as_slice() {
        [] => availability.message.clone(),
        [one] => format!("{} Try {one}.", availability.message),
        [rest @ .., last] => format!(
            "{} Try {} or {last}.",
            availability.message,
            rest.join(", ")
        ),
    }
}

fn verification_url(links: &Links, slug: &Slug, token: &Token) -> String {
    links.tenant_url(slug, &format!("/verify/{}", token.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn availability_with(suggestions: &[&str]) -> Availability {
        Availability {
            subdomain: "acme".into(),
            state: SubdomainState::Taken,
            message: "acme.localhost:3000 is taken.".into(),
            suggestions: suggestions.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_taken_message_names_the_suggestions_in_words() {
        assert_eq!(
            taken_message(&availability_with(&["acme-hq", "acme-team", "get-acme"])),
            "acme.localhost:3000 is taken. Try acme-hq, acme-team or get-acme."
        );
        assert_eq!(
            taken_message(&availability_with(&["acme-hq"])),
            "acme.localhost:3000 is taken. Try acme-hq."
        );
        assert_eq!(
            taken_message(&availability_with(&[])),
            "acme.localhost:3000 is taken."
        );
    }
}
