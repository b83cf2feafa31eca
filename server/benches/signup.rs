//! Issue 3's speed targets, measured on a real Postgres (`scripts/bench`):
//! - the availability check's server time with 100,000 tenants: p50 and p99 (< 5 ms);
//! - signup's server time next to the password hash alone (within 1.5×).
//!
//! Both call the very use cases the server functions call (`usecases::signup`), without
//! HTTP, on the request pool (the restricted role), after warming up.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use db::testing::TestDb;
use domain::{
    Password,
    signup::{SignupForm, SignupRequest},
};
use usecases::signup::{SlugRules, availability, sign_up};

const TENANTS: i64 = 100_000;
const CHECKS: usize = 3_000;
const SIGNUPS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let test = TestDb::new().await;
    let platform = usecases::testing::platform(&test);

    // 100,000 tenants and some quarantined names, as the owner in one statement each.
    let started = Instant::now();
    db::testing::execute(
        &test.db.owner,
        &format!(
            "insert into tenants (id, slug, name, status, api_key_hash, api_key_prefix)
             select gen_random_uuid(), 'tenant-' || i, 'Tenant ' || i, 'active',
                    sha256(('key' || i)::bytea), 'hcrm_xxxx'
             from generate_series(1, {TENANTS}) i;
             insert into slug_quarantine (slug, former_tenant_id, released_at)
             select 'gone-' || i, gen_random_uuid(), now() + interval '30 days'
             from generate_series(1, 1000) i;
             analyze tenants; analyze slug_quarantine;"
        ),
    )
    .await;
    eprintln!("seeded {TENANTS} tenants in {:?}", started.elapsed());

    // Availability: a mix of taken, free, reserved, quarantined and invalid names.
    let inputs: Vec<String> = (0..CHECKS)
        .map(|i| match i % 5 {
            0 => format!("tenant-{}", 1 + i * 31 % TENANTS as usize),
            1 => format!("free-name-{i}"),
            2 => "admin".to_owned(),
            3 => format!("gone-{}", 1 + i % 1000),
            _ => "-invalid".to_owned(),
        })
        .collect();
    for input in inputs.iter().take(200) {
        availability(&platform, input, SlugRules::Signup)
            .await
            .unwrap();
    }
    let mut checks = Vec::with_capacity(CHECKS);
    for input in &inputs {
        let t = Instant::now();
        availability(&platform, input, SlugRules::Signup)
            .await
            .unwrap();
        checks.push(t.elapsed());
    }
    checks.sort();

    // Signup against the password hash alone, alternating so that both see the same
    // machine (a 2-core box's timings drift from minute to minute).
    let password = Password::parse("violet tugboat orchard".into()).unwrap();
    usecases::passwords::warm_up();
    let mut strength = Vec::with_capacity(SIGNUPS);
    let mut hashes = Vec::with_capacity(SIGNUPS);
    let mut signups = Vec::with_capacity(SIGNUPS);
    for i in 0..SIGNUPS + 3 {
        let t = Instant::now();
        usecases::passwords::check_not_common(&password, &["Bench Person", "Bench Company"])
            .await
            .unwrap();
        let strength_time = t.elapsed();
        let t = Instant::now();
        usecases::passwords::hash(&password).await.unwrap();
        let hash_time = t.elapsed();
        let request = SignupRequest::parse(SignupForm {
            company: format!("Bench Company {i}"),
            subdomain: format!("bench-signup-{i}"),
            name: "Bench Person".into(),
            email: format!("person{i}@bench.example.com"),
            password: "violet tugboat orchard".into(),
        })
        .unwrap();
        let t = Instant::now();
        sign_up(&platform, None, request).await.unwrap();
        let signup_time = t.elapsed();
        if i >= 3 {
            strength.push(strength_time);
            hashes.push(hash_time);
            signups.push(signup_time);
        }
    }
    strength.sort();
    hashes.sort();
    signups.sort();

    let hash_p50 = percentile(&hashes, 0.5);
    let signup_p50 = percentile(&signups, 0.5);
    println!("| measure | p50 | p99 |");
    println!("|---|---|---|");
    println!(
        "| availability check, {TENANTS} tenants ({CHECKS} checks) | {} | {} |",
        ms(percentile(&checks, 0.5)),
        ms(percentile(&checks, 0.99))
    );
    println!(
        "| password hash alone ({SIGNUPS} runs) | {} | {} |",
        ms(hash_p50),
        ms(percentile(&hashes, 0.99))
    );
    println!(
        "| common-password check alone ({SIGNUPS} runs) | {} | {} |",
        ms(percentile(&strength, 0.5)),
        ms(percentile(&strength, 0.99))
    );
    println!(
        "| signup, new account ({SIGNUPS} runs) | {} | {} |",
        ms(signup_p50),
        ms(percentile(&signups, 0.99))
    );
    println!(
        "\nsignup / hash at p50: {:.2}×",
        signup_p50.as_secs_f64() / hash_p50.as_secs_f64()
    );
}
