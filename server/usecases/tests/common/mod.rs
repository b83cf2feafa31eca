//! Helpers shared by the use-case tests.

#![allow(dead_code)]

use db::{Database, members::Member, sqlx, tenants::ResolvedTenant, testing::TestDb};
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

/// The password every test person chooses.
pub const PASSWORD: &str = "violet tugboat orchard";

/// The tenant at `slug`, as the host lookup finds it.
pub async fn tenant(p: &Platform, slug: &str) -> ResolvedTenant {
    db::tenants::resolve(&p.db.app, slug)
        .await
        .unwrap()
        .unwrap()
}

/// A provisioned workspace whose admin `admin@<slug>.test` accepted the invite with
/// [`PASSWORD`].
pub async fn workspace_with_admin(p: &Platform, slug: &str) -> ResolvedTenant {
    let provisioned = provision(p, slug).await;
    let tenant = tenant(p, slug).await;
    usecases::accept_invite::accept(
        p,
        &tenant,
        &provisioned.admin_invite.unwrap(),
        Some("Ada"),
        PASSWORD.into(),
        None,
    )
    .await
    .unwrap();
    tenant
}

/// Counts rows of `table` as the owner, who sees every tenant.
pub async fn count_all(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&db.owner)
        .await
        .unwrap()
}

/// The member of `tenant` with `email`.
pub async fn member(p: &Platform, tenant: &ResolvedTenant, email: &str) -> Member {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await.unwrap();
    let found = db::members::find_by_email(&mut tx, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    found
}
