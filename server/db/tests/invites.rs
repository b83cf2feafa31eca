// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::provision;
use db::{
    begin_tenant,
    invites::{self, InviteState},
    testing::TestDb,
};
use domain::{Email, PersonName, Role};
use time::OffsetDateTime;

async fn new_user(test: &TestDb, tenant: db::TenantId, email: &str) -> db::UserId {
    let mut tx = begin_tenant(&test.db.app, tenant).await.unwrap();
    let hash = domain::PasswordHash::new("x".into());
    let user = db::users::insert(
        &mut tx,
        &Email::parse(email).unwrap(),
        &PersonName::parse("P").unwrap(),
        &hash,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    user
}

#[tokio::test]
async fn an_invite_token_works_once() {
    let test = TestDb::new().await;
    let tenant = provision(&test.db, "acme").await;
    let token = tenant.admin_invite;
    let user = new_user(&test, tenant.tenant_id, "admin@acme.test").await;

    let mut tx = begin_tenant(&test.db.app, tenant.tenant_id).await.unwrap();
    let invite = invites::find_by_token(&mut tx, &token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(invite.state(OffsetDateTime::now_utc()), InviteState::Open);
    assert_eq!(invite.role, Role::Admin);
    let first = invites::consume(&mut tx, invite.id, user).await.unwrap();
    let second = invites::consume(&mut tx, invite.id, user).await.unwrap();
    let after = invites::find_by_token(&mut tx, &token)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();

    assert!(first);
    assert!(!second, "a used invite cannot be used again");
    assert_eq!(
        after.state(OffsetDateTime::now_utc()),
        InviteState::Accepted
    );
}

#[tokio::test]
async fn an_expired_invite_cannot_be_used() {
    let test = TestDb::new().await;
    let tenant = provision(&test.db, "acme").await;
    let token = tenant.admin_invite;
    sqlx::query("update tenant_invites set expires_at = now() - interval '1 second'")
        .execute(&test.db.owner)
        .await
        .unwrap();
    let user = new_user(&test, tenant.tenant_id, "admin@acme.test").await;

    let mut tx = begin_tenant(&test.db.app, tenant.tenant_id).await.unwrap();
    let invite = invites::find_by_token(&mut tx, &token)
        .await
        .unwrap()
        .unwrap();
    let consumed = invites::consume(&mut tx, invite.id, user).await.unwrap();

    assert_eq!(
        invite.state(OffsetDateTime::now_utc()),
        InviteState::Expired
    );
    assert!(!consumed);
}

#[tokio::test]
async fn an_invite_is_invisible_from_another_tenant() {
    let test = TestDb::new().await;
    let acme = provision(&test.db, "acme").await;
    let other = provision(&test.db, "other").await;

    let mut tx = begin_tenant(&test.db.app, other.tenant_id).await.unwrap();
    let found = invites::find_by_token(&mut tx, &acme.admin_invite)
        .await
        .unwrap();

    assert!(found.is_none());
}
