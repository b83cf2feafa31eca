//! ID tokens that must not sign anybody in. A real provider only issues good tokens, so
//! this test's provider is a small one of its own (discovery, keys, a token endpoint) that
//! signs, with `openidconnect`'s own signer, exactly the token each case needs: a wrong
//! nonce, another audience, another issuer, an expired token, a signature by a key that is
//! not the provider's. A good token from it signs in, so the refusals are the token's doing.
//! It also signs back-channel logout tokens, good and bad, for the account it signed in.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Json, Router, extract::State, routing::get, routing::post};
use common::{
    session_cookie,
    sso::{app_with_admin, connect, new_browser, viewer},
};
use openidconnect::{
    Audience, EmptyAdditionalClaims, EndUserEmail, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
    core::{
        CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
        CoreRsaPrivateSigningKey,
    },
};
use reqwest::{Method, StatusCode, header::LOCATION};
use serde_json::{Value, json};
use usecases::{
    sso::{BACK_CHANNEL_LOGOUT_EVENT, LogoutClaims, LogoutToken},
    testing::TestDns,
};

const CLIENT_ID: &str = "acme-crm";

/// A new RSA key in PKCS#1 PEM (openssl is on every machine this runs on).
fn rsa_pem() -> String {
    let out = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "2048"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// How a token the provider issues is spoiled (or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Good,
    WrongNonce,
    OtherAudience,
    OtherIssuer,
    Expired,
    ForeignKey,
    /// Logout tokens only: an ID token posted as one (a nonce, no logout event).
    IdTokenAsLogout,
    NoEvent,
    NoJti,
}

/// What every token has, spoiled as `case` says: issuer, audience, issued and expiry
/// times, and the key that signs it.
struct Envelope<'a> {
    issuer: IssuerUrl,
    audience: Vec<Audience>,
    issued: chrono::DateTime<chrono::Utc>,
    expires: chrono::DateTime<chrono::Utc>,
    key: &'a CoreRsaPrivateSigningKey,
}

fn envelope(op: &Provider, case: Case, lifetime: chrono::Duration) -> Envelope<'_> {
    let now = chrono::Utc::now();
    let (issued, expires) = match case {
        Case::Expired => (
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
        ),
        _ => (now, now + lifetime),
    };
    let issuer = match case {
        Case::OtherIssuer => "https://someone-else.example".to_owned(),
        _ => op.issuer.clone(),
    };
    let audience = match case {
        Case::OtherAudience => "another-client",
        _ => CLIENT_ID,
    };
    Envelope {
        issuer: IssuerUrl::new(issuer).unwrap(),
        audience: vec![Audience::new(audience.into())],
        issued,
        expires,
        key: if case == Case::ForeignKey {
            &op.foreign
        } else {
            op.key()
        },
    }
}

struct Provider {
    issuer: String,
    /// Its signing keys, `key-1` and `key-2`, used and published one at a time: `current`
    /// says which (a rotation moves it on).
    keys: [CoreRsaPrivateSigningKey; 2],
    current: AtomicUsize,
    /// Another key with the first one's id: a signature the provider's keys do not verify.
    foreign: CoreRsaPrivateSigningKey,
    /// How many times its discovery document was asked for.
    discoveries: AtomicUsize,
    next: Mutex<(Case, String)>,
}

impl Provider {
    fn key(&self) -> &CoreRsaPrivateSigningKey {
        &self.keys[self.current.load(Ordering::SeqCst)]
    }
}

async fn discovery(State(op): State<Arc<Provider>>) -> Json<Value> {
    op.discoveries.fetch_add(1, Ordering::SeqCst);
    let issuer = &op.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(op): State<Arc<Provider>>) -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![op.key().as_verification_key()]))
}

async fn token(State(op): State<Arc<Provider>>) -> Json<Value> {
    let (case, nonce) = op.next.lock().unwrap().clone();
    let envelope = envelope(&op, case, chrono::Duration::hours(1));
    let nonce = match case {
        Case::WrongNonce => "not-the-nonce".to_owned(),
        _ => nonce,
    };
    let claims = CoreIdTokenClaims::new(
        envelope.issuer,
        envelope.audience,
        envelope.expires,
        envelope.issued,
        StandardClaims::new(SubjectIdentifier::new("subject-1".into()))
            .set_email(Some(EndUserEmail::new("erin@forged.test".into())))
            .set_email_verified(Some(true)),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let id_token = CoreIdToken::new(
        claims,
        envelope.key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    Json(json!({
        "access_token": "access",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": id_token.to_string(),
    }))
}

async fn provider() -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let key = |kid: &str| {
        CoreRsaPrivateSigningKey::from_pem(&rsa_pem(), Some(JsonWebKeyId::new(kid.into()))).unwrap()
    };
    let op = Arc::new(Provider {
        issuer: format!("http://{addr}"),
        keys: [key("key-1"), key("key-2")],
        current: AtomicUsize::new(0),
        foreign: key("key-1"),
        discoveries: AtomicUsize::new(0),
        next: Mutex::new((Case::Good, String::new())),
    });
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(op.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    op
}

/// The value of `name` in `url`'s query.
fn query(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .unwrap()
        .1
        .into_owned()
}

/// `acme` connected to this test's provider for `forged.test`, its admin signed in.
async fn connected() -> (Arc<Provider>, TestDns, common::TestApp, String) {
    let op = provider().await;
    let dns = TestDns::start("forged.test").await;
    let (app, admin) = app_with_admin(&dns).await;
    connect(
        &app,
        &admin,
        &dns,
        &op.issuer,
        CLIENT_ID,
        "secret-0123456789",
        "forged.test",
    )
    .await;
    (op, dns, app, admin)
}

/// **Sign in with SSO** in a new browser, and back from the provider with the ID token
/// `case` makes: our answer.
async fn attempt(app: &common::TestApp, op: &Provider, case: Case) -> reqwest::Response {
    let browser = new_browser();
    let host = app.tenant_host("acme");
    let on_workspace = |path: String| {
        browser
            .request(Method::GET, format!("http://{}{path}", app.addr))
            .header("Host", host.clone())
            .send()
    };
    let start = on_workspace("/sso/start".into()).await.unwrap();
    let auth = start.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(auth.starts_with(&format!("{}/auth?", op.issuer)), "{auth}");
    assert_eq!(query(&auth, "code_challenge_method"), "S256");
    *op.next.lock().unwrap() = (case, query(&auth, "nonce"));
    let state = query(&auth, "state");
    on_workspace(format!("/sso/callback?code=any&state={state}"))
        .await
        .unwrap()
}

#[tokio::test]
async fn id_tokens_with_a_wrong_nonce_audience_issuer_expiry_or_signature_sign_nobody_in() {
    let (op, _dns, app, _admin) = connected().await;

    // Each case: leave for the provider, and come back with a token made for the case.
    let attempt = |case: Case| attempt(&app, &op, case);

    for case in [
        Case::WrongNonce,
        Case::OtherAudience,
        Case::OtherIssuer,
        Case::Expired,
        Case::ForeignKey,
    ] {
        let refused = attempt(case).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{case:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("ID token is not valid"), "{case:?}: {page}");
    }
    let members: i64 = db::sqlx::query_scalar("select count(*) from tenant_members")
        .fetch_one(&app.state.platform.db.owner)
        .await
        .unwrap();
    assert_eq!(members, 1, "only the admin: nothing was created");

    // The same provider's good token signs in.
    let good = attempt(Case::Good).await;
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let session = session_cookie(&good).unwrap();
    assert_eq!(viewer(&app, &session).await["email"], "erin@forged.test");
}

/// A logout token for `subject-1`, spoiled as `case` says.
fn logout_token(op: &Provider, case: Case, jti: &str) -> String {
    let envelope = envelope(op, case, chrono::Duration::minutes(2));
    let mut events = serde_json::Map::new();
    if !matches!(case, Case::NoEvent | Case::IdTokenAsLogout) {
        events.insert(BACK_CHANNEL_LOGOUT_EVENT.into(), json!({}));
    }
    let claims = IdTokenClaims::new(
        envelope.issuer,
        envelope.audience,
        envelope.expires,
        envelope.issued,
        StandardClaims::new(SubjectIdentifier::new("subject-1".into())),
        LogoutClaims {
            events,
            jti: (case != Case::NoJti).then(|| jti.to_owned()),
            sid: None,
        },
    )
    .set_nonce((case == Case::IdTokenAsLogout).then(|| Nonce::new("a-nonce".into())));
    LogoutToken::new(
        claims,
        envelope.key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap()
    .to_string()
}

#[tokio::test]
async fn only_a_valid_logout_token_from_the_provider_ends_the_accounts_sessions() {
    let (op, _dns, app, admin) = connected().await;
    let host = app.tenant_host("acme");
    // erin@forged.test (`subject-1`) signs in.
    let back = attempt(&app, &op, Case::Good).await;
    let erin = session_cookie(&back).unwrap();
    let signed_in = |cookie: String| {
        let app = &app;
        async move { viewer(app, &cookie).await != Value::Null }
    };
    let post = |token: String| {
        let (app, host) = (&app, host.clone());
        async move {
            reqwest::Client::new()
                .post(format!("http://{}/sso/back-channel-logout", app.addr))
                .header("Host", host)
                .form(&[("logout_token", token)])
                .send()
                .await
                .unwrap()
        }
    };

    for (n, case) in [
        Case::ForeignKey,
        Case::OtherAudience,
        Case::OtherIssuer,
        Case::Expired,
        Case::IdTokenAsLogout,
        Case::NoEvent,
        Case::NoJti,
    ]
    .into_iter()
    .enumerate()
    {
        let refused = post(logout_token(&op, case, &format!("jti-{n}"))).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{case:?}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{case:?}");
        assert!(signed_in(erin.clone()).await, "{case:?} ended a session");
    }
    let garbage = post("not-a-jwt".into()).await;
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    // Posted from a page in a browser, with the workspace's cookie: still only a token counts.
    let no_token = reqwest::Client::new()
        .post(format!("http://{}/sso/back-channel-logout", app.addr))
        .header("Host", host.clone())
        .header("Cookie", erin.clone())
        .form(&[("something", "else")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::BAD_REQUEST);
    assert!(signed_in(erin.clone()).await);

    // The good one ends Erin's session, but not the admin's; once only.
    let good = logout_token(&op, Case::Good, "jti-good");
    assert_eq!(post(good.clone()).await.status(), StatusCode::OK);
    assert!(!signed_in(erin).await);
    assert!(signed_in(admin).await);
    assert_eq!(post(good).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_providers_metadata_is_kept_and_fetched_again_once_its_keys_change() {
    let (op, _dns, app, _admin) = connected().await;
    let fetched = || op.discoveries.load(Ordering::SeqCst);
    assert_eq!(fetched(), 1, "Save checks the provider");

    // Sign-ins and logout tokens are checked against what Save fetched.
    for _ in 0..2 {
        let good = attempt(&app, &op, Case::Good).await;
        assert_eq!(good.status(), StatusCode::SEE_OTHER);
    }
    let logout = reqwest::Client::new()
        .post(format!("http://{}/sso/back-channel-logout", app.addr))
        .header("Host", app.tenant_host("acme"))
        .form(&[("logout_token", logout_token(&op, Case::Good, "jti-kept"))])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(fetched(), 1, "nothing fetched again");

    // The provider now signs with a new key. Once the kept keys are a few seconds old, a
    // token they do not verify has them fetched again, and it signs in.
    op.current.store(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let good = attempt(&app, &op, Case::Good).await;
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    assert_eq!(fetched(), 2);

    // Tokens made up to fail do not have it fetched again and again.
    for n in 0..3 {
        let bogus = reqwest::Client::new()
            .post(format!("http://{}/sso/back-channel-logout", app.addr))
            .header("Host", app.tenant_host("acme"))
            .form(&[(
                "logout_token",
                logout_token(&op, Case::ForeignKey, &format!("jti-bogus-{n}")),
            )])
            .send()
            .await
            .unwrap();
        assert_eq!(bogus.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(fetched(), 2);
}
