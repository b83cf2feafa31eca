//! Single sign-on per workspace over OpenID Connect: the authorization code flow with PKCE,
//! `state` and `nonce` kept server-side, the ID token checked by `openidconnect`, and the
//! rules of who gets in (`docs/sso.md`).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use db::{UserId, members::Member, tenants::ResolvedTenant};
use domain::{
    Email, PersonName, Role,
    sso::{EmailDomainView, SsoPage, parse_email_domains, parse_issuer},
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreResponseType},
};
use serde_json::json;

use crate::{
    Actor, Error, Platform,
    actor::{admin, audit},
    passwords, secrets,
};

/// How long a sign-in may take between leaving for the provider and coming back.
pub const LOGIN_MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// How long one request to the provider may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// What the client secrets and PKCE verifiers are sealed for, with their workspace: a
/// sealed value moved to another workspace's row does not open.
fn purpose(what: &str, tenant: db::TenantId) -> Vec<u8> {
    format!("sso-{what}:{}", tenant.0).into_bytes()
}

/// The redirect URI to register at the provider.
pub fn redirect_uri(p: &Platform, tenant: &ResolvedTenant) -> String {
    p.links.tenant_url(&tenant.slug, "/sso/callback")
}

/// What an admin typed into Settings → Single sign-on.
#[derive(Clone, Debug)]
pub struct ConnectionForm {
    pub issuer: String,
    pub client_id: String,
    /// Empty: keep the stored one.
    pub client_secret: String,
    pub email_domains: String,
}

/// The page.
pub async fn view(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
) -> Result<SsoPage, Error> {
    admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let connection = db::sso::connection(&mut tx).await?;
    let domains = db::sso::email_domains(&mut tx).await?;
    let admin_signed_in = match &connection {
        Some(c) => db::sso::admin_has_signed_in(&mut tx, &c.issuer).await?,
        None => false,
    };
    tx.commit().await?;
    let redirect_uri = redirect_uri(p, tenant);
    let back_channel_logout_uri = back_channel_logout_uri(p, tenant);
    Ok(match connection {
        None => SsoPage {
            redirect_uri,
            back_channel_logout_uri,
            ..SsoPage::default()
        },
        Some(c) => SsoPage {
            configured: true,
            issuer: c.issuer,
            client_id: c.client_id,
            secret_set: true,
            email_domains: domains
                .into_iter()
                .map(|d| EmailDomainView::new(d.domain, &d.token, d.verified))
                .collect(),
            require_sso: c.require_sso,
            admin_signed_in,
            redirect_uri,
            back_channel_logout_uri,
        },
    })
}

/// **Save**: checks the form, runs discovery against the issuer, and stores the connection
/// (the secret sealed). Each email domain gets a record to prove it with.
pub async fn save(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    form: &ConnectionForm,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let allow_private = p.settings.sso_allow_private;
    let mut fields = domain::Fields::default();
    let issuer = fields.check("issuer", parse_issuer(&form.issuer, allow_private));
    let client_id = form.client_id.trim();
    if client_id.is_empty() || client_id.len() > 255 {
        fields.add("client_id", "Enter the client ID the provider gave you.");
    }
    let secret = form.client_secret.trim();
    if secret.len() > 1024 {
        fields.add("client_secret", "That client secret is too long.");
    }
    let domains = fields.check(
        "email_domains",
        parse_email_domains(&form.email_domains, p.links.apex_host()),
    );
    let (Some(issuer), Some(domains)) = (issuer, domains) else {
        return Err(fields.into_errors().into());
    };
    if !fields.is_empty() {
        return Err(fields.into_errors().into());
    }
    // Outside any transaction: a slow provider holds no connection. Always fetched afresh:
    // the admin is checking this provider now.
    fetch_provider(p, &issuer).await?;

    let sealed = (!secret.is_empty()).then(|| {
        p.sealing_key
            .seal_bytes(&purpose("client-secret", tenant.id), secret.as_bytes())
    });
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let saved = db::sso::save_connection(
        &mut tx,
        tenant.id,
        &issuer,
        client_id,
        sealed.as_deref(),
        &domains,
    )
    .await?;
    if !saved {
        return Err(Error::field(
            "client_secret",
            "Enter the client secret the provider gave you.",
        ));
    }
    db::sso::keep_email_domains(&mut tx, tenant.id, &domains, || {
        secrets::new_token().expose().to_owned()
    })
    .await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        "sso.saved",
        json!({ "issuer": issuer, "email_domains": domains }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// **Verify** an email domain: looks its TXT record up now (as for custom domains).
pub async fn verify_email_domain(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    domain: &str,
) -> Result<domain::custom_domain::TxtFinding, Error> {
    use domain::custom_domain::{CustomDomain, TxtFinding};

    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let record = db::sso::email_domains(&mut tx)
        .await?
        .into_iter()
        .find(|d| d.domain == domain)
        .ok_or_else(|| {
            Error::NotFound("That email domain is not in the connection any more.".into())
        })?;
    tx.commit().await?;
    let finding = p
        .dns
        .challenge(
            &CustomDomain::from_stored(record.domain.clone()),
            &record.token,
        )
        .await;
    if finding == TxtFinding::Ours && !record.verified {
        let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
        if db::sso::mark_verified(&mut tx, &record.domain, &record.token).await? {
            audit(
                &mut tx,
                Some(tenant.id),
                &actor,
                "sso.domain_verified",
                json!({ "domain": record.domain }),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(finding)
}

/// **Require SSO** on or off. On only once an admin has signed in through the connection,
/// so that the admins are not locked out by a connection that does not work.
pub async fn set_require(
    p: &Platform,
    tenant: &ResolvedTenant,
    member: &Member,
    on: bool,
) -> Result<(), Error> {
    let actor = admin(member)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let connection = db::sso::connection(&mut tx)
        .await?
        .ok_or_else(|| Error::conflict("sso_not_configured", "Save a connection first."))?;
    if on && !db::sso::admin_has_signed_in(&mut tx, &connection.issuer).await? {
        return Err(Error::conflict(
            "sso_not_tried",
            "Sign in with SSO as an admin once before requiring it, so that you know it works.",
        ));
    }
    db::sso::set_require(&mut tx, on).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &actor,
        if on {
            "sso.required"
        } else {
            "sso.not_required"
        },
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the workspace has a connection (the sign-in page offers **Sign in with SSO**).
pub async fn is_offered(p: &Platform, tenant: &ResolvedTenant) -> Result<bool, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let connection = db::sso::connection(&mut tx).await?;
    tx.commit().await?;
    Ok(connection.is_some())
}

/// Whether the workspace of `tx` requires single sign-on: then members may not sign in
/// with, reset or set a password; admins may, as the way back in.
pub async fn is_required(tx: &mut db::Tx) -> Result<bool, Error> {
    Ok(db::sso::connection(tx)
        .await?
        .is_some_and(|c| c.require_sso))
}

/// Whether `tenant` requires single sign-on of its members.
pub async fn required_by(p: &Platform, tenant: &ResolvedTenant) -> Result<bool, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let required = is_required(&mut tx).await?;
    tx.commit().await?;
    Ok(required)
}

/// The message for a member refused a password.
pub const USE_SSO: &str =
    "This workspace signs its members in with single sign-on: use Sign in with SSO.";

/// **Sign in with SSO**: the provider's authorization URL, with `state`, `nonce` and a PKCE
/// challenge whose verifier stays here, bound to the workspace and the connection; and the
/// state, for the door to bind to the browser.
pub async fn start(p: &Platform, tenant: &ResolvedTenant) -> Result<(String, String), Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let connection = db::sso::connection(&mut tx)
        .await?
        .ok_or_else(|| Error::NotFound("This workspace has no single sign-on.".into()))?;
    tx.commit().await?;
    let metadata = provider(p, &connection.issuer).await?.metadata;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(connection.client_id.clone()),
        None,
    )
    .set_redirect_uri(redirect_url(p, tenant)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let login = db::sso::Login {
        nonce: nonce.secret().clone(),
        pkce_verifier_sealed: p.sealing_key.seal_bytes(
            &purpose("pkce-verifier", tenant.id),
            verifier.secret().as_bytes(),
        ),
        issuer: connection.issuer,
        client_id: connection.client_id,
        age_seconds: 0.0,
    };
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    db::sso::begin_login(
        &mut tx,
        tenant.id,
        state.secret(),
        &login,
        LOGIN_MAX_AGE.as_secs_f64(),
    )
    .await?;
    tx.commit().await?;
    Ok((url.to_string(), state.secret().clone()))
}

/// Why a sign-in through the provider was refused: the page says it, nothing was created.
fn refused(message: &str) -> Error {
    Error::forbidden(format!("Single sign-on did not work: {message}"))
}

/// The provider sent the person back with `code` and `state`: checks everything, then
/// finds or makes the member. Refused, with nothing created: an unknown, replayed or stale
/// state, a code the provider will not exchange (reused, or for another client), an ID
/// token that fails its checks (signature, issuer, audience, expiry, nonce), an email the
/// provider has not verified, or one outside the connection's proven domains.
pub async fn finish(
    p: &Platform,
    tenant: &ResolvedTenant,
    code: &str,
    state: &str,
) -> Result<UserId, Error> {
    if let Some(message) = tenant.status.closed_message() {
        return Err(Error::forbidden(message));
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let login = db::sso::take_login(&mut tx, state).await?;
    let connection = db::sso::connection(&mut tx).await?;
    tx.commit().await?;
    let login = login.ok_or_else(|| {
        refused("this sign-in link was already used or is not ours. Start again.")
    })?;
    if login.age_seconds > LOGIN_MAX_AGE.as_secs_f64() {
        return Err(refused("the sign-in took too long. Start again."));
    }
    let connection = connection
        .filter(|c| c.issuer == login.issuer && c.client_id == login.client_id)
        .ok_or_else(|| refused("the workspace's connection changed meanwhile. Start again."))?;

    let secret = p
        .sealing_key
        .open_bytes(
            &purpose("client-secret", tenant.id),
            &connection.client_secret_sealed,
        )
        .map_err(|_| Error::Internal)?;
    let verifier = p
        .sealing_key
        .open_bytes(
            &purpose("pkce-verifier", tenant.id),
            &login.pkce_verifier_sealed,
        )
        .map_err(|_| Error::Internal)?;
    let client_id = ClientId::new(connection.client_id.clone());
    let client_secret = ClientSecret::new(String::from_utf8_lossy(&secret).into_owned());
    let kept = provider(p, &connection.issuer).await?;
    let client = CoreClient::from_provider_metadata(
        kept.metadata.clone(),
        client_id.clone(),
        Some(client_secret.clone()),
    )
    .set_redirect_uri(redirect_url(p, tenant)?);
    let http = Outbound::new(p.settings.sso_allow_private);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| refused("the provider has no token endpoint."))?
        .set_pkce_verifier(PkceCodeVerifier::new(String::from_utf8_lossy(&verifier).into_owned()))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::info!(error = %e, "the provider refused the code");
            refused("the provider did not accept the sign-in (a code used twice, or for another client). Start again.")
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| refused("the provider sent no ID token."))?;
    let nonce = Nonce::new(login.nonce);
    let check = |metadata: CoreProviderMetadata| {
        let client = CoreClient::from_provider_metadata(
            metadata,
            client_id.clone(),
            Some(client_secret.clone()),
        );
        id_token
            .claims(&client.id_token_verifier(), &nonce)
            .cloned()
            .map_err(|e| {
                tracing::info!(error = %e, "an ID token failed its checks");
                refused(&format!("the provider's ID token is not valid ({e})."))
            })
    };
    let claims = check_with_provider(p, &connection.issuer, kept, check).await?;
    if claims.email_verified() != Some(true) {
        return Err(refused("the provider has not verified your email address."));
    }
    let email = claims
        .email()
        .and_then(|e| Email::parse(e.as_str()).ok())
        .ok_or_else(|| refused("the provider sent no email address."))?;
    let subject = claims.subject().as_str().to_owned();
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned());

    let domain_of_email = email
        .as_str()
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let proven = db::sso::email_domains(&mut tx).await?.into_iter().any(|d| {
        d.verified && d.domain == domain_of_email && connection.email_domains.contains(&d.domain)
    });
    if !proven {
        return Err(refused(&format!(
            "{email} is not in an email domain this workspace signs in with single sign-on."
        )));
    }
    let user = admit(
        &mut tx,
        tenant,
        &connection.issuer,
        &subject,
        &email,
        name.as_deref(),
    )
    .await?;
    db::members::touch_sign_in(&mut tx, user).await?;
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::User(user),
        "member.signed_in",
        json!({ "method": "sso" }),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// What a logout token says besides the claims every ID token has (OpenID Connect
/// Back-Channel Logout 1.0, section 2.4).
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct LogoutClaims {
    /// Must name the back-channel logout event: what tells a logout token from an ID token.
    #[serde(default)]
    pub events: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub jti: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
}

impl openidconnect::AdditionalClaims for LogoutClaims {}

/// A logout token as it arrives: a JWT signed like the provider's ID tokens.
pub type LogoutToken = openidconnect::IdToken<
    LogoutClaims,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJwsSigningAlgorithm,
>;

/// The event a logout token must carry.
pub const BACK_CHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The back-channel logout URI to register at the provider.
pub fn back_channel_logout_uri(p: &Platform, tenant: &ResolvedTenant) -> String {
    p.links.tenant_url(&tenant.slug, "/sso/back-channel-logout")
}

/// The provider ends an account (disabled, or signed out there): it posts a logout token
/// naming the account, and the member linked to that account loses every session here at
/// once. The token is checked like an ID token (the connection's issuer and client, the
/// provider's keys, not expired) and, being a logout token, must carry the logout event,
/// a `sub`, a `jti` seen only once, and no nonce. Answers how many sessions ended; a
/// valid token for an account nobody here is linked to ends none.
pub async fn end_sessions_from_provider(
    p: &Platform,
    tenant: &ResolvedTenant,
    logout_token: &str,
) -> Result<u64, Error> {
    let invalid = |why: &str| Error::field("logout_token", why);
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let connection = db::sso::connection(&mut tx).await?;
    tx.commit().await?;
    let connection =
        connection.ok_or_else(|| invalid("this workspace has no single sign-on connection"))?;
    let token: LogoutToken = logout_token
        .trim()
        .parse()
        .map_err(|_| invalid("not a signed JWT"))?;
    let no_nonce = |nonce: Option<&Nonce>| match nonce {
        None => Ok(()),
        Some(_) => Err("a logout token carries no nonce".to_owned()),
    };
    let check = |metadata: CoreProviderMetadata| {
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(connection.client_id.clone()),
            None,
        );
        let jose_types = ["logout+jwt", "JWT"].into_iter().filter_map(|t| {
            openidconnect::JsonWebTokenType::new(t.to_owned())
                .normalize()
                .ok()
        });
        let verifier = client
            .id_token_verifier()
            .set_allowed_jose_types(jose_types);
        token.claims(&verifier, no_nonce).cloned().map_err(|e| {
            tracing::info!(error = %e, "a logout token failed its checks");
            invalid(&format!("the logout token is not valid ({e})"))
        })
    };
    let kept = provider(p, &connection.issuer).await?;
    let claims = check_with_provider(p, &connection.issuer, kept, check).await?;
    if !claims
        .additional_claims()
        .events
        .contains_key(BACK_CHANNEL_LOGOUT_EVENT)
    {
        return Err(invalid("the token names no back-channel logout event"));
    }
    let jti = claims
        .additional_claims()
        .jti
        .as_deref()
        .filter(|j| !j.is_empty())
        .ok_or_else(|| invalid("the token has no jti"))?;
    let subject = claims.subject().as_str();

    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    if !db::sso::take_logout_token(&mut tx, tenant.id, jti, claims.expiration().timestamp()).await?
    {
        return Err(invalid("this logout token was already used"));
    }
    let Some(user) = db::sso::identity(&mut tx, &connection.issuer, subject).await? else {
        tx.commit().await?;
        return Ok(0);
    };
    let ended = db::sessions::delete_for_user(&mut tx, user).await?;
    let email = db::members::find(&mut tx, user).await?.map(|m| m.email);
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::System,
        "member.sessions_ended_by_provider",
        json!({ "email": email, "sessions": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Who the provider's account is here: the member linked to it; else, on a first sign-in,
/// the member or invited person with that address (linked now, and by (issuer, subject)
/// only from then on); else a new member with the default role, within the seats.
async fn admit(
    tx: &mut db::Tx,
    tenant: &ResolvedTenant,
    issuer: &str,
    subject: &str,
    email: &Email,
    name: Option<&str>,
) -> Result<UserId, Error> {
    if let Some(user) = db::sso::identity(tx, issuer, subject).await?
        && db::members::find(tx, user).await?.is_some()
    {
        return Ok(user);
    }
    db::tenants::lock_current(tx).await?;
    if let Some(member) = db::members::find_by_email(tx, email).await? {
        if db::sso::has_identity(tx, member.user_id, issuer).await? {
            // Linked to another account at the provider: never matched by email again.
            return Err(refused(&format!(
                "{email} is linked to another account at your provider."
            )));
        }
        db::sso::link(tx, tenant.id, issuer, subject, member.user_id).await?;
        return Ok(member.user_id);
    }
    let invite = db::invites::find_pending_for(tx, email).await?;
    let role = invite.as_ref().map_or(Role::Member, |i| i.role);
    if invite.is_none() {
        let seats = crate::team::seats(tx).await?;
        if !seats.has_room() {
            return Err(Error::Conflict {
                code: "seat_limit",
                message: seats.full_message(),
            });
        }
    }
    let account = db::users::account_setting(&mut **tx, email).await?;
    let user = match account {
        Some(account) => account.user_id,
        None => {
            let display = name
                .and_then(|n| PersonName::parse(n).ok())
                .or_else(|| PersonName::parse(email.as_str().split('@').next().unwrap_or("")).ok())
                .ok_or(Error::Internal)?;
            // An account made here has no password anyone knows: it signs in through the
            // provider, or sets one with a reset link.
            let unusable = passwords::unusable_hash().await?;
            db::users::insert(tx, email, &display, &unusable, true).await?
        }
    };
    if let Some(invite) = &invite {
        db::invites::consume(tx, invite.id, user).await?;
    }
    db::members::insert(tx, tenant.id, user, role).await?;
    db::sso::link(tx, tenant.id, issuer, subject, user).await?;
    audit(
        tx,
        Some(tenant.id),
        &Actor::User(user),
        "member.joined_by_sso",
        json!({ "role": role.as_str(), "invited": invite.is_some() }),
    )
    .await?;
    Ok(user)
}

fn redirect_url(p: &Platform, tenant: &ResolvedTenant) -> Result<RedirectUrl, Error> {
    RedirectUrl::new(redirect_uri(p, tenant)).map_err(|_| Error::Internal)
}

/// How long a provider's metadata (its discovery document and keys) is kept before it is
/// fetched again.
const KEEP_METADATA: Duration = Duration::from_secs(5 * 60);
/// A token that fails its checks is checked once more against metadata fetched afresh (the
/// provider may have rotated its keys), but an issuer's metadata is fetched for that at
/// most once per this time: tokens made up to fail cannot make this server call the
/// provider more often.
const REFRESH_AFTER: Duration = Duration::from_secs(5);

/// Each identity provider's metadata, kept for [`KEEP_METADATA`] (`docs/sso.md`): a
/// sign-in or a logout token then costs no request to the provider's discovery document
/// and keys. Cloning gives another handle on the same store.
#[derive(Clone, Debug, Default)]
pub struct Providers(Arc<Mutex<HashMap<String, Kept>>>);

/// A provider's metadata, and when it was fetched.
#[derive(Clone, Debug)]
struct Kept {
    metadata: CoreProviderMetadata,
    fetched: Instant,
    /// When a failed check last had it fetched afresh (or when it was fetched).
    refreshed: Instant,
}

/// What a check that failed on kept metadata does next.
enum AfterFailure {
    /// Checks again on what another request fetched since.
    Recheck(Box<CoreProviderMetadata>),
    /// Fetches afresh and checks again.
    Fetch,
    /// Keeps the failure: metadata was fetched for a failure too recently.
    Fail,
}

impl Providers {
    /// What a check that failed on metadata fetched at `fetched` does next; a fetch is
    /// claimed here, so that concurrent failures start one fetch between them.
    fn after_failure(&self, issuer: &str, fetched: Instant) -> AfterFailure {
        let mut store = self.store();
        let Some(kept) = store.get_mut(issuer) else {
            return AfterFailure::Fetch;
        };
        if kept.fetched > fetched {
            AfterFailure::Recheck(Box::new(kept.metadata.clone()))
        } else if kept.refreshed.elapsed() >= REFRESH_AFTER {
            kept.refreshed = Instant::now();
            AfterFailure::Fetch
        } else {
            AfterFailure::Fail
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `issuer`'s metadata: as kept, or fetched if there is none younger than
/// [`KEEP_METADATA`].
async fn provider(p: &Platform, issuer: &str) -> Result<Kept, Error> {
    let kept = p.providers.store().get(issuer).cloned();
    match kept {
        Some(kept) if kept.fetched.elapsed() < KEEP_METADATA => Ok(kept),
        _ => fetch_provider(p, issuer).await,
    }
}

/// `issuer`'s metadata fetched afresh and checked ([`discover`]), then kept.
async fn fetch_provider(p: &Platform, issuer: &str) -> Result<Kept, Error> {
    let metadata = discover(p, issuer).await?;
    let now = Instant::now();
    let kept = Kept {
        metadata,
        fetched: now,
        refreshed: now,
    };
    let mut store = p.providers.store();
    store.retain(|_, k| k.fetched.elapsed() < KEEP_METADATA);
    store.insert(issuer.to_owned(), kept.clone());
    Ok(kept)
}

/// `check` on `kept`; if it fails, once more on newer metadata: kept since by another
/// request, or fetched afresh unless that was done less than [`REFRESH_AFTER`] ago.
async fn check_with_provider<T>(
    p: &Platform,
    issuer: &str,
    kept: Kept,
    check: impl Fn(CoreProviderMetadata) -> Result<T, Error>,
) -> Result<T, Error> {
    let failed = match check(kept.metadata) {
        Ok(checked) => return Ok(checked),
        Err(failed) => failed,
    };
    match p.providers.after_failure(issuer, kept.fetched) {
        AfterFailure::Recheck(metadata) => check(*metadata),
        AfterFailure::Fetch => check(fetch_provider(p, issuer).await?.metadata),
        AfterFailure::Fail => Err(failed),
    }
}

/// The provider's metadata, checked: reachable, naming exactly `issuer`, offering the
/// authorization code flow.
async fn discover(p: &Platform, issuer: &str) -> Result<CoreProviderMetadata, Error> {
    use openidconnect::DiscoveryError;

    let url = IssuerUrl::new(issuer.to_owned())
        .map_err(|_| Error::field("issuer", "Enter the issuer's URL."))?;
    let http = Outbound::new(p.settings.sso_allow_private);
    let metadata = CoreProviderMetadata::discover_async(url, &http)
        .await
        .map_err(|e| match e {
            DiscoveryError::Validation(message) if message.contains("issuer") => Error::field(
                "issuer",
                "The provider's discovery document names another issuer: enter the issuer URL exactly as the provider states it.",
            ),
            DiscoveryError::Request(FetchError::Refused(why)) => Error::field("issuer", why),
            DiscoveryError::Request(_) | DiscoveryError::Response(..) => Error::field(
                "issuer",
                format!("Could not reach the issuer's discovery document at {issuer}/.well-known/openid-configuration."),
            ),
            other => Error::field(
                "issuer",
                format!("The issuer's discovery document is not valid OpenID Connect ({other})."),
            ),
        })?;
    let code_flow = metadata
        .response_types_supported()
        .iter()
        .any(|types| types.as_slice() == [CoreResponseType::Code]);
    if !code_flow {
        return Err(Error::field(
            "issuer",
            "This provider does not offer the authorization code flow, which single sign-on needs.",
        ));
    }
    Ok(metadata)
}

/// Why a request to a provider was not made or failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not allowed: a private or loopback address.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// Requests to identity providers: no redirects followed, a timeout, and no private or
/// loopback address unless `SSO_ALLOW_PRIVATE` (checked on the addresses actually used,
/// so a name that resolves to one is refused too).
struct Outbound {
    allow_private: bool,
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Outbound {
    type Error = FetchError;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, FetchError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.fetch(request))
    }
}

impl Outbound {
    fn new(allow_private: bool) -> Outbound {
        Outbound { allow_private }
    }

    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        let uri = request.uri().clone();
        let host = uri
            .host()
            .ok_or_else(|| FetchError::Refused("The issuer's URL has no host.".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("http") {
                80
            } else {
                443
            });
        // An owned `host:port` (a borrowed pair makes the future not `Send` for axum).
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host(target)
            .await
            .map_err(|_| FetchError::Failed(format!("cannot resolve {host}")))?
            .collect();
        if addresses.is_empty() {
            return Err(FetchError::Failed(format!("cannot resolve {host}")));
        }
        if !self.allow_private && addresses.iter().any(|a| is_private(a.ip())) {
            return Err(FetchError::Refused(format!(
                "{host} is a private or loopback address: single sign-on talks only to providers on the internet."
            )));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .resolve_to_addrs(&host, &addresses)
            .build()
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        let request =
            reqwest::Request::try_from(request).map_err(|e| FetchError::Failed(e.to_string()))?;
        let response = client
            .execute(request)
            .await
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        builder
            .body(body.to_vec())
            .map_err(|e| FetchError::Failed(e.to_string()))
    }
}

/// Loopback, private, link-local, unspecified and other addresses not on the internet.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]) // shared (CGNAT)
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link-local
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_off_the_internet_are_private() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "1.1.1.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn a_loopback_issuer_is_refused_unless_allowed() {
        let outbound = Outbound::new(false);
        let request = http::Request::get("http://127.0.0.1:9/.well-known/openid-configuration")
            .body(Vec::new())
            .unwrap();
        assert!(matches!(
            outbound.fetch(request).await,
            Err(FetchError::Refused(_))
        ));
        let localhost = http::Request::get("http://localhost:9/x")
            .body(Vec::new())
            .unwrap();
        assert!(matches!(
            outbound.fetch(localhost).await,
            Err(FetchError::Refused(_))
        ));
    }
}
