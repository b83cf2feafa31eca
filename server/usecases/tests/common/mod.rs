//! Helpers shared by the use-case tests.

#![allow(dead_code)]

use db::{Database, sqlx, testing::TestDb};
use domain::{Email, Slug, TenantName};
use usecases::{Actor, Platform, provision::Provisioned, testing};

/// A fresh database and a platform on it.
pub async fn platform() -> (TestDb, Platform) {
    let test = TestDb::new().await;
    let platform = testing::platform(&test);
    (test, platform)
}

/// Provisions an active tenant with an admin invite, as the CLI does.
pub async fn provision(p: &Platform, slug: &str) -> Provisioned {
    usecases::provision::provision(
        p,
        Slug::parse(slug).unwrap(),
        TenantName::parse(&format!("{slug} Ltd")).unwrap(),
        Email::parse(&format!("admin@{slug}.test")).unwrap(),
        &Actor::Cli,
    )
    .await
    .unwrap()
}

/// Counts rows of `table` as the owner, who sees every tenant.
pub async fn count_all(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&db.owner)
        .await
        .unwrap()
}
