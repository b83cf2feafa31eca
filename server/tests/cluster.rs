//! The platform as it runs in production: `scripts/cluster` with two instances of the release
//! server behind haproxy, on a fresh embedded Postgres, with a real SMTP server. These tests
//! need the release build, so `cargo test` skips them (`#[ignore]`); `scripts/test` runs them
//! after building it (`docs/testing.md`).

// Tests unwrap: a panic here is a failed test; the cluster's own lines go to the test's
// output, shown when it fails.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::json;

const METRICS_TOKEN: &str = "cluster-metrics-token";

/// A running `scripts/cluster`: its haproxy address and its instances.
struct Cluster {
    script: Child,
    /// `127.0.0.1:<port>`, where haproxy listens.
    proxy: String,
    /// The apex, `localhost:<port>`.
    apex: String,
    /// Each instance's port and process id.
    instances: Vec<(u16, u32)>,
    data_dir: PathBuf,
    client: reqwest::Client,
    /// The test's own use of the embedded Postgres the instances share, once ready.
    database: Option<(db::embedded::Embedded, db::PgPool)>,
}

fn free_port_block(size: u16) -> u16 {
    // A port whose next `size` neighbours are free too (instances listen on port + i).
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        if port > 60_000 {
            continue;
        }
        if (1..=size).all(|i| TcpListener::bind(("127.0.0.1", port + i)).is_ok()) {
            return port;
        }
    }
}

fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Cluster {
    /// Starts two instances on a fresh data folder (an empty database), with `vars`.
    fn start(vars: &[(&str, &str)]) -> Cluster {
        let port = free_port_block(2);
        let apex = format!("localhost:{port}");
        let data_dir = std::env::temp_dir().join(format!("hcrm-cluster-{}", uuid::Uuid::new_v4()));
        let mut command = Command::new(checkout().join("scripts/cluster"));
        command
            .current_dir(checkout())
            .env("CLUSTER_BUILD", "0")
            .env("INSTANCES", "2")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("APP_DOMAIN", &apex)
            .env("HCRM_DATA_DIR", &data_dir)
            .env("METRICS_TOKEN", METRICS_TOKEN)
            .env("DEV_MAIL", "1")
            .env("DRAIN_SECONDS", "2")
            .env(
                "RUST_LOG",
                std::env::var("CLUSTER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (name, value) in vars {
            command.env(name, value);
        }
        let mut script = command.spawn().expect("scripts/cluster starts");
        let stdout = script.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("cluster: {line}");
                let _ = sender.send(line);
            }
        });
        let mut instances = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while instances.len() < 2 {
            let line = receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("scripts/cluster prints a line per instance");
            // `instance 1: http://127.0.0.1:3001 (pid 4242)`
            if let Some(rest) = line.strip_prefix("instance ") {
                let port = rest.split("127.0.0.1:").nth(1).unwrap();
                let port: u16 = port.split_whitespace().next().unwrap().parse().unwrap();
                let pid: u32 = rest
                    .split("(pid ")
                    .nth(1)
                    .unwrap()
                    .trim_end_matches(')')
                    .parse()
                    .unwrap();
                instances.push((port, pid));
            }
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Cluster {
            script,
            proxy: format!("127.0.0.1:{port}"),
            apex,
            instances,
            data_dir,
            client,
            database: None,
        }
    }

    /// Waits until every instance, and haproxy, answer `/readyz` with 200; then joins
    /// their database as its owner, for the test's own checks.
    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut addresses: Vec<String> = self
            .instances
            .iter()
            .map(|(port, _)| format!("127.0.0.1:{port}"))
            .collect();
        addresses.push(self.proxy.clone());
        for address in addresses {
            loop {
                let answer = self
                    .client
                    .get(format!("http://{address}/readyz"))
                    .header("Host", &self.apex)
                    .send()
                    .await;
                if answer.is_ok_and(|r| r.status() == 200) {
                    break;
                }
                assert!(Instant::now() < deadline, "{address} never became ready");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        let data_dir = self.data_dir.clone();
        let embedded = tokio::task::spawn_blocking(move || {
            db::embedded::Embedded::start(&data_dir, "postgres", db::embedded::Tuning::Durable)
        })
        .await
        .unwrap()
        .unwrap();
        let url = embedded.ensure_database("hcrm").await.unwrap();
        let pool = db::PgPool::connect(&url).await.unwrap();
        self.database = Some((embedded, pool));
        // haproxy takes an instance in after two good checks a second apart: until then
        // the proxy may send everything to the instance that came up first.
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }

    /// A count, as the database's owner reads it.
    async fn count(&self, sql: &str) -> i64 {
        let (_, pool) = self.database.as_ref().expect("the cluster is ready");
        db::testing::scalar_i64(pool, sql).await
    }

    fn tenant_host(&self, slug: &str) -> String {
        format!("{slug}.{}", self.apex)
    }

    /// A request through haproxy to `path` on `host`.
    fn request(&self, method: reqwest::Method, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("http://{}{path}", self.proxy))
            .header("Host", host)
    }

    /// Runs the release CLI against the cluster's database.
    fn hcrm(&self, args: &[&str]) -> String {
        let output = Command::new(checkout().join("target/release/hcrm"))
            .current_dir(checkout())
            .args(args)
            .env("HCRM_DATA_DIR", &self.data_dir)
            .env("APP_DOMAIN", &self.apex)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Provisions an active tenant with the CLI: its API key and admin invite path.
    fn provision(&self, slug: &str) -> (String, String) {
        let out = self.hcrm(&[
            "provision-tenant",
            slug,
            &format!("{slug} Ltd"),
            &format!("admin@{slug}.test"),
        ]);
        let key = out
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("hcrm_"))
            .unwrap()
            .to_owned();
        let invite = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Admin invite:"))
            .unwrap()
            .trim()
            .to_owned();
        let path = invite[invite.find("/invite/").unwrap()..].to_owned();
        (key, path)
    }

    async fn post_lead(&self, slug: &str, key: &str, client_ip: &str) -> u16 {
        self.request(
            reqwest::Method::POST,
            &self.tenant_host(slug),
            "/api/leads/intake",
        )
        .header("X-API-Key", key)
        .header("X-Forwarded-For", client_ip)
        .json(&json!({ "email": "lead@example.com" }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((embedded, pool)) = self.database.take() {
            drop(pool);
            let _ = embedded.stop();
        }
        // SIGTERM: the script stops haproxy and the instances, which drain first.
        let _ = Command::new("kill")
            .arg(self.script.id().to_string())
            .status();
        let _ = self.script.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

#[tokio::test]
#[ignore = "needs the release build: scripts/test runs it"]
async fn two_instances_started_together_on_an_empty_database_serve_as_one_platform() {
    // Arrange: both instances start at the same moment on a database that does not exist
    // yet, behind haproxy; TRUST_PROXY=2 lets each test request name its client (a proxy
    // in front of haproxy, as a CDN would be).
    let (inbox, smtp_port) = common::smtp::smtp_server();
    let smtp = format!("smtp://127.0.0.1:{smtp_port}");
    let mut cluster = Cluster::start(&[
        ("TRUST_PROXY", "2"),
        ("CHECK_LIMIT", "6/1m"),
        ("SIGNUP_LIMIT", "3/15m"),
        ("INTAKE_LIMIT", "10/1m"),
        ("SMTP_URL", &smtp),
    ]);
    cluster.ready().await;

    // The check limit: 6 from one client, whichever instance answers.
    let mut checks = Vec::new();
    for _ in 0..8 {
        let response = cluster
            .request(reqwest::Method::POST, &cluster.apex, &check_url())
            .header("Origin", format!("http://{}", cluster.apex))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "198.51.100.1")
            .body("subdomain=some-name")
            .send()
            .await
            .unwrap();
        checks.push(response.status().as_u16());
    }
    assert_eq!(
        checks,
        [200, 200, 200, 200, 200, 200, 429, 429],
        "check limit"
    );

    // The intake limit: 10 a minute for a workspace across both instances.
    let (key, invite) = cluster.provision("acme");
    let mut leads = Vec::new();
    for i in 0..12 {
        leads.push(
            cluster
                .post_lead("acme", &key, &format!("203.0.113.{i}"))
                .await,
        );
    }
    assert_eq!(&leads[..10], &[201; 10], "intake: {leads:?}");
    assert_eq!(&leads[10..], &[429, 429], "intake limit: {leads:?}");

    // The signup limit: 3 from one network.
    let mut signups = Vec::new();
    for i in 0..4 {
        let response = cluster
            .request(reqwest::Method::POST, &cluster.apex, &signup_url())
            .header("Origin", format!("http://{}", cluster.apex))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "198.51.100.2")
            .body(format!(
                "company=Co+{i}&subdomain=cluster-co-{i}&name=Ann&email=ann{i}%40co.test&password=violet+tugboat+orchard"
            ))
            .send()
            .await
            .unwrap();
        signups.push(response.status().as_u16());
    }
    assert!(
        signups[..3].iter().all(|s| *s < 300),
        "signups: {signups:?}"
    );
    assert_eq!(signups[3], 429, "signup limit: {signups:?}");

    // A session made through one instance works through the other: accept the invite on
    // instance 1, read the board through instance 2.
    let (first_port, _) = cluster.instances[0];
    let (second_port, _) = cluster.instances[1];
    let accepted = cluster
        .client
        .post(format!("http://127.0.0.1:{first_port}{}", accept_url()))
        .header("Host", cluster.tenant_host("acme"))
        .header("Origin", format!("http://{}", cluster.tenant_host("acme")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "token={}&name=Ada&password=violet+tugboat+orchard",
            invite.trim_start_matches("/invite/")
        ))
        .send()
        .await
        .unwrap();
    let cookie = accepted
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hcrm_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("accepting the invite signs in");
    let board = cluster
        .client
        .get(format!("http://127.0.0.1:{second_port}/leads"))
        .header("Host", cluster.tenant_host("acme"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(board.status(), 200, "the other instance knows the session");
    assert!(board.text().await.unwrap().contains("Pipeline"));

    // A form drawn by one instance posts to the other: the sign-in form's action.
    let form = cluster
        .client
        .get(format!("http://127.0.0.1:{first_port}/login"))
        .header("Host", cluster.tenant_host("acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = common::form_actions(&form).remove(0);
    let signed_in = cluster
        .client
        .post(format!("http://127.0.0.1:{second_port}{action}"))
        .header("Host", cluster.tenant_host("acme"))
        .header("Origin", format!("http://{}", cluster.tenant_host("acme")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=admin%40acme.test&password=violet+tugboat+orchard")
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().is_success(), "{}", signed_in.status());

    // Every email is delivered exactly once while both instances' workers run: invites to
    // 20 people (on a plan with the seats for them), queued through both instances.
    let (_, owner) = cluster.database.as_ref().unwrap();
    db::testing::execute(
        owner,
        "update tenants set plan = 'enterprise' where slug = 'acme'",
    )
    .await;
    let mut invited = Vec::new();
    for i in 0..20 {
        let port = cluster.instances[i % 2].0;
        let address = format!("person{i}@cluster.test");
        let response = cluster
            .client
            .post(format!("http://127.0.0.1:{port}{}", invite_url()))
            .header("Host", cluster.tenant_host("acme"))
            .header("Origin", format!("http://{}", cluster.tenant_host("acme")))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("email={}&role=member", address.replace('@', "%40")))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "invite {i}: {}",
            response.status()
        );
        invited.push(address);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let delivered = loop {
        let counts: HashMap<String, usize> = inbox
            .lock()
            .unwrap()
            .iter()
            .flat_map(|message| message.to.clone())
            .fold(HashMap::new(), |mut counts, to| {
                *counts.entry(to).or_default() += 1;
                counts
            });
        let pending = cluster
            .count("select count(*) from email_outbox where status = 'pending'")
            .await;
        if pending == 0 || Instant::now() > deadline {
            break counts;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        delivered.values().all(|n| *n == 1),
        "every email exactly once: {delivered:?}"
    );
    assert!(
        invited.iter().all(|to| delivered.contains_key(to)),
        "every invite was delivered: {delivered:?}"
    );
    let sent = cluster
        .count("select count(*) from email_outbox where status = 'sent'")
        .await;
    assert_eq!(
        delivered.values().sum::<usize>() as i64,
        sent,
        "delivered as recorded"
    );

    // Metrics: Prometheus scrapes each instance; each counted its share of the intake.
    for (port, _) in &cluster.instances {
        let metrics = cluster
            .client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .header("Host", &cluster.apex)
            .header("Authorization", format!("Bearer {METRICS_TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(metrics.status(), 200);
        let text = metrics.text().await.unwrap();
        assert!(
            text.contains("http_route=\"/api/leads/intake\""),
            "{port}: {text}"
        );
        assert!(text.contains("hcrm_leads_received_total"), "{port}: {text}");
        assert!(
            text.contains("hcrm_outbox_emails{state=\"pending\"}"),
            "{port}: {text}"
        );
        assert!(
            !text.contains("acme") && !text.contains(&key[..9]),
            "no tenant or key"
        );
    }
    let on_tenant = cluster
        .request(
            reqwest::Method::GET,
            &cluster.tenant_host("acme"),
            "/metrics",
        )
        .header("Authorization", format!("Bearer {METRICS_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_tenant.status(), 404);
}

#[tokio::test]
#[ignore = "needs the release build: scripts/test runs it"]
async fn stopping_one_of_two_instances_under_steady_intake_fails_no_request() {
    let mut cluster = Cluster::start(&[("INTAKE_LIMIT", "100000/1m")]);
    cluster.ready().await;
    let (key, _) = cluster.provision("acme");
    let cluster = Arc::new(cluster);

    // Steady intake through haproxy: 8 clients, each a lead after another.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (cluster, key, stop) = (cluster.clone(), key.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                statuses.push(
                    cluster
                        .post_lead("acme", &key, &format!("192.0.2.{c}"))
                        .await,
                );
            }
            statuses
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, pid) = cluster.instances[0];
    let stopped_at = Instant::now();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    // Through its drain (2 s) and past its exit.
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut statuses = Vec::new();
    for client in clients {
        statuses.extend(client.await.unwrap());
    }

    let failed: Vec<&u16> = statuses.iter().filter(|s| **s != 201).collect();
    assert!(
        statuses.len() > 100,
        "steady load: {} requests",
        statuses.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} failed: {failed:?}",
        failed.len(),
        statuses.len()
    );
    let gone = !std::path::Path::new(&format!("/proc/{pid}")).exists()
        || std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(" Z "));
    assert!(
        gone,
        "the stopped instance exited ({:?} after SIGTERM)",
        stopped_at.elapsed()
    );
    let stored = cluster.count("select count(*) from leads").await;
    assert_eq!(
        stored as usize,
        statuses.len(),
        "every acknowledged lead is stored"
    );
}

fn check_url() -> String {
    use leptos::server_fn::ServerFn;
    app::api::signup::CheckSubdomain::url().to_owned()
}

fn signup_url() -> String {
    use leptos::server_fn::ServerFn;
    app::api::signup::CreateWorkspace::url().to_owned()
}

fn accept_url() -> String {
    use leptos::server_fn::ServerFn;
    app::api::invites::AcceptInvite::url().to_owned()
}

fn invite_url() -> String {
    use leptos::server_fn::ServerFn;
    app::api::team::SendInvite::url().to_owned()
}
