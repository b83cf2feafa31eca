//! The staff console over real HTTP: a signed-out visitor, a tenant's user, a staff session
//! still waiting for its code, and a staff cookie sent to another host get no console data
//! from any console server function, page or export, and change nothing; a signed-in staff
//! member on the apex does get the data (so the refusals are about who asks).

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use app::api::console::{
    account::{ChangeStaffPassword, GetStaffAccount, TurnOffTwoFactor, TurnOnTwoFactor},
    audit::GetAuditPage,
    outbox::{GetOutboxPage, RetryEmail},
    provision::{CheckConsoleSubdomain, ProvisionTenant, TakeProvisionResult},
    staff::{DisableStaff, EndStaffSessions, GetStaffList},
    tenants::{ChangeTenantStatus, DeleteTenant, GetConsoleTenant, GetTenantList, SetTenantPlan},
};
use common::TestApp;
use domain::Token;
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use server::cli::Command;

/// The tenant no one but staff may learn about.
const SLUG: &str = "zebra-secret";
const NAME: &str = "Zebra Secret Holdings";
const STAFF_EMAIL: &str = "ops@href.test";
const STAFF_PASSWORD: &str = "quiet harbour lantern";
const USER_PASSWORD: &str = "violet tugboat orchard";

/// A running app with the secret tenant (pending, with a failed email), another tenant
/// whose admin is signed in, and a staff member signed in on the apex.
struct Fixture {
    app: TestApp,
    /// `hcrm_session=…` of acme's admin, for acme's host.
    tenant_cookie: String,
    /// `hcrm_staff=…`, for the apex.
    staff_cookie: String,
    failed_email: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    app.cli(Command::ProvisionTenant {
        slug: SLUG.into(),
        name: NAME.into(),
        admin_email: format!("ceo@{SLUG}.test"),
    })
    .await
    .unwrap();
    app.owner_sql(&format!(
        "update tenants set status = 'pending' where slug = '{SLUG}';
         update email_outbox set status = 'failed', failed_at = now(), attempts = 10,
                last_error = '550 mailbox unavailable'
         where to_address = 'ceo@{SLUG}.test'"
    ))
    .await;
    let failed_email = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select id::text from email_outbox where status = 'failed'",
    )
    .await;

    let acme = app.provision("acme").await;
    let tenant_cookie = app.accept_invite(&acme, USER_PASSWORD).await;

    let staff_cookie = app.staff_session(STAFF_EMAIL, STAFF_PASSWORD).await;
    Fixture {
        app,
        tenant_cookie,
        staff_cookie,
        failed_email,
    }
}

/// One console server function, with arguments that would be accepted from staff (so that
/// who asks is the only thing that can be wrong).
struct Call {
    name: &'static str,
    url: &'static str,
    form: Vec<(&'static str, String)>,
}

fn call<S: ServerFn>(form: &[(&'static str, &str)]) -> Call {
    let name = std::any::type_name::<S>().rsplit("::").next().unwrap();
    Call {
        name,
        url: S::url(),
        form: form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
    }
}

/// Every console server function (`app/src/api/console/`), but sign-in and sign-out.
fn every_console_call(failed_email: &str) -> Vec<Call> {
    vec![
        call::<GetTenantList>(&[("q", "zebra")]),
        call::<GetConsoleTenant>(&[("slug", SLUG)]),
        call::<ChangeTenantStatus>(&[("slug", SLUG), ("action", "approve")]),
        call::<DeleteTenant>(&[("slug", SLUG), ("confirm", SLUG)]),
        call::<SetTenantPlan>(&[("slug", SLUG), ("plan", "starter"), ("max_users", "3")]),
        call::<GetAuditPage>(&[]),
        call::<GetOutboxPage>(&[]),
        call::<RetryEmail>(&[("email", failed_email)]),
        call::<ProvisionTenant>(&[
            ("subdomain", "newco"),
            ("display_name", "New Co"),
            ("admin_email", "boss@newco.test"),
        ]),
        call::<TakeProvisionResult>(&[]),
        call::<CheckConsoleSubdomain>(&[("subdomain", SLUG)]),
        call::<GetStaffAccount>(&[]),
        call::<TurnOnTwoFactor>(&[("code", "123456")]),
        call::<ChangeStaffPassword>(&[
            ("current_password", STAFF_PASSWORD),
            ("new_password", "brand new staff passphrase"),
        ]),
        call::<TurnOffTwoFactor>(&[("password", STAFF_PASSWORD), ("code_off", "123456")]),
        call::<GetStaffList>(&[]),
        call::<EndStaffSessions>(&[("email", STAFF_EMAIL)]),
        call::<DisableStaff>(&[("email", STAFF_EMAIL)]),
    ]
}

/// Posts `call` from `host`'s own pages, with `cookie` if any: its status and body.
async fn send(
    app: &TestApp,
    host: &str,
    cookie: Option<&str>,
    call: &Call,
) -> (StatusCode, String) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(call.form.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    let mut request = app
        .post_from_page(host, call.url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Whether `text` says anything about the secret tenant.
fn mentions_the_tenant(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains(SLUG) || lower.contains(&NAME.to_lowercase()) || lower.contains("zebra")
}

/// What the refused calls could have changed: the tenants, the outbox, the audit log and
/// the staff account (its password, two-factor and sessions' flash).
async fn snapshot(app: &TestApp) -> String {
    db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select concat_ws(' | ',
           (select string_agg(concat_ws(',', slug, status, plan, max_users), ';' order by slug)
              from tenants),
           (select string_agg(concat_ws(',', id, status, attempts), ';' order by id)
              from email_outbox),
           (select count(*)::text from audit_log),
           (select string_agg(concat_ws(',', email, password_hash, totp_enabled_at,
                                        totp_pending_sealed is not null, disabled_at), ';')
              from staff_users),
           (select string_agg(concat_ws(',', needs_code, sealed_flash is not null), ';'
                              order by id_hash)
              from staff_sessions))",
    )
    .await
}

/// Sends every console call from `host` with `cookie` and asserts each is refused with
/// one of `statuses` and tells nothing about the tenant; then that nothing changed.
async fn assert_every_call_refused(
    f: &Fixture,
    who: &str,
    host: &str,
    cookie: Option<&str>,
    statuses: &[StatusCode],
) {
    let before = snapshot(&f.app).await;
    for call in every_console_call(&f.failed_email) {
        let (status, body) = send(&f.app, host, cookie, &call).await;
        assert!(
            statuses.contains(&status),
            "{who}: {} answered {status}, not one of {statuses:?}: {body}",
            call.name
        );
        assert!(
            !mentions_the_tenant(&body),
            "{who}: {} told about the tenant: {body}",
            call.name
        );
    }
    assert_eq!(snapshot(&f.app).await, before, "{who}: nothing changed");
    assert_eq!(
        db::testing::scalar_string(
            &f.app.state.platform.db.owner,
            &format!("select status from tenants where slug = '{SLUG}'")
        )
        .await,
        "pending",
        "{who}: the tenant was not approved"
    );
}

#[tokio::test]
async fn a_signed_out_visitor_is_refused_every_console_function_with_401() {
    let f = fixture().await;
    assert_every_call_refused(
        &f,
        "signed out",
        &f.app.apex,
        None,
        &[StatusCode::UNAUTHORIZED],
    )
    .await;
    // A made-up staff cookie is no better.
    let forged = format!("hcrm_staff={}", Token::from_bytes([7; 32]).expose());
    assert_every_call_refused(
        &f,
        "a made-up staff cookie",
        &f.app.apex,
        Some(&forged),
        &[StatusCode::UNAUTHORIZED],
    )
    .await;
}

#[tokio::test]
async fn a_tenant_users_session_gets_no_console_data_on_its_host_or_on_the_apex() {
    let f = fixture().await;
    assert_every_call_refused(
        &f,
        "a tenant user on their host",
        &f.app.tenant_host("acme"),
        Some(&f.tenant_cookie),
        &[StatusCode::NOT_FOUND, StatusCode::UNAUTHORIZED],
    )
    .await;
    assert_every_call_refused(
        &f,
        "a tenant user's cookie on the apex",
        &f.app.apex,
        Some(&f.tenant_cookie),
        &[StatusCode::UNAUTHORIZED],
    )
    .await;
}

#[tokio::test]
async fn a_staff_cookie_sent_to_a_tenant_host_gets_a_404_and_no_console_data() {
    let f = fixture().await;
    for host in [
        f.app.tenant_host("acme"),
        f.app.tenant_host(SLUG),
        f.app.tenant_host("nobody"),
    ] {
        let both = format!("{}; {}", f.staff_cookie, f.tenant_cookie);
        for cookie in [&f.staff_cookie, &both] {
            assert_every_call_refused(
                &f,
                &format!("staff cookie on {host}"),
                &host,
                Some(cookie),
                &[StatusCode::NOT_FOUND],
            )
            .await;
        }
    }
}

#[tokio::test]
async fn a_staff_session_still_waiting_for_its_code_gets_no_console_data() {
    let f = fixture().await;
    f.app
        .owner_sql("update staff_sessions set needs_code = true")
        .await;
    assert_every_call_refused(
        &f,
        "waiting for the code",
        &f.app.apex,
        Some(&f.staff_cookie),
        &[StatusCode::UNAUTHORIZED],
    )
    .await;
}

#[tokio::test]
async fn a_signed_in_staff_member_on_the_apex_reads_every_console_function() {
    // Arrange: a provision result waiting for this session (the refused calls above must
    // leave such a thing in place).
    let f = fixture().await;
    let token = Token::parse(f.staff_cookie.trim_start_matches("hcrm_staff=")).unwrap();
    let p = &f.app.state.platform;
    let sealed = p.sealing_key.seal(&usecases::sealing::Body {
        text: serde_json::json!({
            "slug": SLUG, "name": NAME, "tenant_id": "x", "api_key": "hcrm_x",
            "splash_url": "x", "invite_url": "x", "intake_url": "x", "summary": "x",
        })
        .to_string(),
        html: String::new(),
    });
    usecases::console::flash::keep(p, &token, &sealed)
        .await
        .unwrap();
    assert_every_call_refused(
        &f,
        "staff cookie on a tenant host",
        &f.app.tenant_host("acme"),
        Some(&f.staff_cookie),
        &[StatusCode::NOT_FOUND],
    )
    .await;

    // Act and assert: each read works on the apex, and shows the tenant where it should.
    let calls = every_console_call(&f.failed_email);
    let mut failures = Vec::new();
    for name in [
        "GetTenantList",
        "GetConsoleTenant",
        "GetAuditPage",
        "GetOutboxPage",
        "TakeProvisionResult",
        "CheckConsoleSubdomain",
        "GetStaffAccount",
        "GetStaffList",
    ] {
        let call = calls.iter().find(|c| c.name == name).unwrap();
        let (status, body) = send(&f.app, &f.app.apex, Some(&f.staff_cookie), call).await;
        let shows_tenant = !matches!(
            name,
            "CheckConsoleSubdomain" | "GetStaffAccount" | "GetStaffList"
        );
        if status != StatusCode::OK || (shows_tenant && !mentions_the_tenant(&body)) {
            failures.push(format!("{name}: {status} {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "staff reads failed:\n{}",
        failures.join("\n")
    );
}

/// The console's pages, as a browser asks for them.
const PAGES: [&str; 7] = [
    "/admin",
    "/admin/tenants/zebra-secret",
    "/admin/audit",
    "/admin/outbox",
    "/admin/staff",
    "/admin/account",
    "/admin/new",
];

/// `html` without the page's own address, which the sign-in form carries to return to.
fn without_own_path(html: &str, path: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    html.replace(path, "").replace(&encoded, "")
}

#[tokio::test]
async fn console_pages_signed_out_show_the_sign_in_form_and_nothing_about_any_tenant() {
    let f = fixture().await;
    for path in PAGES {
        let response = f
            .app
            .request(Method::GET, &f.app.apex, path)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let html = response.text().await.unwrap();
        assert!(
            status == StatusCode::OK || status.is_redirection(),
            "{path}: {status}"
        );
        assert!(
            !mentions_the_tenant(&without_own_path(&html, path)),
            "{path} signed out told about the tenant: {html}"
        );
        assert!(
            html.contains("password"),
            "{path}: the sign-in form is in its place"
        );
    }
    let export = f
        .app
        .request(Method::GET, &f.app.apex, "/admin/audit.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::UNAUTHORIZED);
    assert!(!mentions_the_tenant(&export.text().await.unwrap()));
}

#[tokio::test]
async fn console_pages_and_the_export_tell_a_tenant_user_or_another_host_nothing() {
    let f = fixture().await;
    let acme = f.app.tenant_host("acme");
    for (who, host, cookie) in [
        ("a tenant user on their host", &acme, &f.tenant_cookie),
        (
            "a tenant user's cookie on the apex",
            &f.app.apex,
            &f.tenant_cookie,
        ),
        ("staff cookie on a tenant host", &acme, &f.staff_cookie),
    ] {
        for path in PAGES {
            let response = f
                .app
                .request(Method::GET, host, path)
                .header("Cookie", cookie.as_str())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let html = response.text().await.unwrap();
            if host != &f.app.apex {
                assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {path}");
            }
            assert!(
                !mentions_the_tenant(&without_own_path(&html, path)),
                "{who}: {path} told about the tenant: {html}"
            );
        }
        let export = f
            .app
            .request(Method::GET, host, "/admin/audit.csv")
            .header("Cookie", cookie.as_str())
            .send()
            .await
            .unwrap();
        let status = export.status();
        let want = if host == &f.app.apex {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, want, "{who}: /admin/audit.csv");
        assert!(!mentions_the_tenant(&export.text().await.unwrap()));
    }

    // The same export, for staff on the apex, holds the tenant's history.
    let export = f
        .app
        .request(Method::GET, &f.app.apex, "/admin/audit.csv")
        .header("Cookie", f.staff_cookie.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert!(mentions_the_tenant(&export.text().await.unwrap()));
}
