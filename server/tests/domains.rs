//! Custom domains over HTTP: a domain added and verified in Settings (against a DNS server
//! on loopback) serves its workspace like its subdomain, with host-only cookies; anything
//! else is the unknown-host page; the edge's certificate question is answered from the
//! database, to the edge alone.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::{
    auth::{GetViewer, SignIn},
    domains::{AddDomain, MakePrimaryDomain, RemoveDomain, VerifyDomain},
};
use common::{TestApp, session_cookie};
use reqwest::{Method, StatusCode};
use usecases::testing::TestDns;

const PASSWORD: &str = "violet tugboat orchard";
const CRM: &str = "crm.acme-law.test";
const EDGE_TOKEN: &str = "edge-token-0123456789abcdef";

/// An app whose DNS is a zone for acme-law.test, a workspace `acme` with its admin signed
/// in, and `crm.acme-law.test` added to it.
async fn with_domain(vars: &[(&str, &str)]) -> (TestApp, TestDns, String) {
    let dns = TestDns::start("acme-law.test").await;
    let resolver = dns.addr.to_string();
    let mut all = vec![("DNS_RESOLVER", resolver.as_str())];
    all.extend_from_slice(vars);
    let app = TestApp::spawn_with(&all).await;
    let acme = app.provision("acme").await;
    let cookie = app.accept_invite(&acme, PASSWORD).await;
    let added = app
        .call::<AddDomain>(&app.tenant_host("acme"), Some(&cookie), &[("domain", CRM)])
        .await;
    assert!(added.status().is_success(), "{:?}", added.text().await);
    (app, dns, cookie)
}

/// Publishes the TXT value Settings → Domains shows, and clicks Verify.
async fn verify(app: &TestApp, dns: &TestDns, cookie: &str) {
    let page = app
        .request(Method::GET, &app.tenant_host("acme"), "/settings/domains")
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("hcrm-verify=").unwrap();
    let value: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '=')
        .collect();
    dns.set_txt("_hcrm-challenge.crm.acme-law.test", &[&value])
        .await;
    let verified = app
        .call::<VerifyDomain>(&app.tenant_host("acme"), Some(cookie), &[("domain", CRM)])
        .await;
    assert!(verified.status().is_success());
}

async fn splash(app: &TestApp, host: &str) -> (StatusCode, String) {
    let response = app.request(Method::GET, host, "/").send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn ask(app: &TestApp, domain: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut request = app.request(
        Method::GET,
        "anything.example",
        &format!("/internal/tls-ask?domain={domain}"),
    );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_verified_domain_serves_its_workspace_and_nothing_else_does() {
    let (app, dns, cookie) = with_domain(&[]).await;

    // Pending: the unknown-host page, never a workspace.
    let (status, body) = splash(&app, CRM).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("acme Ltd"));

    verify(&app, &dns, &cookie).await;
    for host in [
        CRM.to_owned(),
        format!("{CRM}:5001"),
        "CRM.Acme-Law.TEST".into(),
    ] {
        let (status, body) = splash(&app, &host).await;
        assert_eq!(status, StatusCode::OK, "{host}");
        assert!(body.contains("acme Ltd"), "{host}");
    }
    // The subdomain keeps working; other names under the domain reach nothing.
    assert_eq!(
        splash(&app, &app.tenant_host("acme")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        splash(&app, "www.acme-law.test").await.0,
        StatusCode::NOT_FOUND
    );

    // Removed: at once the unknown-host page again.
    let removed = app
        .call::<RemoveDomain>(&app.tenant_host("acme"), Some(&cookie), &[("domain", CRM)])
        .await;
    assert!(removed.status().is_success());
    assert_eq!(splash(&app, CRM).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn signing_in_on_a_custom_domain_keeps_the_session_to_that_host() {
    let (app, dns, cookie) = with_domain(&[]).await;
    verify(&app, &dns, &cookie).await;

    let signed_in = app
        .call::<SignIn>(
            CRM,
            None,
            &[("email", "admin@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert!(signed_in.status().is_success(), "{:?}", signed_in.status());
    let set: Vec<String> = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .filter(|v| v.starts_with("hcrm_session="))
        .collect();
    assert!(!set.is_empty());
    assert!(set.iter().all(|c| !c.contains("domain=")), "{set:?}");
    let session = session_cookie(&signed_in).unwrap();
    let viewer: serde_json::Value = app
        .call::<GetViewer>(CRM, Some(&session), &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(viewer["email"], "admin@acme.test", "{viewer}");

    // The edge serves the domain over https: a page there posts with that origin.
    let from_edge = app
        .request(
            Method::POST,
            CRM,
            <GetViewer as leptos::server_fn::ServerFn>::url(),
        )
        .header("Origin", format!("https://{CRM}"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    assert!(from_edge.status().is_success(), "{}", from_edge.status());
    // Another origin is refused, as on every host.
    let cross = app
        .request(
            Method::POST,
            CRM,
            <GetViewer as leptos::server_fn::ServerFn>::url(),
        )
        .header("Origin", "https://evil.example")
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_primary_domain_is_the_one_emails_link_to() {
    let (app, dns, cookie) = with_domain(&[]).await;
    verify(&app, &dns, &cookie).await;
    let primary = app
        .call::<MakePrimaryDomain>(&app.tenant_host("acme"), Some(&cookie), &[("domain", CRM)])
        .await;
    assert!(primary.status().is_success());

    let invited = app
        .call::<app::api::team::SendInvite>(
            &app.tenant_host("acme"),
            Some(&cookie),
            &[("email", "bo@acme.test"), ("role", "member")],
        )
        .await;
    assert!(invited.status().is_success());
    let mail = app.mail_to("bo@acme.test").await;
    let text = mail[0]["text"].as_str().unwrap();
    assert!(text.contains(&format!("https://{CRM}/invite/")), "{text}");
}

#[tokio::test]
async fn the_edge_may_ask_for_a_certificate_only_for_a_verified_domain_of_an_active_workspace() {
    let (app, dns, cookie) = with_domain(&[("TRUST_PROXY", "1"), ("EDGE_TOKEN", EDGE_TOKEN)]).await;
    let on_loopback = [("X-Forwarded-For", "127.0.0.1")];
    let outside = [("X-Forwarded-For", "203.0.113.9")];
    let bearer = format!("Bearer {EDGE_TOKEN}");
    let outside_with_token = [
        ("X-Forwarded-For", "203.0.113.9"),
        ("Authorization", bearer.as_str()),
    ];

    assert_eq!(ask(&app, CRM, &on_loopback).await, StatusCode::NOT_FOUND);
    verify(&app, &dns, &cookie).await;
    assert_eq!(ask(&app, CRM, &on_loopback).await, StatusCode::OK);
    assert_eq!(
        ask(&app, &CRM.to_uppercase(), &on_loopback).await,
        StatusCode::OK
    );
    assert_eq!(ask(&app, CRM, &outside_with_token).await, StatusCode::OK);
    assert_eq!(ask(&app, CRM, &outside).await, StatusCode::FORBIDDEN);
    let wrong = [
        ("X-Forwarded-For", "203.0.113.9"),
        ("Authorization", "Bearer not-the-edge-token-at-all"),
    ];
    assert_eq!(ask(&app, CRM, &wrong).await, StatusCode::FORBIDDEN);
    for other in ["www.acme-law.test", "acme.localhost", "", "127.0.0.1"] {
        assert_eq!(
            ask(&app, other, &on_loopback).await,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }

    // Suspended: no certificate, no routing.
    app.cli(server::cli::Command::Suspend {
        slug: "acme".into(),
        reason: "Unpaid invoices".into(),
    })
    .await
    .unwrap();
    assert_eq!(ask(&app, CRM, &on_loopback).await, StatusCode::NOT_FOUND);
    assert_eq!(splash(&app, CRM).await.0, StatusCode::NOT_FOUND);
}
