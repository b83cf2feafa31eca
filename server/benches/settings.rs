//! Issue 7's and 15's targets, measured on a real Postgres (`scripts/bench`):
//! - each Settings page's server time, p50 and p99, for a workspace with 50 members,
//!   30 stages and 100,000 leads (target p99 < 20 ms);
//! - the board of that workspace, first page and a **Show more** page (target p99 < 50 ms);
//! - the splash and sign-in pages, signed out, compressed (target p99 < 5 ms);
//! - processing a 2 MB, 4096×4096 photo as a logo: p99, and the process's peak memory.
//!
//! The pages are fetched over loopback HTTP from the real router (the test harness of
//! `server/tests`), as a browser asks for them (`Accept-Encoding: br, gzip`), so each
//! figure is routing, session, queries, the server render and compression together. The logo goes through `usecases::branding::prepare_logo`,
//! the function the upload's server function calls.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    io::Cursor,
    time::{Duration, Instant},
};

use common::TestApp;
use image::{ImageEncoder, RgbImage, codecs::jpeg::JpegEncoder};
use reqwest::{Method, StatusCode};

const MEMBERS: usize = 50;
const STAGES: usize = 30;
const LEADS: usize = 100_000;
const AUDIT_ROWS: usize = 20_000;
const VIEWS: usize = 500;
const WARM_UP: usize = 50;
const LOGOS: usize = 20;
/// The Settings pages and the board, signed in as the admin.
const PAGES: [&str; 7] = [
    "/settings/branding",
    "/settings/team",
    "/settings/pipeline",
    "/settings/api",
    "/settings/activity",
    "/settings/usage",
    "/leads",
];
/// The most visited pages, signed out.
const PUBLIC_PAGES: [&str; 2] = ["/", "/login"];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The process's resident memory now and at its peak since the last reset, in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| {
                v.trim()
                    .trim_end_matches(" kB")
                    .trim()
                    .parse::<f64>()
                    .unwrap()
                    / 1024.0
            })
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A 4096×4096 JPEG of noise over gradients, as close under 2 MiB as a quality step allows:
/// as hard to decode as a photo of that size.
fn photo() -> Vec<u8> {
    let mut seed: u32 = 0x9e37_79b9;
    let image = RgbImage::from_fn(4096, 4096, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 27) as u8;
        image::Rgb([
            (x / 16) as u8 ^ noise,
            (y / 16) as u8 ^ noise,
            ((x + y) / 32) as u8 ^ noise,
        ])
    });
    for quality in (20..=95).rev().step_by(5) {
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), quality)
            .write_image(image.as_raw(), 4096, 4096, image::ExtendedColorType::Rgb8)
            .unwrap();
        if jpeg.len() <= usecases::branding::MAX_LOGO_BYTES {
            eprintln!("photo: {} bytes at JPEG quality {quality}", jpeg.len());
            return jpeg;
        }
    }
    panic!("no quality makes the photo fit 2 MiB");
}

async fn logos() {
    let upload = photo();
    let (before, _) = memory_mib();
    // Resets the peak (VmHWM) to the current resident size (Linux, `proc(5)`).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let mut times = Vec::with_capacity(LOGOS);
    for _ in 0..LOGOS {
        let t = Instant::now();
        let logo = usecases::branding::prepare_logo(upload.clone())
            .await
            .unwrap();
        times.push(t.elapsed());
        assert!(logo.is_ok(), "the photo is a good logo");
    }
    let (_, peak) = memory_mib();
    times.sort();
    println!(
        "| logo, 2 MiB 4096×4096 JPEG ({LOGOS} runs) | {} | {} |",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    println!(
        "\nlogo processing: peak resident memory {peak:.0} MiB, {:.0} MiB above the {before:.0} MiB before it\n",
        peak - before
    );
}

async fn seed(app: &TestApp) {
    let started = Instant::now();
    app.owner_sql(&format!(
        "update tenants set plan = 'enterprise' where slug = 'bench';
         insert into users (id, email, name, password_hash, email_verified_at)
           select gen_random_uuid(), 'person' || i || '@team.bench.test', 'Person ' || i, 'x', now()
           from generate_series(2, {MEMBERS}) i;
         insert into tenant_members (tenant_id, user_id, role, last_signed_in_at)
           select t.id, u.id, case when u.name like '%5' then 'admin' else 'member' end,
                  now() - interval '1 hour'
           from tenants t, users u where t.slug = 'bench' and u.email like '%@team.bench.test';
         insert into tenant_invites (tenant_id, email, role, token_hash, expires_at)
           select t.id, 'invited' || i || '@bench.test', 'member',
                  sha256(('invite' || i)::bytea), now() + interval '7 days'
           from tenants t, generate_series(1, 5) i where t.slug = 'bench';
         insert into pipeline_stages (tenant_id, name, colour, stage_type, sort_order)
           select t.id, 'Stage ' || i, '#336699', 'active',
                  (select max(sort_order) from pipeline_stages s where s.tenant_id = t.id) + i
           from tenants t, generate_series(1, {STAGES}
                - (select count(*) from pipeline_stages s join tenants b on b.id = s.tenant_id
                   where b.slug = 'bench')::int) i
           where t.slug = 'bench';
         insert into leads (tenant_id, stage_id, first_name, email, source, created_at)
           select t.id,
                  (select id from pipeline_stages s where s.tenant_id = t.id
                   order by sort_order offset (i % {STAGES}) limit 1),
                  'Lead ' || i, 'lead' || i || '@example.com', 'website',
                  now() - (i % 365) * interval '1 day'
           from tenants t, generate_series(1, {LEADS}) i where t.slug = 'bench';
         insert into audit_log (tenant_id, actor, action, detail, created_at)
           select t.id, 'admin@bench.test', 'member.signed_in', '{{}}',
                  now() - i * interval '1 minute'
           from tenants t, generate_series(1, {AUDIT_ROWS}) i where t.slug = 'bench';"
    ))
    .await;
    // As autovacuum would soon: fresh statistics, and no vacuum running during the views.
    app.owner_sql("vacuum analyze").await;
    eprintln!(
        "seeded {MEMBERS} members, {STAGES} stages, {LEADS} leads and {AUDIT_ROWS} audit rows in {:?}",
        started.elapsed()
    );
}

/// Times `views` fetches of `path` (after a warm-up), as a browser asks: compressed, with
/// the session `cookie` if any.
async fn time_page(app: &TestApp, host: &str, path: &str, cookie: Option<&str>) {
    let get = || {
        let mut request = app
            .request(Method::GET, host, path)
            .header("Accept-Encoding", "br, gzip");
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send()
    };
    for _ in 0..WARM_UP {
        get().await.unwrap().bytes().await.unwrap();
    }
    let mut times = Vec::with_capacity(VIEWS);
    for _ in 0..VIEWS {
        let t = Instant::now();
        let response = get().await.unwrap();
        let status = response.status();
        let encoding = response.headers().get("content-encoding").cloned();
        let body = response.bytes().await.unwrap();
        times.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            encoding.as_ref().map(|e| e.to_str().unwrap()),
            Some("br"),
            "{path}"
        );
        assert!(!body.is_empty());
    }
    times.sort();
    let who = if cookie.is_some() { "" } else { ", signed out" };
    println!(
        "| GET {path} ({VIEWS} views{who}) | {} | {} |",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

/// The address of the first **Show more** link on the board.
async fn show_more(app: &TestApp, host: &str, cookie: &str) -> String {
    let html = app
        .request(Method::GET, host, "/leads")
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("href=\"/leads?stage=").unwrap() + "href=\"".len();
    let end = start + html[start..].find(['"', '#']).unwrap();
    html[start..end].replace("&amp;", "&")
}

async fn pages(app: &TestApp, cookie: &str) {
    let host = app.tenant_host("bench");
    for path in PAGES {
        time_page(app, &host, path, Some(cookie)).await;
    }
    let more = show_more(app, &host, cookie).await;
    time_page(app, &host, &more, Some(cookie)).await;
    for path in PUBLIC_PAGES {
        time_page(app, &host, path, None).await;
    }
}

#[tokio::main]
async fn main() {
    println!("| measure | p50 | p99 |");
    println!("|---|---|---|");
    logos().await;

    let app = TestApp::spawn().await;
    let tenant = app.provision("bench").await;
    let cookie = app.accept_invite(&tenant, "violet tugboat orchard").await;
    seed(&app).await;
    println!("| measure | p50 | p99 |");
    println!("|---|---|---|");
    pages(&app, &cookie).await;
}
