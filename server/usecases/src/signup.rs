//! Self-service signup on the apex: the live checks (subdomain availability, password
//! strength) and the signup itself, which provisions a workspace and hands its new admin
//! over to the workspace's own host.

use std::net::IpAddr;

use db::tenants::SlugState;
use domain::{
    HexColour, Slug, SlugError, TenantStatus, Token,
    signup::{Availability, PasswordRating, SignupRequest, SubdomainState},
    slug::alternatives,
};

use crate::{
    Actor, Error, Platform, emails,
    passwords::{self, begin_attempt, check_not_common, parse_uncommon},
    provision::{FirstAdmin, NewTenant, provision_in},
    secrets,
};

/// How many available alternatives a taken, reserved or quarantined name comes with.
pub const SUGGESTIONS: usize = 3;

/// Whose rules a subdomain is checked under: self-service signup needs 3 characters,
/// staff may provision 1 or 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlugRules {
    Signup,
    Staff,
}

impl SlugRules {
    fn parse(self, input: &str) -> Result<Slug, SlugError> {
        match self {
            SlugRules::Signup => Slug::parse_for_signup(input),
            SlugRules::Staff => Slug::parse(input),
        }
    }
}

/// Whether `input` can be claimed, with up to three available alternatives when it cannot
/// for a reason other than its shape. One round trip to the database at most.
pub async fn availability(
    p: &Platform,
    input: &str,
    rules: SlugRules,
) -> Result<Availability, Error> {
    let normalized = input.trim().to_lowercase();
    let host = |name: &str| p.links.tenant_host(name);
    let parsed = rules.parse(input);
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
    let states = db::tenants::slug_states(&p.db.app, &candidates).await?;
    let (state, message) = match (&parsed, states.first()) {
        (Err(_), _) => (
            SubdomainState::Reserved,
            format!("“{normalized}” is reserved."),
        ),
        (Ok(_), Some((_, SlugState::Available))) => (
            SubdomainState::Available,
            format!("{} is available.", host(&normalized)),
        ),
        (Ok(_), Some((_, SlugState::Quarantined))) => (
            SubdomainState::Quarantined,
            format!(
                "{} is quarantined: it belonged to a workspace deleted less than 30 days ago.",
                host(&normalized)
            ),
        ),
        (Ok(_), _) => (
            SubdomainState::Taken,
            format!("{} is taken.", host(&normalized)),
        ),
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

/// The live availability answer for a person typing, counted against their network's
/// allowance of checks.
pub async fn check_subdomain(
    p: &Platform,
    client: Option<IpAddr>,
    input: &str,
    rules: SlugRules,
) -> Result<Availability, Error> {
    p.limits.count_check(&p.db.app, client).await?;
    availability(p, input, rules).await
}

/// Rates a password as signup would judge a new account's, for the live hint.
pub async fn rate_password(
    p: &Platform,
    client: Option<IpAddr>,
    password: String,
) -> Result<PasswordRating, Error> {
    p.limits.count_check(&p.db.app, client).await?;
    Ok(match parse_uncommon(password, &[]).await {
        Ok(_) => PasswordRating {
            acceptable: true,
            message: "Strong enough.".into(),
        },
        Err(e) => PasswordRating {
            acceptable: false,
            message: e.to_string(),
        },
    })
}

/// A created workspace, and how its new admin gets signed in there.
#[derive(Debug)]
pub struct SignedUp {
    pub slug: Slug,
    /// Where to send the browser next: the hand-off link on the workspace's host.
    pub handoff_url: String,
    /// The secret the signing-up browser keeps in a cookie on the apex: only that browser
    /// can finish the hand-off (`docs/security.md`, "Signup hand-off").
    pub browser_secret: Token,
    /// `pending` until staff approve it, or `active` with automatic approval.
    pub status: TenantStatus,
}

/// Creates a workspace from a parsed signup, in one transaction: nothing is written unless
/// all of it is. Counted in `hcrm_signups_total` by outcome: the new workspace's status, or
/// the kind of refusal.
pub async fn sign_up(
    p: &Platform,
    client: Option<IpAddr>,
    request: SignupRequest,
) -> Result<SignedUp, Error> {
    let signed_up = create(p, client, request).await;
    let outcome = match &signed_up {
        Ok(done) => done.status.as_str(),
        Err(e) => e.code(),
    };
    metrics::counter!("hcrm_signups_total", "outcome" => outcome).increment(1);
    signed_up
}

async fn create(
    p: &Platform,
    client: Option<IpAddr>,
    request: SignupRequest,
) -> Result<SignedUp, Error> {
    let SignupRequest {
        company,
        slug,
        name,
        email,
        password,
    } = request;
    // Only well-formed attempts count against the limit: typos cost nothing.
    p.limits
        .count_signup(&p.db.app, client, "Too many signups from your network.")
        .await?;

    let taken = |availability: Availability| Error::field("subdomain", availability.in_words());
    let available = availability(p, slug.as_str(), SlugRules::Signup).await?;
    if available.state != SubdomainState::Available {
        return Err(taken(available));
    }

    // An address with a verified account joins with that account's password (counted
    // against the account's limit, like a sign-in); otherwise a new account is made.
    // Hashing happens before the transaction opens.
    let account = db::users::account_setting(&p.db.app, &email).await?;
    let first_admin = match account {
        Some(account) => {
            let attempt = begin_attempt(
                p,
                &email,
                client,
                "Too many wrong passwords for this email's account.",
            )
            .await?;
            if !passwords::check(p, attempt, Some(&account), password.expose()).await? {
                return Err(Error::field(
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
            .map_err(|e| Error::field("password", e.to_string()))?;
            FirstAdmin::NewAccount {
                email: email.clone(),
                name: name.clone(),
                password_hash: passwords::hash(&password).await?,
            }
        }
    };

    let status = if p.settings.auto_approve_signups {
        TenantStatus::Active
    } else {
        TenantStatus::Pending
    };
    let new = NewTenant {
        slug: slug.clone(),
        name: company,
        status,
    };
    let mut tx = p.db.app.begin().await?;
    let provisioned = match provision_in(p, &mut tx, &new, first_admin, &Actor::Signup).await {
        Ok(provisioned) => provisioned,
        Err(Error::Invalid { code, .. })
            if code == "subdomain_taken" || code == "subdomain_quarantined" =>
        {
            // Another signup won the race: say so, with alternatives that are free now.
            drop(tx);
            return Err(taken(
                availability(p, slug.as_str(), SlugRules::Signup).await?,
            ));
        }
        Err(e) => return Err(e),
    };
    let tenant = provisioned.tenant_id;
    let user = provisioned.admin_user.ok_or(Error::Internal)?;
    let handoff = secrets::new_token();
    let browser_secret = secrets::new_token();
    db::handoffs::insert(
        &mut tx,
        tenant,
        user,
        &handoff.hash(),
        &browser_secret.hash(),
    )
    .await?;
    let member = db::members::find(&mut tx, user)
        .await?
        .ok_or(Error::Internal)?;
    if !member.email_verified {
        let token = secrets::new_token();
        db::verifications::insert(&mut tx, tenant, user, &email, &token).await?;
        let url = p
            .links
            .tenant_url(&slug, &format!("/verify/{}", token.expose()));
        let brand = emails::Brand::new(new.name.as_str(), &HexColour::default_brand(), None);
        let message = emails::verification(&brand, &url)?;
        emails::queue(p, &mut tx, Some(tenant), &email, &message).await?;
    }
    if status == TenantStatus::Pending {
        let notice = emails::staff_signup_notice(
            new.name.as_str(),
            slug.as_str(),
            &p.links.tenant_url(&slug, "/"),
            name.as_str(),
            email.as_str(),
        )?;
        if emails::queue_to_staff(p, &mut tx, &notice).await? == 0 {
            tracing::warn!(
                tenant = %slug,
                "a signup awaits approval but no staff account exists to tell (cargo hcrm create-staff)"
            );
        }
    }
    tx.commit().await?;
    tracing::info!(tenant = %slug, status = status.as_str(), "workspace signed up");
    Ok(SignedUp {
        handoff_url: p
            .links
            .tenant_url(&slug, &format!("/handoff/{}", handoff.expose())),
        slug,
        browser_secret,
        status,
    })
}
