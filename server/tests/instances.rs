//! Two instances of the server on one database, as a load balancer would use them: every
//! rate limit is one limit across them, a session or a form from one is good on the other,
//! and each answers its own health, readiness and metrics (the cluster behind haproxy is
//! tested end to end by `cluster.rs`).

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::{
    auth::GetViewer,
    signup::{CheckSubdomain, EmailWorkspaces},
};
use common::TestApp;
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The apex both instances serve, so that a host means the same on each.
const APEX: &str = "shared.test";
const METRICS_TOKEN: &str = "a-metrics-token-for-tests";

/// Two instances on one fresh database, with `vars` (and the shared apex) on both.
async fn two_instances(vars: &[(&str, &str)]) -> (TestApp, TestApp) {
    let mut all = vec![
        ("APP_DOMAIN", APEX),
        ("TRUST_PROXY", "1"),
        ("METRICS_TOKEN", METRICS_TOKEN),
    ];
    all.extend_from_slice(vars);
    let first = TestApp::spawn_with(&all).await;
    let second = TestApp::spawn_on(first.state.platform.db.clone(), None, &all).await;
    (first, second)
}

fn tenant(slug: &str) -> String {
    format!("{slug}.{APEX}")
}

/// Calls `S` on `host` from client `ip` (behind one proxy): its status.
async fn call_from<S: ServerFn>(app: &TestApp, host: &str, ip: &str, form: &[(&str, &str)]) -> u16 {
    app.call_with::<S>(host, form, &[("X-Forwarded-For", ip)])
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_check_limit_is_one_limit_across_instances() {
    let (a, b) = two_instances(&[("CHECK_LIMIT", "4/1m")]).await;
    let form = [("subdomain", "some-name")];

    let mut statuses = Vec::new();
    for app in [&a, &b, &a, &b, &a, &b] {
        statuses.push(call_from::<CheckSubdomain>(app, APEX, "192.0.2.10", &form).await);
    }
    let other_client = call_from::<CheckSubdomain>(&b, APEX, "192.0.2.11", &form).await;

    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    assert_eq!(other_client, 200);
}

#[tokio::test]
async fn the_signup_limit_is_one_limit_across_instances() {
    let (a, b) = two_instances(&[("SIGNUP_LIMIT", "2/15m")]).await;
    let form = [("email", "someone@example.com")];

    let mut statuses = Vec::new();
    for app in [&a, &b, &a] {
        statuses.push(call_from::<EmailWorkspaces>(app, APEX, "192.0.2.20", &form).await);
    }

    assert!(statuses[..2].iter().all(|s| *s < 300), "{statuses:?}");
    assert_eq!(statuses[2], 429);
}

#[tokio::test]
async fn the_intake_limit_is_one_limit_across_instances_and_a_restart_keeps_it() {
    let (a, b) = two_instances(&[("INTAKE_LIMIT", "3/1m")]).await;
    let acme = a.provision("acme").await;
    let post = |app: &TestApp| {
        app.request(Method::POST, &tenant("acme"), "/api/leads/intake")
            .header("X-API-Key", &acme.api_key)
            .json(&json!({ "email": "lead@example.com" }))
            .send()
    };

    let mut statuses = Vec::new();
    for app in [&a, &b, &a, &b] {
        statuses.push(post(app).await.unwrap().status().as_u16());
    }
    // A third instance started now (a restart) knows the count too.
    let c = TestApp::spawn_on(
        a.state.platform.db.clone(),
        None,
        &[("APP_DOMAIN", APEX), ("INTAKE_LIMIT", "3/1m")],
    )
    .await;
    let after_restart = post(&c).await.unwrap();

    assert_eq!(statuses, [201, 201, 201, 429]);
    assert_eq!(after_restart.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(after_restart.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_session_made_through_one_instance_works_through_the_other() {
    let (a, b) = two_instances(&[]).await;
    let acme = a.provision("acme").await;
    let token = acme.invite_path.trim_start_matches("/invite/");
    let accepted = a
        .call::<app::api::invites::AcceptInvite>(
            &tenant("acme"),
            None,
            &[
                ("token", token),
                ("name", "Ada"),
                ("password", "violet tugboat orchard"),
            ],
        )
        .await;
    let cookie = common::session_cookie(&accepted).unwrap();

    let viewer: serde_json::Value = b
        .call::<GetViewer>(&tenant("acme"), Some(&cookie), &[])
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(viewer["name"], "Ada");
}

#[tokio::test]
async fn a_form_drawn_by_one_instance_is_accepted_by_the_other() {
    // Server functions are named by the build, not the process: a page from one instance
    // posts to the same address on any other.
    let (a, b) = two_instances(&[]).await;
    let page = a
        .request(Method::GET, APEX, "/signup")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = common::form_actions(&page)
        .into_iter()
        .find(|action| action.starts_with("/fn/create_workspace"))
        .expect("the signup form posts to its server function");

    let posted = b
        .post_from_page(APEX, &action)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("company=Acme&subdomain=acme-two&name=Ada&email=ada%40acme-two.test&password=violet+tugboat+orchard")
        .send()
        .await
        .unwrap();

    assert!(posted.status().is_success(), "{}", posted.status());
}

#[tokio::test]
async fn each_instance_answers_healthz_and_readyz_on_every_host() {
    let (a, _b) = two_instances(&[]).await;
    a.provision("acme").await;

    for host in [
        APEX.to_owned(),
        tenant("acme"),
        tenant("nobody"),
        "elsewhere.example".into(),
    ] {
        for path in ["/healthz", "/readyz"] {
            let response = a.request(Method::GET, &host, path).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{host}{path}");
        }
    }
    let ready = a
        .request(Method::GET, APEX, "/readyz")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn a_draining_instance_is_not_ready_but_still_serves() {
    let app = TestApp::spawn_with(&[("APP_DOMAIN", APEX)]).await;

    app.operations.lifecycle.start_draining();
    let ready = app
        .request(Method::GET, APEX, "/readyz")
        .send()
        .await
        .unwrap();
    let page = app.request(Method::GET, APEX, "/").send().await.unwrap();

    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "draining");
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_show_intake_and_the_outbox_to_the_token_alone_and_never_a_tenant_or_key() {
    let (a, _b) = two_instances(&[]).await;
    let acme = a.provision("acme").await;
    for _ in 0..3 {
        let posted = a
            .request(Method::POST, &tenant("acme"), "/api/leads/intake")
            .header("X-API-Key", &acme.api_key)
            .json(&json!({ "email": "lead@example.com" }))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), StatusCode::CREATED);
    }
    let scrape = |host: String, token: Option<&str>| {
        let request = a.request(Method::GET, &host, "/metrics");
        match token {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
        .send()
    };

    let metrics = scrape(APEX.into(), Some(METRICS_TOKEN)).await.unwrap();
    let without = scrape(APEX.into(), None).await.unwrap();
    let wrong = scrape(APEX.into(), Some("not-the-token-at-all"))
        .await
        .unwrap();
    let on_tenant = scrape(tenant("acme"), Some(METRICS_TOKEN)).await.unwrap();

    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("http_server_request_duration_seconds_bucket{http_request_method=\"POST\",http_route=\"/api/leads/intake\",http_response_status_code=\"201\""),
        "{text}"
    );
    assert!(text.contains("hcrm_leads_received_total"), "{text}");
    assert!(
        text.contains("hcrm_outbox_emails{state=\"pending\"}"),
        "{text}"
    );
    assert!(
        text.contains("hcrm_outbox_oldest_pending_seconds"),
        "{text}"
    );
    assert!(
        text.contains("hcrm_db_pool_connections{pool=\"app\",state=\"idle\"}"),
        "{text}"
    );
    assert!(!text.contains("acme"), "no tenant in the metrics");
    assert!(!text.contains(&acme.api_key), "no key in the metrics");
    assert!(
        !text.contains(&acme.api_key[..9]),
        "no key prefix in the metrics"
    );
    assert!(!text.contains('@'), "no email in the metrics");
    assert_eq!(without.status(), StatusCode::NOT_FOUND);
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert_eq!(on_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_metrics_token_there_are_no_metrics() {
    let app = TestApp::spawn_with(&[("APP_DOMAIN", APEX)]).await;

    let response = app
        .request(Method::GET, APEX, "/metrics")
        .header("Authorization", "Bearer anything-at-all-here")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
