//! Sign-in sessions over HTTP: cookies, id renewal, tenant binding, the per-account limit.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::auth::{GetViewer, SignIn};
use common::{TestApp, session_cookie};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "violet tugboat orchard";

async fn viewer(app: &TestApp, slug: &str, cookie: &str) -> Value {
    app.call::<GetViewer>(&app.tenant_host(slug), Some(cookie), &[])
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_session_cookie_is_host_only_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let token = acme.invite_path.trim_start_matches("/invite/");

    let response = app
        .call::<app::api::invites::AcceptInvite>(
            &app.tenant_host("acme"),
            None,
            &[("token", token), ("name", "Ada"), ("password", PASSWORD)],
        )
        .await;

    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("hcrm_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(
        !set_cookie.to_lowercase().contains("domain="),
        "host-only: {set_cookie}"
    );
}

#[tokio::test]
async fn signing_in_renews_the_session_id_and_the_old_one_stops_working() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let first = app.accept_invite(&acme, PASSWORD).await;

    let again = app
        .call::<SignIn>(
            &app.tenant_host("acme"),
            Some(&first),
            &[("email", "admin@acme.test"), ("password", PASSWORD)],
        )
        .await;
    let second = session_cookie(&again).expect("a new session cookie");

    assert_ne!(first, second);
    assert_eq!(viewer(&app, "acme", &second).await["name"], "Ada Admin");
    assert!(
        viewer(&app, "acme", &first).await.is_null(),
        "the old id is gone"
    );
}

#[tokio::test]
async fn a_session_is_worth_nothing_on_another_tenants_host() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.provision("other").await;
    let cookie = app.accept_invite(&acme, PASSWORD).await;

    assert_eq!(
        viewer(&app, "acme", &cookie).await["email"],
        "admin@acme.test"
    );
    assert!(viewer(&app, "other", &cookie).await.is_null());
}

#[tokio::test]
async fn too_many_failed_sign_ins_lock_the_account_even_against_the_right_password() {
    let app = TestApp::spawn_with(&[("LOGIN_LIMIT", "3/15m")]).await;
    let acme = app.provision("acme").await;
    app.accept_invite(&acme, PASSWORD).await;
    let host = app.tenant_host("acme");
    let sign_in = async |password: &str| {
        app.call::<SignIn>(
            &host,
            None,
            &[("email", "admin@acme.test"), ("password", password)],
        )
        .await
    };

    for _ in 0..3 {
        assert_eq!(
            sign_in("wrong password!").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let locked = sign_in(PASSWORD).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    let body: Value = locked.json().await.unwrap();
    assert!(
        body["RateLimited"]["message"]
            .as_str()
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    let other_account = app
        .call::<SignIn>(
            &host,
            None,
            &[
                ("email", "someone@acme.test"),
                ("password", "whatever it is"),
            ],
        )
        .await;
    assert_eq!(
        other_account.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the limit is per account"
    );
}

#[tokio::test]
async fn without_the_database_pages_and_intake_answer_503_and_health_says_so() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.state.platform.db.app.close().await;

    let page = app
        .request(Method::GET, &app.tenant_host("acme"), "/")
        .send()
        .await
        .unwrap();
    let intake = app
        .post_lead(
            "acme",
            &acme.api_key,
            serde_json::json!({ "email": "a@b.co" }),
        )
        .await;
    let health: Value = app.get_json(&app.apex, "/api/health").await;

    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(intake.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(intake.headers().contains_key("retry-after"));
    assert_eq!(health["database"], "unavailable");
}
