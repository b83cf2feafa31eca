//! Issue 8's targets, measured on a real Postgres (`scripts/bench`): with 100,000 tenants
//! (seeded by `cargo hcrm seed-tenants`' own code), the staff console's tenant list (the
//! first page, a page half-way down, a substring search, a status-filtered page), server
//! time p50 and p99 (target p99 < 50 ms each); and the approval of one tenant end to end
//! (the Approve server function: lock, status, audit entry, email queued, redirect).
//!
//! Everything goes over loopback HTTP to the real router (the test harness of
//! `server/tests`), signed in as staff, so each figure is routing, the staff session, the
//! queries on the console's role and the server render together.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{TestApp, set_cookie};
use db::console::SortKey;
use domain::Email;
use reqwest::{Method, StatusCode};

const TENANTS: u32 = 100_000;
const VIEWS: usize = 300;
const WARM_UP: usize = 30;
const APPROVALS: usize = 100;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A staff member's session cookie (`hcrm_staff=<token>`).
async fn staff_cookie(app: &TestApp) -> String {
    let p = &app.state.platform;
    let email = Email::parse("bench@href.test").unwrap();
    let (_, token) = usecases::staff_accounts::create_staff(p, &email, &usecases::Actor::Cli)
        .await
        .unwrap();
    usecases::staff_accounts::set_password(p, &token, "quiet harbour lantern".into())
        .await
        .unwrap();
    let response = app
        .call::<app::api::console::auth::StaffSignIn>(
            &app.apex,
            None,
            &[
                ("email", email.as_str()),
                ("password", "quiet harbour lantern"),
            ],
        )
        .await;
    format!(
        "hcrm_staff={}",
        set_cookie(&response, "hcrm_staff").unwrap()
    )
}

/// The cursor of the `n`-th newest tenant: a page that far down the list.
async fn cursor_at(app: &TestApp, n: i64) -> String {
    let (at, id): (time::OffsetDateTime, uuid::Uuid) = db::sqlx::query_as(
        "select created_at, id from tenants order by created_at desc, id desc offset $1 limit 1",
    )
    .bind(n)
    .fetch_one(&app.state.platform.db.owner)
    .await
    .unwrap();
    usecases::console::cursor_text(&SortKey::Created(at, id))
}

async fn page(app: &TestApp, cookie: &str, label: &str, path: &str, expect: &str) {
    let get = || {
        app.request(Method::GET, &app.apex, path)
            .header("Cookie", cookie)
            .send()
    };
    for _ in 0..WARM_UP {
        get().await.unwrap().bytes().await.unwrap();
    }
    let mut times = Vec::with_capacity(VIEWS);
    for _ in 0..VIEWS {
        let t = Instant::now();
        let response = get().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        times.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains(expect), "{path} shows {expect:?}");
    }
    times.sort();
    println!(
        "| {label} (`{}`, {VIEWS} views) | {} | {} |",
        path.split("after=").next().unwrap_or(path),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

async fn approvals(app: &TestApp, cookie: &str) {
    let pending: Vec<String> = db::sqlx::query_scalar(
        "select slug from tenants where status = 'pending' order by created_at limit $1",
    )
    .bind(APPROVALS as i64)
    .fetch_all(&app.state.platform.db.owner)
    .await
    .unwrap();
    let mut times = Vec::with_capacity(APPROVALS);
    for slug in &pending {
        let t = Instant::now();
        let response = app
            .call::<app::api::console::tenants::ChangeTenantStatus>(
                &app.apex,
                Some(cookie),
                &[("slug", slug), ("action", "approve"), ("back", "/admin")],
            )
            .await;
        let status = response.status();
        response.bytes().await.unwrap();
        times.push(t.elapsed());
        assert!(
            status.is_redirection() || status.is_success(),
            "approve {slug}: {status}"
        );
    }
    times.sort();
    println!(
        "| approve one tenant end to end ({} approvals) | {} | {} |",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    let added = db::seed::tenants(&app.state.platform.db.owner, TENANTS, "bench")
        .await
        .unwrap();
    app.owner_sql("vacuum analyze").await;
    eprintln!("seeded {added} tenants in {:?}", started.elapsed());
    let cookie = staff_cookie(&app).await;
    let deep = cursor_at(&app, 50_000).await;

    println!("| measure | p50 | p99 |");
    println!("|---|---|---|");
    page(&app, &cookie, "first page", "/admin", "seed-bench-").await;
    page(
        &app,
        &cookie,
        "a page 50,000 rows down",
        &format!("/admin?after={deep}"),
        "seed-bench-",
    )
    .await;
    page(
        &app,
        &cookie,
        "substring search",
        "/admin?q=4242",
        "seed-bench-4242",
    )
    .await;
    page(
        &app,
        &cookie,
        "search by admin email",
        "/admin?q=admin31337%40",
        "seed-bench-31337",
    )
    .await;
    page(
        &app,
        &cookie,
        "status filter",
        "/admin?status=suspended",
        "seed-bench-",
    )
    .await;
    page(
        &app,
        &cookie,
        "status filter, sorted by name",
        "/admin?status=active&sort=name",
        "seed-bench-",
    )
    .await;
    approvals(&app, &cookie).await;
}
