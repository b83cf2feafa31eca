//! Helpers shared by the database tests.

#![allow(dead_code)]

use db::{
    Database,
    provisioning::{FirstAdmin, NewTenant, Provisioned, provision_tenant},
};
use domain::{Email, Links, Slug, TenantName, TenantStatus};

pub fn links() -> Links {
    Links::new("http", "localhost:3000")
}

/// Provisions an active tenant with an admin invite, through the request role.
pub async fn provision(db: &Database, slug: &str) -> Provisioned {
    let mut tx = db.app.begin().await.unwrap();
    let provisioned = provision_tenant(
        &mut tx,
        &new_tenant(slug),
        &FirstAdmin::Invite(Email::parse(&format!("admin@{slug}.test")).unwrap()),
        "test",
        &links(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    provisioned
}

pub fn new_tenant(slug: &str) -> NewTenant {
    NewTenant {
        slug: Slug::parse(slug).unwrap(),
        name: TenantName::parse(&format!("{slug} Ltd")).unwrap(),
        status: TenantStatus::Active,
    }
}

/// Counts rows of `table` as the owner, who sees every tenant.
pub async fn count_all(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&db.owner)
        .await
        .unwrap()
}
