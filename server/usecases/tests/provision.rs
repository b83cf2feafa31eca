//! Provisioning: all or nothing, one winner per subdomain, quarantine, and emails whose
//! links nobody reading the database can use.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{count_all, platform, provision};
use db::sqlx;
use domain::{Email, Slug, TenantName};
use usecases::{Actor, Error, Platform};

async fn provision_again(
    p: &Platform,
    slug: &str,
    email: &str,
) -> Result<usecases::provision::Provisioned, Error> {
    usecases::provision::provision(
        p,
        Slug::parse(slug).unwrap(),
        TenantName::parse("Other").unwrap(),
        Email::parse(email).unwrap(),
        &Actor::Cli,
    )
    .await
}

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
    let (test, p) = platform().await;

    // Act
    let provisioned = provision(&p, "acme").await;

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

    let (to, sealed): (String, Vec<u8>) =
        sqlx::query_as("select to_address, sealed_body from email_outbox")
            .fetch_one(&test.db.owner)
            .await
            .unwrap();
    assert_eq!(to, "admin@acme.test");
    let body = p.sealing_key.open(&sealed).unwrap();
    assert!(body.text.contains(&format!(
        "http://acme.localhost:3000/invite/{}",
        token.expose()
    )));
    assert_eq!(count_all(&test.db, "audit_log").await, 1);
}

#[tokio::test]
async fn nothing_in_the_database_holds_a_working_invite_link() {
    // Arrange
    let (test, p) = platform().await;

    // Act
    let provisioned = provision(&p, "acme").await;

    // Assert: every row of every table, as text, as a dump or a backup would hold it.
    let token = provisioned.admin_invite.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select format('%I.%I', schemaname, tablename) from pg_tables
         where schemaname in ('public', 'hcrm_private')",
    )
    .fetch_all(&test.db.owner)
    .await
    .unwrap();
    assert!(tables.len() > 10);
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("select t::text from {table} t"))
            .fetch_all(&test.db.owner)
            .await
            .unwrap();
        for row in rows {
            assert!(
                !row.contains(token.expose()),
                "{table} holds the invite token in clear: {row}"
            );
        }
    }
}

#[tokio::test]
async fn a_failure_midway_leaves_no_rows_behind() {
    // Arrange: the invite insert, after the tenant and its stages, fails.
    let (test, p) = platform().await;
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
    let result = provision_again(&p, "acme", "admin@acme.test").await;

    // Assert
    assert_eq!(result.unwrap_err(), Error::Internal);
    for table in TENANT_TABLES {
        assert_eq!(count_all(&test.db, table).await, 0, "{table} is empty");
    }
}

#[tokio::test]
async fn a_taken_subdomain_is_refused_and_writes_nothing() {
    let (test, p) = platform().await;
    provision(&p, "acme").await;

    let result = provision_again(&p, "acme", "other@acme.test").await;

    assert!(matches!(
        result,
        Err(Error::Invalid {
            code: "subdomain_taken",
            ..
        })
    ));
    assert_eq!(count_all(&test.db, "tenants").await, 1);
    assert_eq!(count_all(&test.db, "tenant_invites").await, 1);
}

#[tokio::test]
async fn simultaneous_provisionings_of_one_subdomain_make_exactly_one_tenant() {
    let (test, p) = platform().await;

    let attempts = (0..10).map(|i| {
        let p = p.clone();
        tokio::spawn(async move {
            match provision_again(&p, "race", &format!("admin{i}@race.test")).await {
                Ok(_) => true,
                Err(Error::Invalid {
                    code: "subdomain_taken",
                    ..
                }) => false,
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
    let (test, p) = platform().await;
    provision(&p, "acme").await;
    usecases::change_status::delete_tenant(&p, &Slug::parse("acme").unwrap(), &Actor::Cli)
        .await
        .unwrap();

    let result = provision_again(&p, "acme", "admin@acme.test").await;

    assert!(matches!(
        result,
        Err(Error::Invalid {
            code: "subdomain_quarantined",
            ..
        })
    ));
    assert_eq!(
        count_all(&test.db, "pipeline_stages").await,
        0,
        "the cascade removed the stages"
    );
    assert_eq!(
        count_all(&test.db, "audit_log").await,
        2,
        "audit entries are kept: provisioned, deleted"
    );
}
