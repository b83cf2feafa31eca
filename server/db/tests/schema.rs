//! The migrated schema is ready to be distributed by tenant (`docs/scale.md`): a table with a
//! required `tenant_id` keeps all of one tenant's rows on one shard only if every key that
//! must be unique, and every foreign key to another such table, includes `tenant_id`. A new
//! table or constraint that breaks these rules fails here.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

use db::testing::TestDb;
use sqlx::PgPool;

/// The public tables with a `tenant_id` that cannot be null.
async fn tenant_tables(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "select c.relname::text from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
         where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnotnull
           and not a.attisdropped
         order by 1",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_unique_key_of_a_tenant_table_includes_tenant_id() {
    let test = TestDb::new().await;
    let db = &test.db.owner;

    // Primary keys, unique constraints and unique indexes alike (a unique index is what a
    // constraint is built on, and may stand alone).
    let offenders: Vec<String> = sqlx::query_scalar(
        "select c.relname || ': ' || i.relname
         from pg_index x
         join pg_class c on c.oid = x.indrelid
         join pg_class i on i.oid = x.indexrelid
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute t on t.attrelid = c.oid and t.attname = 'tenant_id' and t.attnotnull
         where n.nspname = 'public' and x.indisunique
           and not (t.attnum = any (x.indkey::smallint[]))
         order by 1",
    )
    .fetch_all(db)
    .await
    .unwrap();

    assert!(
        offenders.is_empty(),
        "unique keys without tenant_id: {offenders:?}"
    );
    let without_primary_key: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute t on t.attrelid = c.oid and t.attname = 'tenant_id' and t.attnotnull
         where n.nspname = 'public' and c.relkind = 'r'
           and not exists (select 1 from pg_index x where x.indrelid = c.oid and x.indisprimary)",
    )
    .fetch_all(db)
    .await
    .unwrap();
    assert!(
        without_primary_key.is_empty(),
        "tenant tables without a primary key: {without_primary_key:?}"
    );
}

#[tokio::test]
async fn foreign_keys_between_tenant_tables_carry_tenant_id_on_both_sides() {
    let test = TestDb::new().await;
    let db = &test.db.owner;

    let offenders: Vec<String> = sqlx::query_scalar(
        "select f.conrelid::regclass || ' -> ' || f.confrelid::regclass || ' (' || f.conname || ')'
         from pg_constraint f
         join pg_attribute src on src.attrelid = f.conrelid and src.attname = 'tenant_id'
                              and src.attnotnull
         join pg_attribute dst on dst.attrelid = f.confrelid and dst.attname = 'tenant_id'
                              and dst.attnotnull
         where f.contype = 'f' and f.connamespace = 'public'::regnamespace
           and not exists (
             select 1 from unnest(f.conkey, f.confkey) as k(src_col, dst_col)
             where k.src_col = src.attnum and k.dst_col = dst.attnum)
         order by 1",
    )
    .fetch_all(db)
    .await
    .unwrap();

    assert!(
        offenders.is_empty(),
        "foreign keys that do not match tenant_id to tenant_id: {offenders:?}"
    );
}

#[tokio::test]
async fn no_table_without_a_required_tenant_id_points_into_a_tenant_table() {
    let test = TestDb::new().await;
    let db = &test.db.owner;

    let offenders: Vec<String> = sqlx::query_scalar(
        "select f.conrelid::regclass || ' -> ' || f.confrelid::regclass || ' (' || f.conname || ')'
         from pg_constraint f
         join pg_attribute dst on dst.attrelid = f.confrelid and dst.attname = 'tenant_id'
                              and dst.attnotnull
         where f.contype = 'f' and f.connamespace = 'public'::regnamespace
           and not exists (
             select 1 from pg_attribute src
             where src.attrelid = f.conrelid and src.attname = 'tenant_id' and src.attnotnull)
         order by 1",
    )
    .fetch_all(db)
    .await
    .unwrap();

    assert!(
        offenders.is_empty(),
        "tables that are not tenant tables pointing into one: {offenders:?}"
    );
}

#[tokio::test]
async fn the_tenant_tables_are_the_ones_docs_scale_md_lists() {
    // docs/scale.md classifies every table; a new tenant table belongs in its list.
    let test = TestDb::new().await;
    let listed = [
        "email_verifications",
        "handoff_tokens",
        "idempotency_keys",
        "invite_emails",
        "lead_counts",
        "leads",
        "password_resets",
        "pipeline_stages",
        "sessions",
        "sso_connections",
        "sso_email_domains",
        "sso_identities",
        "sso_logins",
        "sso_logout_tokens",
        "tenant_invites",
        "tenant_logos",
        "tenant_members",
    ];

    assert_eq!(tenant_tables(&test.db.owner).await, listed);
}
