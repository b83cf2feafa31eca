mod common;

use common::{count_all, links, new_tenant, provision};
use db::{
    provisioning::{FirstAdmin, ProvisionError, provision_tenant},
    testing::TestDb,
};
use domain::Email;

const TENANT_TABLES: [&str; 5] = [
    "tenants",
    "pipeline_stages",
    "tenant_invites",
    "audit_log",
    "email_outbox",
];

#[tokio::test]
async fn provisioning_creates_the_tenant_its_stages_invite_audit_entry_and_email() {
    // Arrange
    let test = TestDb::new().await;

    // Act
    let provisioned = provision(&test.db, "acme").await;

    // Assert
    let stages: Vec<(i32, String, String, String)> = sqlx::query_as(
        "select sort_order, name, colour, stage_type from pipeline_stages
         where tenant_id = $1 order by sort_order",
    )
    .bind(provisioned.tenant_id.0)
    .fetch_all(&test.db.owner)
    .await
    .unwrap();
    let expected = [
        (1, "New", "#3b82f6", "active"),
        (2, "Contacted", "#a855f7", "active"),
        (3, "Qualified", "#06b6d4", "active"),
        (4, "Won", "#10b981", "won"),
        (5, "Lost", "#ef4444", "lost"),
    ];
    assert_eq!(stages.len(), 5);
    for (got, want) in stages.iter().zip(expected) {
        assert_eq!(
            (got.0, got.1.as_str(), got.2.as_str(), got.3.as_str()),
            want
        );
    }

    let (hash, prefix): (Vec<u8>, String) =
        sqlx::query_as("select api_key_hash, api_key_prefix from tenants where id = $1")
            .bind(provisioned.tenant_id.0)
            .fetch_one(&test.db.owner)
            .await
            .unwrap();
    assert_eq!(
        hash,
        provisioned.api_key.hash().to_vec(),
        "only the key's hash is stored"
    );
    assert_eq!(prefix, &provisioned.api_key.expose()[..9]);

    let token = provisioned.admin_invite.expect("an admin invite");
    let (role, days): (String, f64) = sqlx::query_as(
        "select role, (extract(epoch from expires_at - created_at) / 86400)::float8 from tenant_invites
         where token_hash = $1",
    )
    .bind(&token.hash()[..])
    .fetch_one(&test.db.owner)
    .await
    .unwrap();
    assert_eq!(role, "admin");
    assert!(
        (days - 7.0).abs() < 0.01,
        "the invite lasts 7 days, got {days}"
    );

    let (to, text): (String, String) =
        sqlx::query_as("select to_address, text_body from email_outbox")
            .fetch_one(&test.db.owner)
            .await
            .unwrap();
    assert_eq!(to, "admin@acme.test");
    assert!(text.contains(&format!(
        "http://acme.localhost:3000/invite/{}",
        token.expose()
    )));
    assert_eq!(count_all(&test.db, "audit_log").await, 1);
}

#[tokio::test]
async fn a_failure_midway_leaves_no_rows_behind() {
    // Arrange: the invite insert, after the tenant and its stages, fails.
    let test = TestDb::new().await;
    sqlx::raw_sql(
        "create function fail_now() returns trigger language plpgsql as
           $$ begin raise exception 'forced failure'; end $$;
         create trigger fail_invites before insert on tenant_invites
           for each row execute function fail_now();",
    )
    .execute(&test.db.owner)
    .await
    .unwrap();

    // Act
    let mut tx = test.db.app.begin().await.unwrap();
    let result = provision_tenant(
        &mut tx,
        &new_tenant("acme"),
        &FirstAdmin::Invite(Email::parse("admin@acme.test").unwrap()),
        "test",
        &links(),
    )
    .await;
    drop(tx);

    // Assert
    assert!(matches!(result, Err(ProvisionError::Db(_))));
    for table in TENANT_TABLES {
        assert_eq!(count_all(&test.db, table).await, 0, "{table} is empty");
    }
}

#[tokio::test]
async fn a_taken_subdomain_is_refused_and_writes_nothing() {
    let test = TestDb::new().await;
    provision(&test.db, "acme").await;

    let mut tx = test.db.app.begin().await.unwrap();
    let result = provision_tenant(
        &mut tx,
        &new_tenant("acme"),
        &FirstAdmin::Invite(Email::parse("other@acme.test").unwrap()),
        "test",
        &links(),
    )
    .await;
    drop(tx);

    assert!(matches!(result, Err(ProvisionError::SlugTaken)));
    assert_eq!(count_all(&test.db, "tenants").await, 1);
    assert_eq!(count_all(&test.db, "tenant_invites").await, 1);
}

#[tokio::test]
async fn simultaneous_provisionings_of_one_subdomain_make_exactly_one_tenant() {
    let test = TestDb::new().await;

    let attempts = (0..10).map(|i| {
        let db = test.db.clone();
        tokio::spawn(async move {
            let mut tx = db.app.begin().await.unwrap();
            let result = provision_tenant(
                &mut tx,
                &new_tenant("race"),
                &FirstAdmin::Invite(Email::parse(&format!("admin{i}@race.test")).unwrap()),
                "test",
                &links(),
            )
            .await;
            match result {
                Ok(_) => tx.commit().await.map(|()| true).unwrap(),
                Err(ProvisionError::SlugTaken) => false,
                Err(other) => panic!("unexpected {other:?}"),
            }
        })
    });
    let mut winners = 0;
    for attempt in attempts {
        if attempt.await.unwrap() {
            winners += 1;
        }
    }

    assert_eq!(winners, 1);
    assert_eq!(count_all(&test.db, "tenants").await, 1);
    assert_eq!(count_all(&test.db, "pipeline_stages").await, 5);
    assert_eq!(count_all(&test.db, "tenant_invites").await, 1);
}

#[tokio::test]
async fn a_deleted_tenants_subdomain_is_quarantined() {
    let test = TestDb::new().await;
    let first = provision(&test.db, "acme").await;
    let mut tx = test.db.owner.begin().await.unwrap();
    db::tenants::delete(&mut tx, first.tenant_id, "acme", 30)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = test.db.app.begin().await.unwrap();
    let result = provision_tenant(
        &mut tx,
        &new_tenant("acme"),
        &FirstAdmin::Invite(Email::parse("admin@acme.test").unwrap()),
        "test",
        &links(),
    )
    .await;

    assert!(matches!(result, Err(ProvisionError::SlugQuarantined)));
    assert_eq!(
        count_all(&test.db, "pipeline_stages").await,
        0,
        "the cascade removed the stages"
    );
    assert_eq!(
        count_all(&test.db, "audit_log").await,
        1,
        "audit entries are kept"
    );
}
