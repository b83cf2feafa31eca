//! Helpers shared by the database tests.

#![allow(dead_code)]

use db::{Database, TenantId, begin_tenant};
use domain::{ApiKey, Email, Role, TenantStatus, Token};

/// A tenant made row by row (the flow that makes them is the `usecases` crate's).
pub struct Provisioned {
    pub tenant_id: TenantId,
    pub admin_invite: Token,
}

/// 32 bytes that no other test shares (tests need no cryptographic randomness).
pub fn unique_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes
}

/// An active tenant with its default stages and an admin invite, through the request role.
pub async fn provision(db: &Database, slug: &str) -> Provisioned {
    let tenant = db::tenants::new_id();
    let mut tx = begin_tenant(&db.app, tenant).await.unwrap();
    db::tenants::insert(
        &mut tx,
        tenant,
        slug,
        &format!("{slug} Ltd"),
        TenantStatus::Active,
        &ApiKey::from_bytes(unique_bytes()),
    )
    .await
    .unwrap();
    db::stages::seed_defaults(&mut tx, tenant).await.unwrap();
    let token = Token::from_bytes(unique_bytes());
    let email = Email::parse(&format!("admin@{slug}.test")).unwrap();
    db::invites::insert(&mut tx, tenant, &email, Role::Admin, None, &token)
        .await
        .unwrap();
    db::audit::record(
        &mut tx,
        Some(tenant),
        "test",
        "tenant.provisioned",
        serde_json::json!({}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Provisioned {
        tenant_id: tenant,
        admin_invite: token,
    }
}

/// Counts rows of `table` as the owner, who sees every tenant.
pub async fn count_all(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&db.owner)
        .await
        .unwrap()
}
