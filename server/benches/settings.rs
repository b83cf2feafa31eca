//! Issue 7's targets, measured on a real Postgres (`scripts/bench`):
//! - each Settings page's server time, p50 and p99, for a workspace with 50 members,
//!   30 stages and 100,000 leads (target p99 < 20 ms);
//! - processing a 2 MB, 4096×4096 photo as a logo: p99, and the process's peak memory.
//!
//! The pages are fetched over loopback HTTP from the real router (the test harness of
//! `server/tests`), signed in as an admin, so each figure is routing, session, queries and
//! the server render together. The logo goes through `usecases::branding::prepare_logo`,
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
/// The Settings pages, and the board (which reads the same stage counters), with how many
/// views to time.
const PAGES: [(&str, usize); 7] = [
    ("/settings/branding", VIEWS),
    ("/settings/team", VIEWS),
    ("/settings/pipeline", VIEWS),
    ("/settings/api", VIEWS),
    ("/settings/activity", VIEWS),
    ("/settings/usage", VIEWS),
    ("/leads", 30),
];

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

async fn pages(app: &TestApp, cookie: &str) {
    let host = app.tenant_host("bench");
    for (path, views) in PAGES {
        let get = || {
            app.request(Method::GET, &host, path)
                .header("Cookie", cookie)
                .send()
        };
        for _ in 0..WARM_UP {
            get().await.unwrap().bytes().await.unwrap();
        }
        let mut times = Vec::with_capacity(views);
        for _ in 0..views {
            let t = Instant::now();
            let response = get().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            times.push(t.elapsed());
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert!(body.contains("<h1"), "{path} renders its page");
        }
        times.sort();
        println!(
            "| GET {path} ({views} views) | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
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
