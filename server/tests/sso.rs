//! Single sign-on against a real OpenID Provider: `end2end/idp/server.mjs` (npm's certified
//! `oidc-provider`), started here on free ports, with a browser simulated by a cookie jar
//! that steps through the redirects. Discovery errors, every refusal the callback can meet
//! from outside, who gets in, and Require SSO.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{process::Stdio, time::Duration};

use app::api::{
    auth::SignIn,
    sso::{SaveSso, SetRequireSso},
    team::SendInvite,
};
use common::{
    TestApp, session_cookie,
    sso::{PASSWORD, app_with_admin, connect, new_browser, save, viewer},
};
use reqwest::{Method, StatusCode, header::LOCATION};
use serde_json::Value;
use usecases::testing::TestDns;

const IDP_PASSWORD: &str = "idp-password";
const CLIENT_SECRET: &str = "sso-client-secret-0123456789abcdef";

/// The test providers, stopped when dropped.
struct Idp {
    child: std::process::Child,
    a: String,
    b: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Idp {
    async fn start() -> Idp {
        let (a, b) = (free_port(), free_port());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/idp/server.mjs");
        let child = std::process::Command::new("node")
            .arg(script)
            .env("IDP_PORT_A", a.to_string())
            .env("IDP_PORT_B", b.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs end2end/idp/server.mjs (scripts/setup installs it)");
        let idp = Idp {
            child,
            a: format!("http://127.0.0.1:{a}"),
            b: format!("http://127.0.0.1:{b}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            let up = client
                .get(format!("{}/__test/health", idp.a))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return idp;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the test IdP did not start");
    }

    /// Registers our workspace as a client of the provider at `issuer`, and where it takes
    /// back-channel logout tokens.
    async fn register(&self, issuer: &str, client_id: &str, redirect_uri: &str) {
        let back_channel = redirect_uri.replace("/sso/callback", "/sso/back-channel-logout");
        let response = reqwest::Client::new()
            .post(format!("{issuer}/__test/clients"))
            .json(&serde_json::json!({
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [redirect_uri],
                "backchannel_logout_uri": back_channel,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

/// A workspace `acme` whose admin is signed in, with a connection to IdP A for
/// `acme-idp.test`, proven by its TXT record.
struct Setup {
    app: TestApp,
    idp: Idp,
    _dns: TestDns,
    admin: String,
}

async fn setup() -> Setup {
    let idp = Idp::start().await;
    let dns = TestDns::start("acme-idp.test").await;
    let (app, admin) = app_with_admin(&dns).await;
    let redirect = format!("http://{}/sso/callback", app.tenant_host("acme"));
    idp.register(&idp.a, "acme-crm", &redirect).await;
    let page = connect(
        &app,
        &admin,
        &dns,
        &idp.a,
        "acme-crm",
        CLIENT_SECRET,
        "acme-idp.test",
    )
    .await;
    assert_eq!(page["redirect_uri"], redirect);
    assert_eq!(
        page["back_channel_logout_uri"],
        format!("http://{}/sso/back-channel-logout", app.tenant_host("acme"))
    );
    Setup {
        app,
        idp,
        _dns: dns,
        admin,
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// `GET path` on the workspace host in `browser`.
async fn on_workspace(app: &TestApp, browser: &reqwest::Client, path: &str) -> reqwest::Response {
    browser
        .request(Method::GET, format!("http://{}{path}", app.addr))
        .header("Host", app.tenant_host("acme"))
        .send()
        .await
        .unwrap()
}

/// Where the provider's redirects lead a browser.
enum Landing {
    /// Its login page, at this address.
    LoginPage(String),
    /// Back to us: the callback path, with its query.
    Callback(String),
}

/// Follows the provider's redirects from `url`.
async fn follow(browser: &reqwest::Client, mut url: String) -> Landing {
    for _ in 0..10 {
        if let Some(start) = url.find("/sso/callback") {
            return Landing::Callback(url[start..].to_owned());
        }
        let response = browser.get(&url).send().await.unwrap();
        if !response.status().is_redirection() {
            let page = response.text().await.unwrap();
            assert!(page.contains("<form"), "{page}");
            return Landing::LoginPage(url);
        }
        url = absolute(&url, &location(&response));
    }
    panic!("the provider kept redirecting");
}

/// `next` (a `Location`) made absolute against `url`.
fn absolute(url: &str, next: &str) -> String {
    if next.starts_with('/') {
        let origin: String = url.split('/').take(3).collect::<Vec<_>>().join("/");
        format!("{origin}{next}")
    } else {
        next.to_owned()
    }
}

/// Posts the provider's login form at `page` as `email`.
async fn log_in_at(browser: &reqwest::Client, page: &str, email: &str) -> reqwest::Response {
    browser
        .post(format!("{page}/login"))
        .form(&[("email", email), ("password", IDP_PASSWORD)])
        .send()
        .await
        .unwrap()
}

/// **Sign in with SSO**: the address the browser is sent to.
async fn sso_start(app: &TestApp, browser: &reqwest::Client) -> String {
    let start = on_workspace(app, browser, "/sso/start").await;
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        start.text().await
    );
    location(&start)
}

/// Signs in at the provider as `email` from **Sign in with SSO** (its login page, unless
/// the browser is signed in there already): the callback path (with its query) the
/// provider sends the browser back to.
async fn through_provider(app: &TestApp, browser: &reqwest::Client, email: &str) -> String {
    let mut url = sso_start(app, browser).await;
    for _ in 0..3 {
        match follow(browser, url).await {
            Landing::Callback(path) => return path,
            Landing::LoginPage(page) => {
                let login = log_in_at(browser, &page, email).await;
                assert!(login.status().is_redirection(), "{:?}", login.text().await);
                url = absolute(&page, &location(&login));
            }
        }
    }
    panic!("the provider never sent the browser back");
}

/// Signs `email` in at the provider in a new browser and comes back: the page we refuse
/// it with.
async fn refusal(app: &TestApp, email: &str) -> String {
    let browser = new_browser();
    let callback = through_provider(app, &browser, email).await;
    let page = on_workspace(app, &browser, &callback).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    // The browser's session (it held the state) signs nobody in.
    if let Some(cookie) = session_cookie(&page) {
        assert_eq!(viewer(app, &cookie).await, Value::Null);
    }
    let page = page.text().await.unwrap();
    // The site's message page: its stylesheet, and the way back.
    assert!(
        page.contains(r#"<link rel="stylesheet" href="/pkg/hcrm."#),
        "{page}"
    );
    assert!(page.contains(r#"<a class="button primary" href="/login">Back to sign in</a>"#));
    page
}

/// Invites `email` to `acme` as `role`, as its admin.
async fn invite(app: &TestApp, admin: &str, email: &str, role: &str) {
    let invited = app
        .call::<SendInvite>(
            &app.tenant_host("acme"),
            Some(admin),
            &[("email", email), ("role", role)],
        )
        .await;
    assert!(invited.status().is_success());
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    db::sqlx::query_scalar(sql)
        .fetch_one(&app.state.platform.db.owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_verified_address_signs_in_through_the_provider_and_joins_as_a_member() {
    let setup = setup().await;
    let app = &setup.app;
    let browser = new_browser();
    let login = on_workspace(app, &browser, "/login")
        .await
        .text()
        .await
        .unwrap();
    assert!(login.contains("Sign in with SSO"));

    let callback = through_provider(app, &browser, "alice@acme-idp.test").await;
    let back = on_workspace(app, &browser, &callback).await;
    assert_eq!(
        back.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        back.text().await
    );
    assert_eq!(location(&back), "/leads");
    let session = session_cookie(&back).unwrap();
    let me = viewer(app, &session).await;
    assert_eq!(me["email"], "alice@acme-idp.test");
    assert_eq!(me["is_admin"], false, "{me}");

    // The same callback again: the state was used up.
    let replayed = on_workspace(app, &browser, &callback).await;
    assert_eq!(replayed.status(), StatusCode::FORBIDDEN);
    // A second sign-in finds the same member by (issuer, subject).
    let again = through_provider(app, &browser, "alice@acme-idp.test").await;
    assert_eq!(
        on_workspace(app, &browser, &again).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        count(
            app,
            "select count(*) from users where email = 'alice@acme-idp.test'"
        )
        .await,
        1
    );
    assert_eq!(count(app, "select count(*) from sso_identities").await, 1);
}

/// Signs `email` in through the provider in a new browser: that browser's session cookie.
async fn signed_in(app: &TestApp, email: &str) -> String {
    let browser = new_browser();
    let callback = through_provider(app, &browser, email).await;
    let back = on_workspace(app, &browser, &callback).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "{email}");
    session_cookie(&back).unwrap()
}

#[tokio::test]
async fn an_account_the_provider_disables_loses_every_session_here_at_once() {
    let setup = setup().await;
    let app = &setup.app;
    let bob_laptop = signed_in(app, "bob@acme-idp.test").await;
    let bob_phone = signed_in(app, "bob@acme-idp.test").await;
    let alice = signed_in(app, "alice@acme-idp.test").await;
    assert_eq!(viewer(app, &bob_phone).await["email"], "bob@acme-idp.test");

    // The provider disables Bob, and tells us by back-channel logout.
    let disabled: Value = reqwest::Client::new()
        .post(format!(
            "{}/__test/accounts/bob@acme-idp.test/disable",
            setup.idp.a
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        disabled["backchannel"],
        serde_json::json!([{ "client_id": "acme-crm", "status": 200 }])
    );
    assert_eq!(viewer(app, &bob_laptop).await, Value::Null);
    assert_eq!(viewer(app, &bob_phone).await, Value::Null);
    // Nobody else's.
    assert_eq!(viewer(app, &alice).await["email"], "alice@acme-idp.test");
    assert_eq!(viewer(app, &setup.admin).await["is_admin"], true);
    assert_eq!(
        count(
            app,
            "select count(*) from audit_log where action = 'member.sessions_ended_by_provider'
             and detail ->> 'email' = 'bob@acme-idp.test' and detail ->> 'sessions' = '2'"
        )
        .await,
        1
    );
    // And Bob's next sign-in stops at the provider.
    let browser = new_browser();
    let Landing::LoginPage(page) = follow(&browser, sso_start(app, &browser).await).await else {
        panic!("a new browser goes to the login page");
    };
    let refused = log_in_at(&browser, &page, "bob@acme-idp.test").await;
    assert!(refused.status().is_success());
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("This account is disabled."), "{refused}");
}

#[tokio::test]
async fn the_callback_refuses_what_it_cannot_trust_and_creates_nothing() {
    let setup = setup().await;
    let app = &setup.app;
    let members = || count(app, "select count(*) from tenant_members");
    let before = members().await;

    // A tampered state.
    let browser = new_browser();
    let callback = through_provider(app, &browser, "alice@acme-idp.test").await;
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(
        on_workspace(app, &browser, &tampered).await.status(),
        StatusCode::FORBIDDEN
    );

    // A callback finished in another browser (login CSRF): that browser never started it.
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let stolen = on_workspace(app, &other, &callback).await;
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    if let Some(cookie) = session_cookie(&stolen) {
        assert_eq!(viewer(app, &cookie).await, Value::Null);
    }

    // A code used twice: its first use went through, a new sign-in carrying it fails.
    let fresh = new_browser();
    let first = through_provider(app, &fresh, "bob@acme-idp.test").await;
    assert_eq!(
        on_workspace(app, &fresh, &first).await.status(),
        StatusCode::SEE_OTHER
    );
    let second = through_provider(app, &fresh, "bob@acme-idp.test").await;
    let old_code = first
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let new_code = second
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let reused = second.replace(new_code, old_code);
    let refused = on_workspace(app, &fresh, &reused).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("did not accept"));
    let after_bob = members().await;
    assert_eq!(after_bob, before + 1, "bob joined once");

    // An address the provider has not verified; an address outside the connection's domains.
    let carol = refusal(app, "carol@acme-idp.test").await;
    assert!(carol.contains("not verified your email"), "{carol}");
    let mallory = refusal(app, "mallory@gmail.com").await;
    assert!(mallory.contains("not in an email domain"), "{mallory}");

    assert_eq!(members().await, after_bob, "nothing was created");
}

#[tokio::test]
async fn discovery_errors_are_clear_and_nothing_is_saved() {
    let setup = setup().await;
    let (app, idp, admin) = (&setup.app, &setup.idp, &setup.admin);
    let field = |body: &Value| body.to_string();

    // Unreachable.
    let unreachable = save(app, admin, "http://127.0.0.1:9", "x", "y", "acme-idp.test").await;
    assert_eq!(unreachable.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = unreachable.json().await.unwrap();
    assert!(field(&body).contains("Could not reach"), "{body}");

    // Issuer mismatch: IdP B's document at A's address cannot be had, so ask A for B's
    // issuer with a path that A serves under its own name.
    let mismatch = save(
        app,
        admin,
        &idp.a.replace("127.0.0.1", "localhost"),
        "x",
        "y",
        "acme-idp.test",
    )
    .await;
    let body: Value = mismatch.json().await.unwrap();
    assert!(field(&body).contains("names another issuer"), "{body}");

    // Private addresses are refused without SSO_ALLOW_PRIVATE.
    let strict = TestApp::spawn().await;
    let globex = strict.provision("globex").await;
    let cookie = strict.accept_invite(&globex, PASSWORD).await;
    let refused = strict
        .call::<SaveSso>(
            &strict.tenant_host("globex"),
            Some(&cookie),
            &[
                ("issuer", idp.b.as_str()),
                ("client_id", "x"),
                ("client_secret", "y"),
                ("email_domains", "globex-idp.test"),
            ],
        )
        .await;
    let body: Value = refused.json().await.unwrap();
    assert!(
        field(&body).contains("https://") || field(&body).contains("private"),
        "{body}"
    );

    // Consumer domains never.
    let gmail = save(app, admin, &idp.a, "acme-crm", CLIENT_SECRET, "gmail.com").await;
    let body: Value = gmail.json().await.unwrap();
    assert!(field(&body).contains("public email service"), "{body}");
}

#[tokio::test]
async fn require_sso_after_an_admin_tried_it_refuses_members_passwords_but_not_admins() {
    let setup = setup().await;
    let (app, admin) = (&setup.app, &setup.admin);
    let host = app.tenant_host("acme");

    // A member with a password, from before.
    invite(app, admin, "dan@acme-idp.test", "member").await;
    let link = app.emailed_path("dan@acme-idp.test", "/invite/").await;
    let token = link.trim_start_matches("/invite/").to_owned();
    let accepted = app
        .call::<app::api::invites::AcceptInvite>(
            &host,
            None,
            &[
                ("token", token.as_str()),
                ("name", "Dan"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(accepted.status().is_success());

    // Not before an admin signed in through the provider.
    let early = app
        .call::<SetRequireSso>(&host, Some(admin), &[("on", "1")])
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);

    // Bob, invited as an admin, joins as one through the provider.
    invite(app, admin, "bob@acme-idp.test", "admin").await;
    let browser = new_browser();
    let callback = through_provider(app, &browser, "bob@acme-idp.test").await;
    let back = on_workspace(app, &browser, &callback).await;
    let bob = session_cookie(&back).unwrap();
    assert_eq!(viewer(app, &bob).await["is_admin"], true);

    let required = app
        .call::<SetRequireSso>(&host, Some(&bob), &[("on", "1")])
        .await;
    assert!(
        required.status().is_success(),
        "{:?}",
        required.text().await
    );

    // Dan's password no longer works; the admin's still does, and is in Activity.
    let dan = app
        .call::<SignIn>(
            &host,
            None,
            &[("email", "dan@acme-idp.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(dan.status(), StatusCode::FORBIDDEN);
    assert!(dan.text().await.unwrap().contains("Sign in with SSO"));
    let ada = app
        .call::<SignIn>(
            &host,
            None,
            &[("email", "admin@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert!(ada.status().is_success());
    assert_eq!(
        count(
            app,
            "select count(*) from audit_log where action = 'member.signed_in_with_password'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            app,
            "select count(*) from audit_log where action = 'sso.required'"
        )
        .await,
        1
    );
}
