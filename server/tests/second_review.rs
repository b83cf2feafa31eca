//! What the second security review found, over real HTTP against the real router: `next`
//! and `back` addresses a browser reads as another host, control characters that panicked a
//! redirect, oversized bodies, invite resends without end, a console open to staff without
//! two-factor, a staff cookie without its `__Host-` name, pages with secrets that caches may
//! keep, and link pages whose status was sometimes lost.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::{
    auth::SignIn,
    branding::SaveBranding,
    console::{
        account::GetStaffAccount,
        auth::{StaffEnterCode, StaffSignIn},
        tenants::{ChangeTenantStatus, GetTenantList},
    },
    password_reset::{RequestPasswordReset, ResetPassword},
    team::{ResendInvite, SendInvite},
};
use common::{TestApp, location, set_cookie};
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};

const PASSWORD: &str = "violet tugboat orchard";
const STAFF_EMAIL: &str = "ops@href.test";
const STAFF_PASSWORD: &str = "quiet harbour lantern";

/// Every way of writing an address that a browser would read as another host, or that
/// holds what it would silently drop: the WHATWG URL parser's cases.
const HOSTILE_NEXT: [&str; 17] = [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
    "/le\tads",
    "\t/leads",
    " //evil.example/",
    "/\\evil.example",
    "\\/evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u{1}x",
    "/x\u{7f}",
    "/\u{0}",
];

/// An app with the workspace `acme` whose admin (`admin@acme.test`, [`PASSWORD`]) accepted
/// the invite: the admin's session cookie, and acme's host.
async fn acme_with_admin() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let cookie = app.accept_invite(&acme, PASSWORD).await;
    let host = app.tenant_host("acme");
    (app, cookie, host)
}

/// Signs acme's admin in with a plain form post (no JavaScript) whose `next` is the
/// already-encoded `next`.
async fn plain_sign_in(app: &TestApp, host: &str, next: &str) -> reqwest::Response {
    app.post_from_page(host, SignIn::url())
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "email=admin%40acme.test&password=violet+tugboat+orchard&next={next}"
        ))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_never_sends_the_browser_to_an_address_it_would_read_as_another_host() {
    let (app, _, host) = acme_with_admin().await;

    for next in HOSTILE_NEXT {
        let response = app
            .call::<SignIn>(
                &host,
                None,
                &[
                    ("email", "admin@acme.test"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert!(
            response.status().is_success(),
            "{next:?}: {}",
            response.status()
        );
        assert_eq!(location(&response).as_deref(), Some("/leads"), "{next:?}");
    }
}

#[tokio::test]
async fn a_plain_form_sign_in_with_a_tab_in_next_lands_on_the_board() {
    let (app, _, host) = acme_with_admin().await;

    let response = plain_sign_in(&app, &host, "%2F%09%2Fexample.org%2F").await;

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response).as_deref(), Some("/leads"));
}

#[tokio::test]
async fn a_remembered_page_in_the_next_cookie_is_judged_like_next() {
    let (app, _, host) = acme_with_admin().await;

    for (remembered, expected) in [
        ("%2Fsettings%2Fteam", "/settings/team"),
        ("%2F%09%2Fevil.example", "/leads"),
        ("%2F%5Cevil.example", "/leads"),
        ("%2F%01", "/leads"),
    ] {
        let response = app
            .call_with::<SignIn>(
                &host,
                &[("email", "admin@acme.test"), ("password", PASSWORD)],
                &[("Cookie", &format!("hcrm_next={remembered}"))],
            )
            .await;
        assert_eq!(
            location(&response).as_deref(),
            Some(expected),
            "{remembered}"
        );
    }
}

#[tokio::test]
async fn the_consoles_next_and_back_never_leave_the_console_nor_panic() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    for next in HOSTILE_NEXT.iter().chain(&["/leads", "/administrator"]) {
        let response = app
            .call::<StaffSignIn>(
                &app.apex,
                None,
                &[
                    ("email", STAFF_EMAIL),
                    ("password", STAFF_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        // The first call makes no account: sign in once it exists.
        if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
            app.staff_session(STAFF_EMAIL, STAFF_PASSWORD).await;
            continue;
        }
        assert!(
            response.status().is_success(),
            "{next:?}: {}",
            response.status()
        );
        assert_eq!(location(&response).as_deref(), Some("/admin"), "{next:?}");
    }

    let staff = app.staff_session(STAFF_EMAIL, STAFF_PASSWORD).await;
    for back in HOSTILE_NEXT {
        let response = app
            .call::<ChangeTenantStatus>(
                &app.apex,
                Some(&staff),
                &[
                    ("slug", "acme"),
                    ("action", "suspend"),
                    ("reason", "Checks"),
                    ("back", back),
                ],
            )
            .await;
        assert!(
            response.status().is_success(),
            "{back:?}: {}",
            response.status()
        );
        let location = location(&response).unwrap();
        assert!(
            location.starts_with("/admin?done=suspended"),
            "{back:?}: {location}"
        );
        app.owner_sql("update tenants set status = 'active' where slug = 'acme'")
            .await;
    }
}

#[tokio::test]
async fn a_control_character_in_a_plain_form_next_is_ignored_not_a_500() {
    let (app, _, host) = acme_with_admin().await;

    let response = plain_sign_in(&app, &host, "%2Fleads%01%0D%0ASet-Cookie%3A+x%3Dy").await;

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response).as_deref(), Some("/leads"));
    assert!(set_cookie(&response, "x").is_none());
}

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_body_over_64_kb_is_refused_with_413_except_the_logo_forms() {
    let (app, cookie, host) = acme_with_admin().await;
    let big = format!("email=a%40b.test&password={}", "x".repeat(70 * 1024));

    let declared = app
        .post_from_page(&host, SignIn::url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    // Without a declared length (chunked), it is refused after 64 KB were read.
    let chunked = chunked_post(&app, &host, SignIn::url(), big.as_bytes()).await;
    let small = app
        .call::<SignIn>(&host, None, &[("email", "a@b.test"), ("password", "x")])
        .await;
    // The branding form still takes a large file, to refuse it by name.
    let boundary = "xyzBOUNDARY";
    let mut logo = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAcme\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"colour\"\r\n\r\n#123456\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"big.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    logo.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    logo.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let branding = app
        .post_from_page(&host, SaveBranding::url())
        .header("Cookie", &cookie)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(logo)
        .send()
        .await
        .unwrap();

    assert_eq!(declared.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(chunked, 413);
    assert_eq!(small.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(branding.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(branding.text().await.unwrap().contains("at most 2 MB"));
}

/// Posts `body` to `path` with `Transfer-Encoding: chunked` (no declared length) over a
/// plain TCP connection; the answer's status.
async fn chunked_post(app: &TestApp, host: &str, path: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(8 * 1024) {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        // The server may answer and close before all of it was sent.
        if sent.await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"))
}

// ---------------------------------------------------------------------------------------
// Invite emails
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fourth_invite_email_to_one_address_within_the_hour_is_a_429_that_says_when() {
    let (app, cookie, host) = acme_with_admin().await;
    let invite = [("email", "stranger@example.com"), ("role", "member")];
    for _ in 0..3 {
        let sent = app.call::<SendInvite>(&host, Some(&cookie), &invite).await;
        assert!(sent.status().is_success(), "{}", sent.status());
    }
    let id = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select id::text from tenant_invites where email = 'stranger@example.com'",
    )
    .await;

    let refused = app
        .call::<ResendInvite>(&host, Some(&cookie), &[("invite", &id)])
        .await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body = refused.text().await.unwrap();
    assert!(body.contains("Try again in"), "{body}");
    assert_eq!(app.mail_to("stranger@example.com").await.len(), 3);
}

// ---------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn where_two_factor_is_required_staff_without_it_reach_only_their_account_page() {
    let app = TestApp::spawn_with(&[("STAFF_TWO_FACTOR", "required")]).await;
    app.provision("acme").await;
    let staff = app.staff_session(STAFF_EMAIL, STAFF_PASSWORD).await;

    let list = app
        .call::<GetTenantList>(&app.apex, Some(&staff), &[("q", "acme")])
        .await;
    let change = app
        .call::<ChangeTenantStatus>(
            &app.apex,
            Some(&staff),
            &[("slug", "acme"), ("action", "suspend"), ("reason", "Test")],
        )
        .await;
    let page = app
        .request(Method::GET, &app.apex, "/admin")
        .header("Cookie", &staff)
        .send()
        .await
        .unwrap();
    let account = app
        .call::<GetStaffAccount>(&app.apex, Some(&staff), &[])
        .await;
    let account_page = app
        .request(Method::GET, &app.apex, "/admin/account")
        .header("Cookie", &staff)
        .send()
        .await
        .unwrap();
    let csv = app
        .request(Method::GET, &app.apex, "/admin/audit.csv")
        .header("Cookie", &staff)
        .send()
        .await
        .unwrap();

    assert_eq!(list.status(), StatusCode::FORBIDDEN);
    assert!(!list.text().await.unwrap().contains("acme"));
    assert_eq!(change.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        db::testing::scalar_string(
            &app.state.platform.db.owner,
            "select status from tenants where slug = 'acme'"
        )
        .await,
        "active"
    );
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.unwrap();
    assert!(html.contains("Turn on two-factor first"), "{html}");
    assert!(html.contains("href=\"/admin/account\""));
    assert!(!html.contains("acme Ltd"));
    assert!(account.status().is_success(), "{}", account.status());
    assert_eq!(account_page.status(), StatusCode::OK);
    assert!(account_page.text().await.unwrap().contains("Secret key"));
    assert_eq!(csv.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn over_https_the_staff_cookie_is_host_prefixed_and_only_that_name_counts() {
    let app = TestApp::spawn_with(&[("APP_PROTOCOL", "https")]).await;
    let p = &app.state.platform;
    let (_, token) = usecases::staff_accounts::create_staff(
        p,
        &domain::Email::parse(STAFF_EMAIL).unwrap(),
        &usecases::Actor::Cli,
    )
    .await
    .unwrap();
    usecases::staff_accounts::set_password(p, &token, STAFF_PASSWORD.into())
        .await
        .unwrap();

    let signed_in = app
        .request(Method::POST, &app.apex, StaffSignIn::url())
        .header("Origin", format!("https://{}", app.apex))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=ops%40href.test&password=quiet+harbour+lantern")
        .send()
        .await
        .unwrap();
    let header = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("hcrm_staff="))
        .unwrap()
        .to_owned();
    let value = set_cookie(&signed_in, "__Host-hcrm_staff").unwrap();
    let with_old_name = app
        .request(Method::POST, &app.apex, GetTenantList::url())
        .header("Origin", format!("https://{}", app.apex))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", format!("hcrm_staff={value}"))
        .send()
        .await
        .unwrap();
    let with_new_name = app
        .request(Method::POST, &app.apex, GetTenantList::url())
        .header("Origin", format!("https://{}", app.apex))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", format!("__Host-hcrm_staff={value}"))
        .send()
        .await
        .unwrap();

    assert!(header.starts_with("__Host-hcrm_staff="), "{header}");
    assert!(
        header.contains("Secure") && header.contains("Path=/"),
        "{header}"
    );
    assert!(!header.to_lowercase().contains("domain="), "{header}");
    assert_eq!(with_old_name.status(), StatusCode::UNAUTHORIZED);
    assert!(
        with_new_name.status().is_success(),
        "{}",
        with_new_name.status()
    );
}

#[tokio::test]
async fn pages_that_show_a_key_or_a_secret_are_never_stored_by_a_cache() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let cookie = app.accept_invite(&acme, PASSWORD).await;
    let staff = app.staff_session(STAFF_EMAIL, STAFF_PASSWORD).await;
    let host = app.tenant_host("acme");

    for (host, path, cookie) in [
        (host.as_str(), "/settings/api", &cookie),
        (host.as_str(), "/welcome", &cookie),
        (host.as_str(), acme.invite_path.as_str(), &cookie),
        (app.apex.as_str(), "/admin/new", &staff),
        (app.apex.as_str(), "/admin/account", &staff),
    ] {
        let response = app
            .request(Method::GET, host, path)
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{host}{path}"
        );
    }
}

#[tokio::test]
async fn a_staff_code_step_sets_a_new_cookie_under_the_https_name_too() {
    // The code step replaces the session: its cookie must carry the same name.
    let app = TestApp::spawn_with(&[("APP_PROTOCOL", "https")]).await;
    let response = app
        .request(Method::POST, &app.apex, StaffEnterCode::url())
        .header("Origin", format!("https://{}", app.apex))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("code=123456")
        .send()
        .await
        .unwrap();
    // Without a session there is nothing to finish, and no cookie of the old name appears.
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&response, "hcrm_staff").is_none());
}

// ---------------------------------------------------------------------------------------
// Statuses of link pages
// ---------------------------------------------------------------------------------------

/// GETs `path` on `host` `times` times; the statuses seen.
async fn statuses(app: &TestApp, host: &str, path: &str, times: usize) -> Vec<StatusCode> {
    let mut seen = Vec::new();
    for _ in 0..times {
        let response = app
            .request(Method::GET, host, path)
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        seen.push(response.status());
    }
    seen
}

#[tokio::test]
async fn a_spent_link_page_answers_its_status_every_time() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.accept_invite(&acme, PASSWORD).await;
    let host = app.tenant_host("acme");
    let staff_link = {
        let p = &app.state.platform;
        let (_, token) = usecases::staff_accounts::create_staff(
            p,
            &domain::Email::parse(STAFF_EMAIL).unwrap(),
            &usecases::Actor::Cli,
        )
        .await
        .unwrap();
        usecases::staff_accounts::set_password(p, &token, STAFF_PASSWORD.into())
            .await
            .unwrap();
        format!("/admin/setup/{}", token.expose())
    };
    let unknown = format!("/reset/{}", "A".repeat(43));
    let spent_reset = {
        let asked = app
            .call::<RequestPasswordReset>(&host, None, &[("email", "admin@acme.test")])
            .await;
        assert!(asked.status().is_success());
        let mut path = None;
        for _ in 0..100 {
            let mail = app.mail_to("admin@acme.test").await;
            if mail
                .iter()
                .any(|m| m["text"].as_str().unwrap_or("").contains("/reset/"))
            {
                path = Some(app.emailed_path("admin@acme.test", "/reset/").await);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let path = path.expect("the reset email arrives");
        let token = path.trim_start_matches("/reset/");
        let used = app
            .call::<ResetPassword>(
                &host,
                None,
                &[("token", token), ("new_password", "a whole new passphrase")],
            )
            .await;
        assert!(used.status().is_success(), "{}", used.status());
        path
    };

    let invite = statuses(&app, &host, &acme.invite_path, 20).await;
    let reset = statuses(&app, &host, &unknown, 20).await;
    let spent = statuses(&app, &host, &spent_reset, 20).await;
    let setup = statuses(&app, &app.apex, &staff_link, 20).await;
    let missing = statuses(&app, &host, "/no-such-page", 20).await;

    assert!(invite.iter().all(|s| *s == StatusCode::GONE), "{invite:?}");
    assert!(reset.iter().all(|s| *s == StatusCode::GONE), "{reset:?}");
    assert!(spent.iter().all(|s| *s == StatusCode::GONE), "{spent:?}");
    assert!(setup.iter().all(|s| *s == StatusCode::GONE), "{setup:?}");
    assert!(
        missing.iter().all(|s| *s == StatusCode::NOT_FOUND),
        "{missing:?}"
    );
}
