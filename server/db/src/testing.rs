//! Test databases: each test gets a fresh database of its own, copied from a template that
//! holds the migrated schema, on `DATABASE_URL`'s server or else the embedded test cluster
//! (`.data/postgres-test`). The copy is dropped when the test ends (set
//! `HCRM_KEEP_TEST_DB=1` to keep it for a look).

use std::{sync::OnceLock, time::Duration};

use sha2::{Digest, Sha256};
use sqlx::{Connection, PgConnection};

use crate::{
    Database, MIGRATOR, connect,
    embedded::{Embedded, Tuning, default_data_dir},
};

/// One test's own database, reached through both roles.
pub struct TestDb {
    pub name: String,
    pub owner_url: String,
    pub db: Database,
    maintenance_url: String,
    /// The database's own request login (roles are cluster-wide: it is dropped with it).
    login_role: String,
}

/// How long dropping a test database may take before the test gives up on it.
const CLEAN_UP_TIMEOUT: Duration = Duration::from_secs(30);

/// The test server: its base URL (scheme and authority) and a database to run
/// `CREATE DATABASE` from.
struct Cluster {
    base: String,
    maintenance_db: String,
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let (scheme, rest) = url.split_once("://").expect("DATABASE_URL is a URL");
            let (authority, path) = rest.split_once('/').unwrap_or((rest, "postgres"));
            let db = path
                .split('?')
                .next()
                .filter(|d| !d.is_empty())
                .unwrap_or("postgres");
            return Cluster {
                base: format!("{scheme}://{authority}"),
                maintenance_db: db.to_owned(),
            };
        }
        let embedded = Embedded::start(&default_data_dir(), "postgres-test", Tuning::Tests)
            .expect("the embedded test cluster starts");
        let base = embedded.url("");
        // The test process keeps using the cluster until it exits.
        std::mem::forget(embedded);
        Cluster {
            base: base.trim_end_matches('/').to_owned(),
            maintenance_db: "postgres".to_owned(),
        }
    })
}

impl TestDb {
    /// A fresh, migrated database with the app role logged in.
    pub async fn new() -> TestDb {
        let cluster = cluster();
        let maintenance_url = format!("{}/{}", cluster.base, cluster.maintenance_db);
        let template = ensure_template(&cluster.base, &maintenance_url).await;
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&maintenance_url)
            .await
            .expect("the test server accepts connections");
        sqlx::raw_sql(&format!("create database {name} template {template}"))
            .execute(&mut conn)
            .await
            .expect("the test database is created from the template");
        conn.close().await.ok();
        let owner_url = format!("{}/{name}", cluster.base);
        let db = connect(&owner_url, None, crate::PoolSizes::default())
            .await
            .expect("the test database connects");
        let login_role = scalar_string(
            &db.owner,
            "select 'hcrm_login_' || oid::text from pg_database where datname = current_database()",
        )
        .await;
        TestDb {
            name,
            owner_url,
            db,
            maintenance_url,
            login_role,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("HCRM_KEEP_TEST_DB").is_some() {
            eprintln!("kept test database {}", self.name);
            return;
        }
        let (url, name, role) = (
            self.maintenance_url.clone(),
            self.name.clone(),
            self.login_role.clone(),
        );
        // Drop cannot await, and may run inside a runtime: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            // Bounded, so that a stuck server fails one test's clean-up, not the run.
            runtime.block_on(async {
                tokio::time::timeout(CLEAN_UP_TIMEOUT, async {
                    let mut conn = PgConnection::connect(&url).await.ok()?;
                    // One statement each: DROP DATABASE refuses to run inside a transaction.
                    sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
                        .execute(&mut conn)
                        .await
                        .ok()?;
                    // The console's login is named after the same database oid.
                    let console = role.replacen("hcrm_login_", "hcrm_console_", 1);
                    sqlx::raw_sql(&format!("drop role if exists {role}, {console}"))
                        .execute(&mut conn)
                        .await
                        .ok()
                })
                .await
                .ok()
                .flatten()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// The migrated template for the current migrations, made once per server and set of
/// migrations (the name carries a hash of them). Parallel tests wait on an advisory lock
/// while one of them builds it.
async fn ensure_template(base: &str, maintenance_url: &str) -> String {
    let mut hasher = Sha256::new();
    for migration in MIGRATOR.iter() {
        hasher.update(migration.version.to_le_bytes());
        hasher.update(&migration.checksum);
    }
    let digest = hasher.finalize();
    let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let template = format!("hcrm_template_{tag}");

    let mut conn = PgConnection::connect(maintenance_url)
        .await
        .expect("the test server accepts connections");
    // Waits while another test builds it, but not for ever.
    sqlx::raw_sql("set lock_timeout = '120s'")
        .execute(&mut conn)
        .await
        .expect("the lock timeout is set");
    sqlx::query("select pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await
        .expect("the template lock is taken");
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&template)
            .fetch_one(&mut conn)
            .await
            .expect("pg_database is readable");
    if !exists {
        let building = format!("{template}_building");
        sqlx::raw_sql(&format!("drop database if exists {building} with (force)"))
            .execute(&mut conn)
            .await
            .expect("a half-built template is dropped");
        sqlx::raw_sql(&format!("create database {building}"))
            .execute(&mut conn)
            .await
            .expect("the template database is created");
        let mut template_conn = PgConnection::connect(&format!("{base}/{building}"))
            .await
            .expect("the template database connects");
        MIGRATOR
            .run(&mut template_conn)
            .await
            .expect("the migrations apply to the template");
        template_conn.close().await.ok();
        // Renamed only once complete, so a crash never leaves a half-migrated template.
        sqlx::raw_sql(&format!("alter database {building} rename to {template}"))
            .execute(&mut conn)
            .await
            .expect("the template is renamed");
    }
    sqlx::query("select pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await
        .ok();
    conn.close().await.ok();
    template
}

/// Runs SQL (as whatever role `pool` logs in as), for tests that arrange a state directly.
pub async fn execute(pool: &sqlx::PgPool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .expect("the test SQL runs");
}

/// The one `bigint` a query returns.
pub async fn scalar_i64(pool: &sqlx::PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("the test query runs")
}

/// The one `text` a query returns.
pub async fn scalar_string(pool: &sqlx::PgPool, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("the test query runs")
}
