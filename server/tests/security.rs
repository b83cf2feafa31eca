//! What a security review of the first release found, each shut: redirects that left the
//! host, a request that could panic a task, a cookie without `Secure`, client addresses read
//! from the wrong end of `X-Forwarded-For`, NUL characters that reached Postgres, sessions
//! that did not slide, and expired links that were never swept.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::{
    auth::{GetViewer, SignIn},
    invites::{AcceptInvite, GetInvite},
    signup::{CheckSubdomain, CreateWorkspace, EmailWorkspaces, GoToWorkspace, RatePassword},
    staff::SetStaffPassword,
    welcome::ConfirmEmail,
};
use common::TestApp;
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_url_naming_another_host_is_redirected_to_a_path_of_this_one() {
    let app = TestApp::spawn().await;

    let response = app
        .request(Method::GET, &app.apex, "//evil.example/?__err=x&__path=y")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, "/evil.example/");
}

/// A form posted by the browser itself (no JavaScript) from `referer`.
async fn plain_post<S: ServerFn>(
    app: &TestApp,
    host: &str,
    referer: &str,
    form: &str,
) -> reqwest::Response {
    app.post_from_page(host, S::url())
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Referer", referer)
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_referer_that_is_no_valid_uri_gets_the_error_and_no_panic() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");

    let response = plain_post::<SignIn>(
        &app,
        &host,
        &format!("http://{host}/login and more"),
        "email=nope&password=x",
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn over_https_the_form_page_cookie_is_secure() {
    let app = TestApp::spawn_with(&[("APP_PROTOCOL", "https")]).await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");

    let response = app
        .request(Method::POST, &host, SignIn::url())
        .header("Origin", format!("https://{host}"))
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Referer", format!("https://{host}/login"))
        .body("email=nope&password=x")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hcrm_form_page="))
        .expect("the form's page is remembered")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn behind_one_proxy_the_client_is_what_the_proxy_saw_not_what_the_client_claims() {
    let app = TestApp::spawn_with(&[("TRUST_PROXY", "1"), ("CHECK_LIMIT", "2/1m")]).await;
    // The client forges a different left-most entry each time; the proxy appends the
    // address it really saw.
    let mut statuses = Vec::new();
    for i in 0..3 {
        let forwarded = format!("6.6.6.{i}, 203.0.113.5");
        let response = app
            .call_with::<CheckSubdomain>(
                &app.apex,
                &[("subdomain", "some-name")],
                &[("X-Forwarded-For", &forwarded)],
            )
            .await;
        statuses.push(response.status());
    }

    assert_eq!(statuses[..2], [StatusCode::OK, StatusCode::OK]);
    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ipv6_clients_are_limited_by_their_64_block() {
    let app = TestApp::spawn_with(&[("TRUST_PROXY", "1"), ("CHECK_LIMIT", "2/1m")]).await;

    let mut statuses = Vec::new();
    for i in 1..=3 {
        let response = app
            .call_with::<CheckSubdomain>(
                &app.apex,
                &[("subdomain", "some-name")],
                &[("X-Forwarded-For", &format!("2001:db8:aa:bb::{i}"))],
            )
            .await;
        statuses.push(response.status());
    }

    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_nul_character_in_any_lead_field_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    for field in [
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "source",
        "message",
        "budget",
    ] {
        let mut lead = json!({ "email": "a@example.com", "phone": "555 0100 99" });
        lead[field] = json!("bad\u{0}value");
        let response = app.post_lead("acme", &acme.api_key, lead).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
}

/// A form's fields and their values.
type Form = Vec<(&'static str, String)>;

#[tokio::test]
async fn a_nul_character_in_any_form_field_is_refused_without_a_500() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let token = acme.invite_path.trim_start_matches("/invite/").to_owned();
    let host = app.tenant_host("acme");
    let nul = "x\u{0}y";

    // Each server function's URL, its host, and its fields with good values.
    let forms: Vec<(&str, &str, Form)> = vec![
        (
            SignIn::url(),
            &host,
            vec![("email", "a@b.test".into()), ("password", "p".into())],
        ),
        (
            CreateWorkspace::url(),
            &app.apex,
            vec![
                ("company", "Acme".into()),
                ("subdomain", "acme-nul".into()),
                ("name", "Ada".into()),
                ("email", "ada@nul.test".into()),
                ("password", "violet tugboat orchard".into()),
            ],
        ),
        (
            AcceptInvite::url(),
            &host,
            vec![
                ("token", token.clone()),
                ("name", "Ada".into()),
                ("password", "violet tugboat orchard".into()),
            ],
        ),
        (
            GoToWorkspace::url(),
            &app.apex,
            vec![("subdomain", "acme".into())],
        ),
        (
            EmailWorkspaces::url(),
            &app.apex,
            vec![("email", "a@b.test".into())],
        ),
        (
            CheckSubdomain::url(),
            &app.apex,
            vec![("subdomain", "acme".into())],
        ),
        (
            RatePassword::url(),
            &app.apex,
            vec![("password", "violet tugboat orchard".into())],
        ),
        (
            SetStaffPassword::url(),
            &app.apex,
            vec![
                ("token", token.clone()),
                ("password", "violet tugboat orchard".into()),
            ],
        ),
        (GetInvite::url(), &host, vec![("token", token.clone())]),
        (ConfirmEmail::url(), &host, vec![("token", token.clone())]),
    ];
    for (url, on, fields) in forms {
        for (i, (name, _)) in fields.iter().enumerate() {
            let mut body = form_urlencoded::Serializer::new(String::new());
            for (j, (other, value)) in fields.iter().enumerate() {
                let value = if i == j {
                    format!("{value}{nul}")
                } else {
                    value.clone()
                };
                body.append_pair(other, &value);
            }
            let response = app
                .post_from_page(on, url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.finish())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            assert!(
                !status.is_server_error(),
                "{url} with NUL in {name}: {status} {text}"
            );
            if status == StatusCode::UNPROCESSABLE_ENTITY && *name != "token" {
                let error: Value = serde_json::from_str(&text).unwrap();
                assert!(
                    error["Invalid"]["fields"][*name].is_string(),
                    "{url} names {name}: {text}"
                );
            }
        }
    }
    let mail = app
        .request(Method::GET, &app.apex, "/__dev/mail?to=a%00b@c.test")
        .send()
        .await
        .unwrap();
    assert_eq!(mail.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_active_session_slides_past_its_first_thirty_minutes() {
    // Arrange: a session that, 29 minutes after its last recorded request, has one minute
    // left.
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let cookie = app.accept_invite(&acme, "violet tugboat orchard").await;
    app.owner_sql(
        "update sessions set expires_at = now() + interval '1 minute',
                data = jsonb_set(data, '{seen_at}', to_jsonb(extract(epoch from now())::bigint - 29 * 60))",
    )
    .await;

    // Act: the person is still at work.
    let viewer = app
        .call::<GetViewer>(&app.tenant_host("acme"), Some(&cookie), &[])
        .await;

    // Assert: still signed in, and the session now lasts another 30 minutes.
    let viewer: Value = viewer.json().await.unwrap();
    assert_eq!(viewer["name"], "Ada Admin");
    let left = db::testing::scalar_i64(
        &app.state.platform.db.owner,
        "select extract(epoch from min(expires_at) - now())::bigint from sessions",
    )
    .await;
    assert!(left > 25 * 60, "{left} seconds left");
}

#[tokio::test]
async fn expired_handoff_and_verification_links_are_swept() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.accept_invite(&acme, "violet tugboat orchard").await;
    app.owner_sql(
        "insert into handoff_tokens (token_hash, tenant_id, user_id, browser_hash, expires_at)
           select sha256(('h' || i)::bytea), tenant_id, user_id, sha256('b'::bytea),
                  now() + (case when i = 1 then interval '-2 minutes' else interval '1 minute' end)
           from tenant_members, generate_series(1, 2) i;
         insert into email_verifications (token_hash, tenant_id, user_id, email, expires_at)
           select sha256(('v' || i)::bytea), tenant_id, user_id, 'x@y.test',
                  now() + (case when i = 1 then interval '-2 days' else interval '1 day' end)
           from tenant_members, generate_series(1, 2) i;",
    )
    .await;

    usecases::housekeeping::sweep(&app.state.platform).await;

    let owner = &app.state.platform.db.owner;
    assert_eq!(
        db::testing::scalar_i64(owner, "select count(*) from handoff_tokens").await,
        1
    );
    assert_eq!(
        db::testing::scalar_i64(owner, "select count(*) from email_verifications").await,
        1
    );
}
