//! Self-service signup: the validators, the transaction, races, limits, hand-off, welcome.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::IpAddr;

use app::{
    api::{
        signup::{CheckSubdomain, EmailWorkspaces},
        welcome::GetWelcome,
    },
    error::AppError,
};
use common::{TestApp, location, session_cookie};
use domain::signup::{SignupForm, SignupRequest, SubdomainState};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::cli::Command;
use usecases::signup::{SignedUp, SlugRules};

/// Signs up as the server function does: parse, then the use case.
async fn sign_up(
    app: &TestApp,
    client: Option<IpAddr>,
    form: SignupForm,
) -> Result<SignedUp, AppError> {
    let request = SignupRequest::parse(form)?;
    Ok(usecases::signup::sign_up(&app.state.platform, client, request).await?)
}

fn form(slug: &str, email: &str) -> SignupForm {
    SignupForm {
        company: "Acme Family Law".into(),
        subdomain: slug.into(),
        name: "Grace Founder".into(),
        email: email.into(),
        password: "violet tugboat orchard".into(),
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    db::testing::scalar_i64(
        &app.state.platform.db.owner,
        &format!("select count(*) from {table}"),
    )
    .await
}

fn field_error(result: &Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
    match result {
        Err(e) => e
            .field_message(field)
            .unwrap_or_else(|| panic!("no {field} error in {e:?}"))
            .to_owned(),
        Ok(ok) => panic!("expected an error, got {ok:?}"),
    }
}

#[tokio::test]
async fn a_signup_creates_a_pending_workspace_with_its_admin_handoff_and_emails() {
    // Arrange
    let app = TestApp::spawn().await;
    app.cli(Command::CreateStaff {
        email: "ops@href.test".into(),
    })
    .await
    .unwrap();

    // Act
    let signed_up = sign_up(&app, None, form("acme", "Grace@Acme.test"))
        .await
        .unwrap();

    // Assert
    let owner = &app.state.platform.db.owner;
    assert_eq!(signed_up.slug.as_str(), "acme");
    assert!(
        signed_up
            .handoff_url
            .starts_with(&format!("http://acme.{}/handoff/", app.apex))
    );
    assert_eq!(
        db::testing::scalar_string(owner, "select status from tenants").await,
        "pending"
    );
    assert_eq!(
        db::testing::scalar_string(owner, "select role from tenant_members").await,
        "admin"
    );
    assert_eq!(
        db::testing::scalar_string(owner, "select email from users").await,
        "grace@acme.test"
    );
    assert_eq!(count(&app, "pipeline_stages").await, 5);
    assert_eq!(count(&app, "handoff_tokens").await, 1);
    assert_eq!(count(&app, "email_verifications").await, 1);
    let subjects = db::testing::scalar_string(
        owner,
        "select string_agg(to_address || ': ' || subject, ' | ' order by to_address) from email_outbox",
    )
    .await;
    assert_eq!(
        subjects,
        "grace@acme.test: Verify your email for Acme Family Law | \
         ops@href.test: New workspace awaiting approval: Acme Family Law (acme)"
    );
    let handoff_secs = db::testing::scalar_i64(
        owner,
        "select extract(epoch from expires_at - created_at)::bigint from handoff_tokens",
    )
    .await;
    assert_eq!(handoff_secs, 60);
}

#[tokio::test]
async fn with_automatic_approval_the_workspace_is_active_and_staff_are_not_asked() {
    let app = TestApp::spawn_with(&[("SIGNUP_APPROVAL", "auto")]).await;
    app.cli(Command::CreateStaff {
        email: "ops@href.test".into(),
    })
    .await
    .unwrap();

    sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();

    assert_eq!(
        db::testing::scalar_string(&app.state.platform.db.owner, "select status from tenants")
            .await,
        "active"
    );
    assert_eq!(
        count(&app, "email_outbox where to_address = 'ops@href.test'").await,
        0
    );
}

#[tokio::test]
async fn every_field_is_checked_and_nothing_is_written_on_bad_input() {
    let app = TestApp::spawn().await;
    let bad = SignupForm {
        company: "".into(),
        subdomain: "-x".into(),
        name: "n".repeat(101),
        email: "not-an-email".into(),
        password: "short".into(),
    };

    let result = sign_up(&app, None, bad).await;

    assert_eq!(field_error(&result, "company"), "This field is required.");
    assert!(field_error(&result, "subdomain").contains("hyphen"));
    assert_eq!(field_error(&result, "name"), "Use at most 100 characters.");
    assert!(field_error(&result, "email").contains("name@example.com"));
    assert_eq!(
        field_error(&result, "password"),
        "Use at least 8 characters."
    );
    for table in [
        "tenants",
        "users",
        "tenant_members",
        "email_outbox",
        "audit_log",
    ] {
        assert_eq!(count(&app, table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn a_common_password_is_refused() {
    let app = TestApp::spawn().await;
    let mut weak = form("acme", "grace@acme.test");
    weak.password = "acmefamilylaw".into();

    let result = sign_up(&app, None, weak).await;

    assert!(field_error(&result, "password").contains("too common"));
    assert_eq!(count(&app, "tenants").await, 0);
}

#[tokio::test]
async fn a_subdomain_can_come_from_the_company_name() {
    let app = TestApp::spawn().await;
    let mut blank = form("", "grace@acme.test");
    blank.company = "Café Zürich & Co".into();

    let signed_up = sign_up(&app, None, blank).await.unwrap();

    assert_eq!(signed_up.slug.as_str(), "cafe-zurich-and-co");
}

#[tokio::test]
async fn taken_reserved_and_quarantined_subdomains_come_with_available_suggestions() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.provision("acme-hq").await;
    app.provision("gone").await;
    app.cli(Command::DeleteTenant {
        slug: "gone".into(),
        yes: true,
    })
    .await
    .unwrap();
    let check = |name: &'static str| {
        usecases::signup::availability(&app.state.platform, name, SlugRules::Signup)
    };

    let taken = check("ACME ").await.unwrap();
    let reserved = check("admin").await.unwrap();
    let quarantined = check("gone").await.unwrap();
    let invalid = check("a_b").await.unwrap();
    let free = check("fresh-name").await.unwrap();

    assert_eq!(
        (taken.state, taken.subdomain.as_str()),
        (SubdomainState::Taken, "acme")
    );
    assert_eq!(
        taken.suggestions,
        vec!["acme-team", "acme-crm", "acme-co"],
        "acme-hq is taken"
    );
    assert_eq!(reserved.state, SubdomainState::Reserved);
    assert_eq!(reserved.suggestions.len(), 3);
    assert_eq!(quarantined.state, SubdomainState::Quarantined);
    assert!(quarantined.message.contains("quarantined"));
    assert_eq!(invalid.state, SubdomainState::Invalid);
    assert!(invalid.suggestions.is_empty());
    assert_eq!(free.state, SubdomainState::Available);
    assert!(free.suggestions.is_empty());

    let result = sign_up(&app, None, form("acme", "grace@acme.test")).await;
    assert!(
        field_error(&result, "subdomain").contains("is taken. Try acme-team, acme-crm or acme-co.")
    );
}

#[tokio::test]
async fn simultaneous_signups_for_one_subdomain_make_exactly_one_workspace_and_no_orphans() {
    let app = TestApp::spawn().await;

    let attempts =
        (0..10).map(|i| sign_up(&app, None, form("race", &format!("racer{i}@race.test"))));
    let results = futures::future::join_all(attempts).await;

    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1);
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(field_error(result, "subdomain").contains("is taken"));
    }
    for (table, expected) in [
        ("tenants", 1),
        ("users", 1),
        ("tenant_members", 1),
        ("handoff_tokens", 1),
        ("pipeline_stages", 5),
    ] {
        assert_eq!(count(&app, table).await, expected, "{table}");
    }
}

#[tokio::test]
async fn an_existing_account_joins_only_with_its_own_password() {
    let app = TestApp::spawn().await;
    sign_up(&app, None, form("first", "grace@acme.test"))
        .await
        .unwrap();
    app.owner_sql("update users set email_verified_at = now()")
        .await;

    let mut wrong = form("second", "grace@acme.test");
    wrong.password = "some other password".into();
    let refused = sign_up(&app, None, wrong).await;
    assert!(field_error(&refused, "password").contains("already has an HREF CRM account"));
    assert_eq!(count(&app, "tenants").await, 1);

    sign_up(&app, None, form("second", "grace@acme.test"))
        .await
        .unwrap();

    assert_eq!(count(&app, "users").await, 1, "one account");
    assert_eq!(count(&app, "tenant_members").await, 2, "an admin of both");
    assert_eq!(
        count(&app, "email_verifications").await,
        1,
        "a verified address is not asked again"
    );
}

#[tokio::test]
async fn the_signup_limit_counts_well_formed_attempts_per_address() {
    let app = TestApp::spawn_with(&[("SIGNUP_LIMIT", "2/15m")]).await;
    let ip = Some("192.0.2.7".parse().unwrap());
    let mut typo = form("typo", "x");
    typo.email = "x".into();
    for _ in 0..3 {
        assert!(matches!(
            sign_up(&app, ip, typo.clone()).await,
            Err(AppError::Invalid { .. })
        ));
    }

    sign_up(&app, ip, form("one", "a@one.test")).await.unwrap();
    sign_up(&app, ip, form("two", "a@two.test")).await.unwrap();
    let third = sign_up(&app, ip, form("three", "a@three.test")).await;

    assert!(
        matches!(third, Err(AppError::RateLimited { ref message, .. }) if message.contains("Too many signups"))
    );
    let elsewhere = sign_up(
        &app,
        Some("192.0.2.8".parse().unwrap()),
        form("four", "a@four.test"),
    )
    .await;
    assert!(elsewhere.is_ok(), "another address has its own allowance");
}

#[tokio::test]
async fn the_availability_check_is_rate_limited_per_client_and_honours_trust_proxy() {
    for (trust, second_client_free) in [("1", true), ("0", false)] {
        let app = TestApp::spawn_with(&[("CHECK_LIMIT", "2/1m"), ("TRUST_PROXY", trust)]).await;
        let check = async |client: &str| {
            app.call_with::<CheckSubdomain>(
                &app.apex,
                &[("subdomain", "acme")],
                &[("X-Forwarded-For", client)],
            )
            .await
        };
        assert_eq!(check("198.51.100.1").await.status(), StatusCode::OK);
        assert_eq!(check("198.51.100.1").await.status(), StatusCode::OK);
        let over = check("198.51.100.1").await;
        assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(over.headers().contains_key("retry-after"));
        let other = check("198.51.100.2").await.status();
        assert_eq!(
            other == StatusCode::OK,
            second_client_free,
            "TRUST_PROXY={trust}"
        );
    }
}

#[tokio::test]
async fn the_availability_check_lives_on_the_apex_only() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let on_tenant = app
        .call_with::<CheckSubdomain>(&app.tenant_host("acme"), &[("subdomain", "x")], &[])
        .await;
    assert_eq!(on_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_handoff_signs_in_once_and_the_welcome_page_shows_the_key_once() {
    let app = TestApp::spawn().await;
    let signed_up = sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();
    let host = app.tenant_host("acme");
    let secret = signed_up.browser_secret.expose();
    let signed_in = "tenant_members where last_signed_in_at is not null";
    let before = count(&app, signed_in).await;

    let first = app
        .follow_handoff("acme", &signed_up.handoff_url, secret)
        .await;
    let again = app
        .follow_handoff("acme", &signed_up.handoff_url, secret)
        .await;

    assert!(again.is_none(), "single use");
    assert_eq!(
        (before, count(&app, signed_in).await),
        (0, 1),
        "the team shows the admin's sign-in"
    );
    let cookie = first.expect("the signing-up browser is signed in");
    let welcome: Value = app
        .call::<GetWelcome>(&host, Some(&cookie), &[])
        .await
        .json()
        .await
        .unwrap();
    let key = welcome["api_key"].as_str().unwrap().to_owned();
    assert_eq!(welcome["status"], "pending");
    assert_eq!(welcome["email_verified"], false);
    let later: Value = app
        .call::<GetWelcome>(&host, Some(&cookie), &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(later["api_key"].is_null(), "shown once");

    app.cli(Command::Approve {
        slug: "acme".into(),
    })
    .await
    .unwrap();
    let lead = app
        .post_lead(
            "acme",
            &key,
            serde_json::json!({ "email": "lead@example.com" }),
        )
        .await;
    assert_eq!(
        lead.status(),
        StatusCode::CREATED,
        "the key shown is the workspace's key"
    );
}

#[tokio::test]
async fn a_handoff_link_opened_by_another_browser_signs_nobody_in() {
    // Login CSRF: someone signs up, then gets their hand-off link opened by someone else,
    // who would be working in the first person's workspace without knowing it.
    let app = TestApp::spawn().await;
    let signed_up = sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();
    let host = app.tenant_host("acme");
    let path = &signed_up.handoff_url[signed_up.handoff_url.find("/handoff/").unwrap()..];

    // The other browser opens the link and follows every redirect, with no apex cookie.
    let opened = app.request(Method::GET, &host, path).send().await.unwrap();
    let stranger = app
        .follow_handoff("acme", &signed_up.handoff_url, "not-the-signup-secret")
        .await;
    // Having bound the link in the other browser, the signer confirms it with their own
    // apex cookie: the other browser's finish must still fail, for want of the proof.
    let confirm = location(&opened).unwrap();
    let bad_proof = confirm.replace("?n=", "?n=AAAA");
    let confirmed = app
        .request(
            Method::GET,
            &app.apex,
            &bad_proof[bad_proof.find("/handoff/").unwrap()..],
        )
        .header(
            "Cookie",
            format!("hcrm_signup={}", signed_up.browser_secret.expose()),
        )
        .send()
        .await
        .unwrap();

    assert!(session_cookie(&opened).is_none());
    assert!(
        stranger.is_none(),
        "no session without the signup's apex cookie"
    );
    assert!(
        location(&confirmed)
            .unwrap()
            .ends_with("/login?handoff=expired"),
        "no confirmation without the workspace host's secret"
    );
    assert_eq!(
        db::testing::scalar_i64(
            &app.state.platform.db.owner,
            "select count(*) from handoff_tokens where used_at is not null or confirmed_at is not null",
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_expired_handoff_does_not_sign_in() {
    let app = TestApp::spawn().await;
    let signed_up = sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();
    app.owner_sql("update handoff_tokens set expires_at = now() - interval '1 second'")
        .await;
    let path = &signed_up.handoff_url[signed_up.handoff_url.find("/handoff/").unwrap()..];

    let response = app
        .request(Method::GET, &app.tenant_host("acme"), path)
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["location"], "/login?handoff=expired");
    assert!(session_cookie(&response).is_none());
    assert!(
        app.follow_handoff(
            "acme",
            &signed_up.handoff_url,
            signed_up.browser_secret.expose()
        )
        .await
        .is_none()
    );
}

#[tokio::test]
async fn a_verification_link_works_once() {
    use app::api::welcome::ConfirmEmail;

    let app = TestApp::spawn().await;
    sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();
    let link = app.emailed_path("grace@acme.test", "/verify/").await;
    let token = link.trim_start_matches("/verify/").to_owned();
    let host = app.tenant_host("acme");

    let first: Value = app
        .call::<ConfirmEmail>(&host, None, &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    let second: Value = app
        .call::<ConfirmEmail>(&host, None, &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(first, "Verified");
    assert_eq!(second, "AlreadyUsed");
    assert_eq!(
        count(&app, "users where email_verified_at is not null").await,
        1
    );
}

#[tokio::test]
async fn asking_for_ones_workspaces_answers_alike_and_mails_only_known_addresses() {
    let app = TestApp::spawn().await;
    sign_up(&app, None, form("acme", "grace@acme.test"))
        .await
        .unwrap();
    let before = count(&app, "email_outbox").await;

    let known = app
        .call::<EmailWorkspaces>(&app.apex, None, &[("email", "grace@acme.test")])
        .await;
    let unknown = app
        .call::<EmailWorkspaces>(&app.apex, None, &[("email", "nobody@acme.test")])
        .await;

    assert_eq!(known.status(), unknown.status());
    assert_eq!(
        known.headers().get("serverfnredirect"),
        unknown.headers().get("serverfnredirect")
    );
    assert_eq!(count(&app, "email_outbox").await, before + 1);
    let mail = app.mail_to("grace@acme.test").await;
    let list = mail
        .iter()
        .find(|m| m["subject"] == "Your HREF CRM workspaces")
        .unwrap();
    assert!(
        list["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Acme Family Law: http://acme.{}/login", app.apex))
    );
}
