//! Row-level security, tested as the server's own role (`docs/tenancy.md`, "Tests"): every
//! tenant-owned table with no tenant set, from another tenant, and on a reused connection.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{provision, unique_bytes};
use db::{Database, TenantId, begin_tenant, testing::TestDb};
use domain::{Email, NewLead, PasswordHash, PersonName, Token};
use sqlx::{PgPool, postgres::PgPoolOptions};

/// Tables whose rows belong to one tenant, with the column naming that tenant.
const TENANT_OWNED: [(&str, &str); 14] = [
    ("tenants", "id"),
    ("tenant_members", "tenant_id"),
    ("tenant_invites", "tenant_id"),
    ("pipeline_stages", "tenant_id"),
    ("leads", "tenant_id"),
    ("sessions", "tenant_id"),
    ("idempotency_keys", "tenant_id"),
    ("audit_log", "tenant_id"),
    ("handoff_tokens", "tenant_id"),
    ("email_verifications", "tenant_id"),
    ("tenant_logos", "tenant_id"),
    ("password_resets", "tenant_id"),
    ("lead_counts", "tenant_id"),
    ("invite_emails", "tenant_id"),
];

/// Gives a tenant at least one row in every tenant-owned table.
async fn populate(db: &Database, tenant: TenantId, slug: &str) {
    let mut tx = begin_tenant(&db.app, tenant).await.unwrap();
    let email = Email::parse(&format!("member@{slug}.test")).unwrap();
    let hash = PasswordHash::new("not-a-real-hash".into());
    let user = db::users::insert(
        &mut tx,
        &email,
        &PersonName::parse("Member").unwrap(),
        &hash,
        false,
    )
    .await
    .unwrap();
    db::members::insert(&mut tx, tenant, user, domain::Role::Member)
        .await
        .unwrap();
    let stage = db::stages::first_active(&mut tx).await.unwrap().unwrap();
    let lead =
        domain::lead::parse(&serde_json::json!({ "email": format!("lead@{slug}.test") })).unwrap();
    let _: NewLead = lead.clone();
    db::leads::insert(&mut tx, tenant, stage.id, &lead)
        .await
        .unwrap();
    db::invite_emails::record(&mut tx, tenant, &email)
        .await
        .unwrap();
    db::handoffs::insert(&mut tx, tenant, user, &unique_bytes(), &unique_bytes())
        .await
        .unwrap();
    db::verifications::insert(
        &mut tx,
        tenant,
        user,
        &email,
        &Token::from_bytes(unique_bytes()),
    )
    .await
    .unwrap();
    db::password_resets::insert(&mut tx, tenant, user, &Token::from_bytes(unique_bytes()))
        .await
        .unwrap();
    let logo = db::logos::Logo {
        png: vec![1, 2, 3],
        etag: "etag".into(),
    };
    db::logos::put(&mut tx, tenant, &logo).await.unwrap();
    sqlx::query(
        "insert into idempotency_keys (tenant_id, key, request_hash, response_status, response_body)
         values ($1, 'key-1', 'hash', 201, '{}')",
    )
    .bind(tenant.0)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "insert into sessions (id_hash, tenant_id, user_id, data, expires_at)
                 values (gen_random_bytes_for_test(), $1, $2, '{}', now() + interval '1 hour')",
    )
    .bind(tenant.0)
    .bind(user.0)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn two_tenants() -> (TestDb, TenantId, TenantId) {
    let test = TestDb::new().await;
    sqlx::raw_sql(
        "create function gen_random_bytes_for_test() returns bytea language sql
           as $$ select sha256(gen_random_uuid()::text::bytea) $$;
         grant execute on function gen_random_bytes_for_test() to hcrm_app;",
    )
    .execute(&test.db.owner)
    .await
    .unwrap();
    let a = provision(&test.db, "alpha").await.tenant_id;
    let b = provision(&test.db, "bravo").await.tenant_id;
    populate(&test.db, a, "alpha").await;
    populate(&test.db, b, "bravo").await;
    (test, a, b)
}

/// A request pool of a single connection, so every query reuses the same session.
async fn single_connection_pool(db: &Database) -> PgPool {
    let options = (*db.app.connect_options()).clone();
    PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_tenant_table_has_rows_for_both_tenants_as_the_owner_sees_it() {
    let (test, a, b) = two_tenants().await;
    for (table, column) in TENANT_OWNED {
        for tenant in [a, b] {
            let n: i64 =
                sqlx::query_scalar(&format!("select count(*) from {table} where {column} = $1"))
                    .bind(tenant.0)
                    .fetch_one(&test.db.owner)
                    .await
                    .unwrap();
            assert!(
                n > 0,
                "{table} has rows for {tenant}: the isolation tests below mean something"
            );
        }
    }
}

#[tokio::test]
async fn with_no_tenant_set_the_server_role_sees_no_rows() {
    let (test, _a, _b) = two_tenants().await;
    let pool = single_connection_pool(&test.db).await;
    for (table, _) in TENANT_OWNED.iter().chain([&("users", "id")]) {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} reads as empty without a tenant");
    }
}

#[tokio::test]
async fn tenant_a_cannot_read_change_or_delete_tenant_b_rows() {
    let (test, a, b) = two_tenants().await;
    let pool = single_connection_pool(&test.db).await;
    for (table, column) in TENANT_OWNED {
        let mut tx = begin_tenant(&pool, a).await.unwrap();
        let seen: i64 =
            sqlx::query_scalar(&format!("select count(*) from {table} where {column} = $1"))
                .bind(b.0)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(seen, 0, "{table}: A reads none of B's rows");
        let own: i64 =
            sqlx::query_scalar(&format!("select count(*) from {table} where {column} = $1"))
                .bind(a.0)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert!(own > 0, "{table}: A reads its own rows");
        tx.rollback().await.unwrap();
    }

    for (table, column, update) in [
        ("tenants", "id", "name = 'hacked'"),
        ("tenant_members", "tenant_id", "role = 'admin'"),
        ("tenant_invites", "tenant_id", "revoked_at = now()"),
        ("pipeline_stages", "tenant_id", "name = 'hacked'"),
        ("leads", "tenant_id", "first_name = 'hacked'"),
        ("sessions", "tenant_id", "data = '{}'"),
        ("idempotency_keys", "tenant_id", "response_status = 500"),
        ("handoff_tokens", "tenant_id", "used_at = now()"),
        ("email_verifications", "tenant_id", "used_at = now()"),
        ("tenant_logos", "tenant_id", "etag = 'hacked'"),
        ("password_resets", "tenant_id", "used_at = now()"),
    ] {
        let mut tx = begin_tenant(&pool, a).await.unwrap();
        let updated = sqlx::query(&format!("update {table} set {update} where {column} = $1"))
            .bind(b.0)
            .execute(&mut *tx)
            .await
            .unwrap();
        assert_eq!(
            updated.rows_affected(),
            0,
            "{table}: A changes none of B's rows"
        );
        tx.rollback().await.unwrap();
    }

    for (table, column) in TENANT_OWNED {
        let mut tx = begin_tenant(&pool, a).await.unwrap();
        let deleted = sqlx::query(&format!("delete from {table} where {column} = $1"))
            .bind(b.0)
            .execute(&mut *tx)
            .await;
        match table {
            // Request traffic never deletes these at all.
            "tenants"
            | "tenant_invites"
            | "audit_log"
            | "handoff_tokens"
            | "email_verifications"
            | "password_resets"
            | "lead_counts"
            | "invite_emails" => {
                assert!(deleted.is_err(), "{table}: the server role has no DELETE");
            }
            _ => assert_eq!(
                deleted.unwrap().rows_affected(),
                0,
                "{table}: A deletes none of B's rows"
            ),
        }
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn tenant_a_cannot_write_rows_for_tenant_b() {
    let (test, a, b) = two_tenants().await;
    let pool = single_connection_pool(&test.db).await;
    for insert in [
        "insert into pipeline_stages (tenant_id, name, colour, stage_type, sort_order) values ($1, 'X', '#000000', 'active', 99)",
        "insert into idempotency_keys (tenant_id, key, request_hash, response_status, response_body) values ($1, 'k', '\\x00', 0, 'null')",
        "insert into audit_log (tenant_id, actor, action) values ($1, 'x', 'y')",
        "insert into tenant_logos (tenant_id, png, etag) values ($1, '\\x00', 'e')",
        "insert into invite_emails (tenant_id, email) values ($1, 'x@y.z')",
        "insert into email_outbox (tenant_id, to_address, subject, sealed_body) values ($1, 'x@y.z', 's', '\\x00')",
    ] {
        let mut tx = begin_tenant(&pool, a).await.unwrap();
        let error = sqlx::query(insert)
            .bind(b.0)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        let code = error
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(
            code.as_deref(),
            Some("42501"),
            "{insert}: refused by row-level security"
        );
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn a_lead_cannot_point_at_another_tenants_stage() {
    let (test, a, b) = two_tenants().await;
    let mut tx = begin_tenant(&test.db.app, b).await.unwrap();
    let b_stage = db::stages::first_active(&mut tx).await.unwrap().unwrap();
    tx.rollback().await.unwrap();

    let mut tx = begin_tenant(&test.db.app, a).await.unwrap();
    let lead = domain::lead::parse(&serde_json::json!({ "email": "x@y.test" })).unwrap();
    let error = db::leads::insert(&mut tx, a, b_stage.id, &lead)
        .await
        .unwrap_err();

    assert_eq!(error.constraint(), Some("leads_stage_fkey"));
}

#[tokio::test]
async fn the_tenant_setting_ends_with_its_transaction() {
    let (test, a, _b) = two_tenants().await;
    let pool = single_connection_pool(&test.db).await;
    let mut tx = begin_tenant(&pool, a).await.unwrap();
    let inside: i64 = sqlx::query_scalar("select count(*) from leads")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let after: i64 = sqlx::query_scalar("select count(*) from leads")
        .fetch_one(&pool)
        .await
        .unwrap();

    assert_eq!(inside, 1);
    assert_eq!(after, 0, "the next borrower of the connection sees nothing");
}

#[tokio::test]
async fn the_server_role_can_neither_read_mail_nor_truncate() {
    let (test, a, _b) = two_tenants().await;
    let mut tx = begin_tenant(&test.db.app, a).await.unwrap();
    let read = sqlx::query("select * from email_outbox")
        .execute(&mut *tx)
        .await;
    assert!(
        read.is_err(),
        "the outbox is write-only for request traffic"
    );
    tx.rollback().await.unwrap();

    for (table, _) in TENANT_OWNED {
        let truncate = sqlx::query(&format!("truncate {table}"))
            .execute(&test.db.app)
            .await;
        assert!(
            truncate.is_err(),
            "{table} cannot be truncated by the server role"
        );
    }
}

#[tokio::test]
async fn the_catalog_shows_forced_row_security_and_a_restricted_role() {
    let test = TestDb::new().await;
    for (table, _) in TENANT_OWNED.iter().chain([&("users", "id")]) {
        let (enabled, forced): (bool, bool) = sqlx::query_as(
            "select relrowsecurity, relforcerowsecurity from pg_class where relname = $1",
        )
        .bind(table)
        .fetch_one(&test.db.owner)
        .await
        .unwrap();
        assert!(
            enabled && forced,
            "{table}: row-level security enabled and forced"
        );
        let policies: i64 =
            sqlx::query_scalar("select count(*) from pg_policies where tablename = $1")
                .bind(table)
                .fetch_one(&test.db.owner)
                .await
                .unwrap();
        assert!(policies > 0, "{table} has a policy");
    }
    let (superuser, bypass, owns): (bool, bool, bool) = sqlx::query_as(
        "select rolsuper, rolbypassrls,
                exists (select 1 from pg_class where relowner = r.oid)
         from pg_roles r where rolname = current_user",
    )
    .fetch_one(&test.db.app)
    .await
    .unwrap();
    assert!(!superuser && !bypass && !owns);
}

#[tokio::test]
async fn the_server_role_reads_no_password_hash_attempt_or_private_setting() {
    let (test, a, _b) = two_tenants().await;
    let mut tx = begin_tenant(&test.db.app, a).await.unwrap();
    let names: i64 = sqlx::query_scalar("select count(name) from users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(names > 0, "a member's name is readable");
    tx.rollback().await.unwrap();
    for read in [
        "select password_hash from users",
        "select * from users",
        "select * from password_attempts",
        "select * from hcrm_private.settings",
        "select * from staff_users",
    ] {
        let mut tx = begin_tenant(&test.db.app, a).await.unwrap();
        let error = sqlx::query(read).execute(&mut *tx).await.unwrap_err();
        let code = error
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{read}: permission denied");
        tx.rollback().await.unwrap();
    }
}

/// The login role the first release derived: a SHA-256 of the owner URL's scheme and
/// authority, which anyone who knows the URL (and a URL without a password is all there
/// is with trust or peer authentication) could work out.
fn old_derived_password(owner_url: &str) -> String {
    use sha2::{Digest, Sha256};
    let authority = owner_url
        .split_once("://")
        .map(|(scheme, rest)| {
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            format!("{scheme}://{}", &rest[..end])
        })
        .unwrap_or_default();
    let digest = Sha256::digest(format!("hcrm_app login for {authority}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_request_login_has_a_random_password_of_its_own_database() {
    let one = TestDb::new().await;
    let two = TestDb::new().await;
    let login = |db: &Database| {
        let options = db.app.connect_options();
        options.get_username().to_owned()
    };
    assert_ne!(login(&one.db), login(&two.db), "a login role per database");
    assert!(login(&one.db).starts_with("hcrm_login_"));

    // The old derivation no longer logs anyone in, and hcrm_app itself cannot log in.
    let guessed = (*one.db.owner.connect_options())
        .clone()
        .username("hcrm_app")
        .password(&old_derived_password(&one.owner_url));
    assert!(
        PgPool::connect_with(guessed).await.is_err(),
        "a password anyone could derive opens nothing"
    );
    let (can_login, password): (bool, String) = sqlx::query_as(
        "select r.rolcanlogin, s.value from pg_roles r, hcrm_private.settings s
         where r.rolname = 'hcrm_app' and s.name = 'request_login_password'",
    )
    .fetch_one(&one.db.owner)
    .await
    .unwrap();
    assert!(!can_login);
    assert_eq!(password.len(), 64);
    assert_ne!(password, old_derived_password(&one.owner_url));
}
