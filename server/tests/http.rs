//! The server's HTTP behaviour outside intake: health, hosts, CSRF, headers, dev mail.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::cli::Command;

#[tokio::test]
async fn health_reports_the_database_and_on_a_tenant_host_the_tenant() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let apex: Value = app.get_json(&app.apex, "/api/health").await;
    let tenant: Value = app.get_json(&app.tenant_host("acme"), "/api/health").await;

    assert_eq!(apex["database"], "ok");
    assert!(apex["tenant"].is_null());
    assert_eq!(tenant["tenant"]["slug"], "acme");
    assert!(
        tenant["tenant"]["id"]
            .as_str()
            .unwrap()
            .parse::<uuid::Uuid>()
            .is_ok()
    );
}

#[tokio::test]
async fn pages_answer_by_host_and_tenant_status() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let status = |host: String, path: &'static str| {
        let request = app.request(Method::GET, &host, path);
        async move { request.send().await.unwrap().status() }
    };

    assert_eq!(status(app.apex.clone(), "/").await, StatusCode::OK);
    assert_eq!(status(app.tenant_host("acme"), "/").await, StatusCode::OK);
    assert_eq!(
        status(app.tenant_host("ACME"), "/").await,
        StatusCode::OK,
        "hosts ignore case"
    );
    assert_eq!(
        status(app.tenant_host("nobody"), "/").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(app.tenant_host("nobody"), "/login").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status("example.org".into(), "/").await,
        StatusCode::NOT_FOUND
    );

    app.cli(Command::Suspend {
        slug: "acme".into(),
        reason: "test".into(),
    })
    .await
    .unwrap();
    assert_eq!(
        status(app.tenant_host("acme"), "/").await,
        StatusCode::FORBIDDEN,
        "the very next request"
    );
    app.cli(Command::Reactivate {
        slug: "acme".into(),
    })
    .await
    .unwrap();
    assert_eq!(status(app.tenant_host("acme"), "/").await, StatusCode::OK);
}

/// Pages travel compressed to clients that take it, and plain to the rest.
#[tokio::test]
async fn a_page_is_compressed_for_a_client_that_takes_it() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");
    for path in ["/", "/login"] {
        let gzipped = app
            .request(Method::GET, &host, path)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.status(), StatusCode::OK, "{path}");
        assert_eq!(
            gzipped
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        let body = gzipped.bytes().await.unwrap();
        assert_eq!(body[..2], [0x1f, 0x8b], "{path}: a gzip stream");

        let plain = app.request(Method::GET, &host, path).send().await.unwrap();
        assert_eq!(plain.headers().get("content-encoding"), None, "{path}");
        let html = plain.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(body.len() < html.len() / 2, "{path}: smaller compressed");
    }
}

#[tokio::test]
async fn the_splash_escapes_the_tenants_name() {
    let app = TestApp::spawn().await;
    app.cli(Command::ProvisionTenant {
        slug: "xss".into(),
        name: "</title><script>alert(1)</script>".into(),
        admin_email: "a@xss.test".into(),
    })
    .await
    .unwrap();

    let html = app
        .request(Method::GET, &app.tenant_host("xss"), "/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert!(
        html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"),
        "{html}"
    );
    assert!(html.contains("<h1>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_and_the_usual_security_headers() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let response = app
        .request(Method::GET, &app.tenant_host("acme"), "/")
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();

    let csp = headers["content-security-policy"].to_str().unwrap();
    let nonce = nonce_of(csp).expect("the policy names a nonce");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the scripts carry this response's nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(html.contains("--brand: #2563eb"));
}

#[tokio::test]
async fn a_cross_origin_post_to_a_server_function_is_refused() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");
    let path = <app::api::auth::SignIn as ServerFn>::url();
    let form = [("email", "a@acme.test"), ("password", "whatever-it-is")];

    let from_sibling = app
        .request(Method::POST, &host, path)
        .header("Origin", format!("http://mallory.{}", app.apex))
        .form(&form)
        .send()
        .await
        .unwrap();
    let without_origin = app
        .request(Method::POST, &host, path)
        .form(&form)
        .send()
        .await
        .unwrap();
    let same_origin = app
        .post_from_page(&host, path)
        .form(&form)
        .send()
        .await
        .unwrap();

    assert_eq!(from_sibling.status(), StatusCode::FORBIDDEN);
    assert_eq!(without_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        same_origin.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "reaches the function: wrong password"
    );
}

#[tokio::test]
async fn a_server_function_error_keeps_its_status_and_message() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");

    let response = app
        .post_from_page(&host, <app::api::auth::SignIn as ServerFn>::url())
        .form(&[("email", "not-an-email"), ("password", "")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = response.json().await.unwrap();
    let fields = &error["Invalid"]["fields"];
    assert!(
        fields["email"].is_string() && fields["password"].is_string(),
        "{error}"
    );
}

#[tokio::test]
async fn a_failed_form_post_without_javascript_renders_the_form_again_with_what_was_typed() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");

    let response = app
        .post_from_page(&host, <app::api::auth::SignIn as ServerFn>::url())
        .header("Accept", "text/html")
        .header("Referer", format!("http://{host}/login"))
        .form(&[
            ("email", "ada@acme.test"),
            ("password", "secret-typed-here"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("value=\"ada@acme.test\""),
        "the email is kept"
    );
    assert!(!html.contains("secret-typed-here"), "the password is not");
    assert!(html.contains("don&#x27;t match") || html.contains("don't match"));
}

#[tokio::test]
async fn a_failed_form_post_on_a_members_page_renders_that_page_for_the_signed_in_member() {
    let app = TestApp::spawn().await;
    let tenant = app.provision("acme").await;
    let host = app.tenant_host("acme");
    let cookie = app.accept_invite(&tenant, "violet tugboat orchard").await;
    let nowhere = uuid::Uuid::new_v4().to_string();

    let response = app
        .call_with::<app::api::leads::MoveLeads>(
            &host,
            &[("lead_ids[]", &nowhere), ("stage_id", &nowhere)],
            &[
                ("Cookie", &cookie),
                ("Accept", "text/html"),
                ("Referer", &format!("http://{host}/leads")),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("not in this pipeline any more"),
        "the error is shown"
    );
    assert!(
        html.contains("Contacted") && html.contains("Sign out"),
        "on the board, still signed in: {html}"
    );
}

#[tokio::test]
async fn a_url_naming_a_server_function_error_is_refused() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let response = app
        .request(
            Method::GET,
            &app.tenant_host("acme"),
            "/login?next=1&__path=/api/x&__err=Zm9v",
        )
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=1");
}

#[tokio::test]
async fn the_dev_mailbox_lists_an_addresss_mail_newest_first_on_the_apex_only() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.provision("other").await;
    app.owner_sql("update email_outbox set to_address = 'same@example.com'")
        .await;

    let mail: Vec<Value> = app
        .get_json(&app.apex, "/__dev/mail?to=same@example.com")
        .await;
    let on_tenant = app
        .request(
            Method::GET,
            &app.tenant_host("acme"),
            "/__dev/mail?to=same@example.com",
        )
        .send()
        .await
        .unwrap();

    assert_eq!(mail.len(), 2);
    assert!(
        mail[0]["subject"].as_str().unwrap().contains("other Ltd"),
        "newest first"
    );
    for key in ["to", "subject", "text", "html", "created_at"] {
        assert!(mail[0][key].is_string(), "{key}");
    }
    assert_eq!(on_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_dev_mail_the_mailbox_does_not_exist() {
    let app = TestApp::spawn_with(&[("DEV_MAIL", "0")]).await;

    let response = app
        .request(Method::GET, &app.apex, "/__dev/mail?to=a@example.com")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_default_logo_is_a_sandboxed_svg() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let response = app
        .request(Method::GET, &app.tenant_host("acme"), "/brand/logo")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(response.text().await.unwrap().contains(">A</text>"));
}

#[tokio::test]
async fn a_rejected_workspace_says_its_signup_was_not_approved() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.owner_sql("update tenants set status = 'pending'").await;
    app.cli(Command::Reject {
        slug: "acme".into(),
        reason: "Not a business".into(),
    })
    .await
    .unwrap();

    let response = app
        .request(Method::GET, &app.tenant_host("acme"), "/")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("signup was not approved"), "{html}");
    assert!(
        !html.contains("Not a business"),
        "the staff's reason stays with the staff"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pages_each_keep_their_own_status_and_policy() {
    let app = TestApp::spawn().await;
    let tenant = app.provision("acme").await;
    let host = app.tenant_host("acme");
    let cookie = app.accept_invite(&tenant, "violet tugboat orchard").await;
    let pages = [
        ("/", None, StatusCode::OK),
        ("/leads", Some(cookie.as_str()), StatusCode::OK),
        ("/no-such-page", None, StatusCode::NOT_FOUND),
        (tenant.invite_path.as_str(), None, StatusCode::GONE),
    ];

    let requests = (0..96).map(|i| {
        let (path, cookie, expected) = pages[i % pages.len()];
        let mut request = app.request(Method::GET, &host, path);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let policy = response
                .headers()
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let html = response.text().await.unwrap();
            (path, expected, status, policy, html)
        }
    });
    let answers = futures::future::join_all(requests).await;

    for (path, expected, status, policy, html) in answers {
        assert_eq!(status, expected, "{path}");
        let nonce = nonce_of(&policy).unwrap_or_else(|| panic!("{path}: no nonce in {policy:?}"));
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: the page's scripts carry the header's nonce"
        );
    }
}

/// The script nonce a Content-Security-Policy names.
fn nonce_of(policy: &str) -> Option<&str> {
    policy.split("'nonce-").nth(1)?.split('\'').next()
}

/// A static file is answered by the file server alone. Leptos's own file handler read the
/// response options of whichever request its thread had last rendered, so a stylesheet
/// could leave with another visitor's redirect and cookie, and that page without them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_static_file_never_carries_another_requests_headers() {
    let site = std::env::temp_dir().join(format!("hcrm-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/hcrm.css"), "body { color: black; }").unwrap();
    let app = TestApp::spawn_with(&[("LEPTOS_SITE_ROOT", site.to_str().unwrap())]).await;
    app.provision("acme").await;
    let host = app.tenant_host("acme");

    let requests = (0..200).map(|i| {
        // A signed-out visitor's board sends them to sign in and remembers where they were.
        let path = if i % 2 == 0 {
            "/leads"
        } else {
            "/pkg/hcrm.css"
        };
        let request = app.request(Method::GET, &host, path);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let location = common::location(&response);
            let remembered = common::set_cookie(&response, "hcrm_next");
            let body = response.text().await.unwrap();
            (path, status, location, remembered, body)
        }
    });
    let answers = futures::future::join_all(requests).await;
    std::fs::remove_dir_all(&site).unwrap();

    for (path, status, location, remembered, body) in answers {
        if path == "/leads" {
            assert_eq!(
                location.as_deref(),
                Some("/login"),
                "the board keeps its redirect"
            );
            assert!(remembered.is_some(), "the board keeps its cookie");
        } else {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(location, None, "a file never redirects");
            assert_eq!(
                remembered, None,
                "a file never sets another visitor's cookie"
            );
            assert_eq!(body, "body { color: black; }");
        }
    }
}

#[tokio::test]
async fn a_missing_file_or_folder_gets_the_not_found_page() {
    let app = TestApp::spawn().await;
    for path in ["/pkg/nothing.css", "/pkg", "/pkg/"] {
        let response = app
            .request(Method::GET, &app.apex, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.text().await.unwrap().contains("<html"), "{path}");
    }
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_once_with_one_cookie() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let response = app
        .request(
            Method::GET,
            &app.tenant_host("acme"),
            "/settings/team?tab=1",
        )
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(common::location(&response).as_deref(), Some("/login"));
    assert_eq!(
        common::set_cookies(&response, "hcrm_next"),
        ["%2Fsettings%2Fteam%3Ftab%3D1"],
        "set once, with the page and its query"
    );
}
