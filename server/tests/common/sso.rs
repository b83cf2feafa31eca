//! Single sign-on set-up shared by the SSO tests: an app that may reach providers on
//! loopback, and a workspace `acme` connected to one, its email domain proven.

use app::api::{
    auth::GetViewer,
    sso::{GetSso, SaveSso, VerifySsoDomain},
};
use serde_json::Value;
use usecases::testing::TestDns;

use super::TestApp;

/// The password of the admin of `acme`.
pub const PASSWORD: &str = "violet tugboat orchard";

/// An app whose DNS is `dns` and that may talk to providers on loopback, with `acme`'s
/// admin signed in: the app and the admin's cookie.
pub async fn app_with_admin(dns: &TestDns) -> (TestApp, String) {
    let resolver = dns.addr.to_string();
    let app = TestApp::spawn_with(&[
        ("SSO_ALLOW_PRIVATE", "1"),
        ("DNS_RESOLVER", resolver.as_str()),
    ])
    .await;
    let acme = app.provision("acme").await;
    let admin = app.accept_invite(&acme, PASSWORD).await;
    (app, admin)
}

/// Saves `acme`'s connection from Settings (as its admin `cookie`).
pub async fn save(
    app: &TestApp,
    cookie: &str,
    issuer: &str,
    client_id: &str,
    secret: &str,
    domains: &str,
) -> reqwest::Response {
    app.call::<SaveSso>(
        &app.tenant_host("acme"),
        Some(cookie),
        &[
            ("issuer", issuer),
            ("client_id", client_id),
            ("client_secret", secret),
            ("email_domains", domains),
        ],
    )
    .await
}

/// Connects `acme` to `issuer` for the email domain `domain`, publishes the TXT record the
/// page shows in `dns` and verifies it: the page as it was before verifying.
pub async fn connect(
    app: &TestApp,
    admin: &str,
    dns: &TestDns,
    issuer: &str,
    client_id: &str,
    secret: &str,
    domain: &str,
) -> Value {
    let saved = save(app, admin, issuer, client_id, secret, domain).await;
    assert!(saved.status().is_success(), "{:?}", saved.text().await);
    let host = app.tenant_host("acme");
    let page: Value = app
        .call::<GetSso>(&host, Some(admin), &[])
        .await
        .json()
        .await
        .unwrap();
    let value = page["email_domains"][0]["txt_value"].as_str().unwrap();
    dns.set_txt(&format!("_hcrm-challenge.{domain}"), &[value])
        .await;
    let verified = app
        .call::<VerifySsoDomain>(&host, Some(admin), &[("domain", domain)])
        .await;
    assert!(
        verified.status().is_success(),
        "{:?}",
        verified.text().await
    );
    page
}

/// A browser: a cookie jar, following no redirect by itself.
pub fn new_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Who `cookie` signs in on `acme` (`null`: nobody).
pub async fn viewer(app: &TestApp, cookie: &str) -> Value {
    app.call::<GetViewer>(&app.tenant_host("acme"), Some(cookie), &[])
        .await
        .json()
        .await
        .unwrap()
}
