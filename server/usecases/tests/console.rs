//! The staff console on a real Postgres: what its own database role may read and change
//! (and the permission errors for everything else), the life cycle's refusals and its
//! emails, a status change clicked twice at once, and the tenant list's search, status
//! filter and keyset pages.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use common::{PASSWORD, count_all, member, platform, provision, tenant, workspace_with_admin};
use db::{
    console::{Page, Sort},
    members::Member,
    sqlx::{self, PgPool},
    tenants::ResolvedTenant,
};
use domain::{Email, Reason, Role, Slug, StatusAction, TenantName, TenantStatus, Token};
use usecases::{
    Actor, Error, Platform,
    change_status::{change_status, delete_tenant},
    console::tenants::{ListQuery, list},
    staff_sign_in::Staff,
};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The SQLSTATE of a failed statement (`None` when it did not fail).
fn sqlstate<T>(result: Result<T, sqlx::Error>) -> Option<String> {
    match result {
        Ok(_) => None,
        Err(e) => Some(
            e.as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.into_owned())
                .unwrap_or_else(|| format!("not a database error: {e}")),
        ),
    }
}

/// Runs `sql` on the console's pool and asserts that Postgres refused it for want of a
/// privilege (`42501 insufficient_privilege`), not for any other reason.
async fn assert_refused(console: &PgPool, sql: &str) {
    let result = sqlx::query(sql).execute(console).await;
    assert_eq!(
        sqlstate(result).as_deref(),
        Some("42501"),
        "{sql}: refused with insufficient_privilege"
    );
}

/// Runs `sql` on the console's pool; how many rows it touched.
async fn console_rows(console: &PgPool, sql: &str) -> u64 {
    sqlx::query(sql)
        .execute(console)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

/// Runs SQL as the owner (arranging a state the product has no door for).
async fn owner_sql(p: &Platform, sql: &str) {
    db::testing::execute(&p.db.owner, sql).await;
}

fn slug(text: &str) -> Slug {
    Slug::parse(text).unwrap()
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn ops() -> Actor {
    Actor::Staff("ops@href.test".into())
}

fn staff() -> Staff {
    Staff {
        id: Uuid::new_v4(),
        email: "ops@href.test".into(),
        two_factor_on: true,
    }
}

/// The status of the tenant at `slug`, as the owner reads it.
async fn status_of(p: &Platform, slug: &str) -> String {
    sqlx::query_scalar("select status from tenants where slug = $1")
        .bind(slug)
        .fetch_one(&p.db.owner)
        .await
        .unwrap()
}

/// Puts the tenant at `slug` in `status` directly.
async fn set_status(p: &Platform, slug: &str, status: TenantStatus) {
    sqlx::query("update tenants set status = $1, status_reason = null where slug = $2")
        .bind(status.as_str())
        .bind(slug)
        .execute(&p.db.owner)
        .await
        .unwrap();
}

/// The token of the newest emailed link to `to` whose path starts with `prefix`.
async fn emailed_token(p: &Platform, to: &str, prefix: &str) -> Token {
    let mail = usecases::outbox::dev_mailbox(p, &Email::parse(to).unwrap())
        .await
        .unwrap();
    let text = mail
        .iter()
        .map(|m| m.text.clone())
        .find(|t| t.contains(prefix))
        .unwrap();
    let start = text.find(prefix).unwrap() + prefix.len();
    Token::parse(text[start..].split_whitespace().next().unwrap()).unwrap()
}

/// Invites `email` into `tenant` with `role` and accepts the invite as a new person.
async fn join(p: &Platform, tenant: &ResolvedTenant, admin: &Member, email: &str, role: Role) {
    let address = Email::parse(email).unwrap();
    usecases::team::invite(p, tenant, admin, &address, role)
        .await
        .unwrap();
    let token = emailed_token(p, email, "/invite/").await;
    usecases::accept_invite::accept(p, tenant, &token, Some("Someone"), PASSWORD.into(), None)
        .await
        .unwrap();
}

/// A workspace `acme` with two admins who accepted their invites, `admin@acme.test` and
/// `bob@acme.test`, and a member `mia@acme.test`.
async fn acme_with_two_admins(p: &Platform) -> ResolvedTenant {
    let acme = workspace_with_admin(p, "acme").await;
    let ada = member(p, &acme, "admin@acme.test").await;
    join(p, &acme, &ada, "bob@acme.test", Role::Admin).await;
    join(p, &acme, &ada, "mia@acme.test", Role::Member).await;
    acme
}

/// One queued email as the owner reads it.
#[derive(Debug)]
struct Queued {
    id: Uuid,
    to_address: String,
    subject: String,
    sealed_body: Option<Vec<u8>>,
}

async fn outbox(p: &Platform) -> Vec<Queued> {
    let rows: Vec<(Uuid, String, String, Option<Vec<u8>>)> = sqlx::query_as(
        "select id, to_address, subject, sealed_body from email_outbox order by to_address, id",
    )
    .fetch_all(&p.db.owner)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, to_address, subject, sealed_body)| Queued {
            id,
            to_address,
            subject,
            sealed_body,
        })
        .collect()
}

/// The emails queued since `before` was read.
async fn queued_since(p: &Platform, before: &[Queued]) -> Vec<Queued> {
    let old: HashSet<Uuid> = before.iter().map(|q| q.id).collect();
    outbox(p)
        .await
        .into_iter()
        .filter(|q| !old.contains(&q.id))
        .collect()
}

/// One audit entry as the owner reads it.
#[derive(Debug, PartialEq, Eq)]
struct AuditEntry {
    actor: String,
    action: String,
    detail: serde_json::Value,
}

async fn audit_of(p: &Platform, tenant: db::TenantId) -> Vec<AuditEntry> {
    let rows: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "select actor, action, detail from audit_log where tenant_id = $1 order by created_at, id",
    )
    .bind(tenant.0)
    .fetch_all(&p.db.owner)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(actor, action, detail)| AuditEntry {
            actor,
            action,
            detail,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The console's database role
// ---------------------------------------------------------------------------------------

/// Two tenants, each with an admin who accepted the invite (so users, members, invites,
/// audit entries and emails exist for both), a session each, and one failed and one sent
/// email.
async fn two_tenants(p: &Platform) -> (ResolvedTenant, ResolvedTenant) {
    let alpha = workspace_with_admin(p, "alpha").await;
    let bravo = workspace_with_admin(p, "bravo").await;
    for tenant in [&alpha, &bravo] {
        sqlx::query(
            "insert into sessions (id_hash, tenant_id, user_id, data, expires_at)
             select sha256(gen_random_uuid()::text::bytea), $1, m.user_id, '{}',
                    now() + interval '1 hour'
             from tenant_members m where m.tenant_id = $1",
        )
        .bind(tenant.id.0)
        .execute(&p.db.owner)
        .await
        .unwrap();
    }
    owner_sql(
        p,
        "update email_outbox set status = 'failed', failed_at = now(), attempts = 10,
                last_error = '550 no'
         where id = (select id from email_outbox order by created_at, id limit 1);
         update email_outbox set status = 'sent', sent_at = now(), sealed_body = null
         where id = (select id from email_outbox where status = 'pending'
                     order by created_at, id limit 1);",
    )
    .await;
    (alpha, bravo)
}

#[tokio::test]
async fn the_console_role_reads_every_tenants_public_columns_with_no_tenant_set() {
    // Arrange
    let (test, p) = platform().await;
    two_tenants(&p).await;
    let console = &p.db.console;

    // Act
    let tenants: Vec<(Uuid, String, String, String, String, Option<i32>)> =
        sqlx::query_as("select id, slug, name, status, plan, max_users from tenants order by slug")
            .fetch_all(console)
            .await
            .unwrap();
    let members: Vec<(Uuid, Uuid, String)> =
        sqlx::query_as("select tenant_id, user_id, role from tenant_members")
            .fetch_all(console)
            .await
            .unwrap();
    let mut emails: Vec<String> = sqlx::query_scalar("select email from users")
        .fetch_all(console)
        .await
        .unwrap();
    emails.sort();
    let audit: i64 = sqlx::query_scalar("select count(*) from (select * from audit_log) a")
        .fetch_one(console)
        .await
        .unwrap();
    let outbox: Vec<(Uuid, String, String)> =
        sqlx::query_as("select id, subject, status from email_outbox")
            .fetch_all(console)
            .await
            .unwrap();
    let invites: i64 = sqlx::query_scalar(
        "select count(*) from (select id, tenant_id, email, role, expires_at, accepted_at,
                                      revoked_at, created_at from tenant_invites) i",
    )
    .fetch_one(console)
    .await
    .unwrap();
    let sessions: i64 = sqlx::query_scalar("select count(tenant_id) from sessions")
        .fetch_one(console)
        .await
        .unwrap();

    // Assert: across both tenants, as the owner counts them.
    let slugs: Vec<&str> = tenants.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(slugs, ["alpha", "bravo"], "both tenants, no tenant set");
    assert_eq!(
        members.len() as i64,
        count_all(&test.db, "tenant_members").await
    );
    assert_eq!(emails, ["admin@alpha.test", "admin@bravo.test"]);
    assert_eq!(audit, count_all(&test.db, "audit_log").await);
    assert!(audit > 0);
    assert_eq!(
        outbox.len() as i64,
        count_all(&test.db, "email_outbox").await
    );
    assert!(outbox.len() >= 2);
    assert_eq!(invites, count_all(&test.db, "tenant_invites").await);
    assert_eq!(sessions, 2, "a session per tenant, by tenant only");
}

#[tokio::test]
async fn the_console_role_changes_statuses_plans_and_seats_of_any_tenant() {
    // Arrange
    let (_test, p) = platform().await;
    two_tenants(&p).await;
    let console = &p.db.console;

    // Act
    let suspended = console_rows(
        console,
        "update tenants set status = 'suspended', status_reason = 'Unpaid invoices',
                updated_at = now() where slug = 'bravo'",
    )
    .await;
    let planned = console_rows(
        console,
        "update tenants set plan = 'starter', max_users = 7 where slug = 'alpha'",
    )
    .await;
    let audited = console_rows(
        console,
        "insert into audit_log (tenant_id, actor, action, detail)
         values (null, 'staff:ops@href.test', 'test.entry', '{}')",
    )
    .await;

    // Assert
    assert_eq!((suspended, planned, audited), (1, 1, 1));
    assert_eq!(status_of(&p, "bravo").await, "suspended");
    let (plan, seats): (String, Option<i32>) =
        sqlx::query_as("select plan, max_users from tenants where slug = 'alpha'")
            .fetch_one(&p.db.owner)
            .await
            .unwrap();
    assert_eq!((plan.as_str(), seats), ("starter", Some(7)));
}

#[tokio::test]
async fn the_console_role_is_refused_every_secret_with_a_permission_error() {
    // Arrange
    let (_test, p) = platform().await;
    two_tenants(&p).await;

    // Act and assert
    for read in [
        "select password_hash from users",
        "select * from users",
        "select api_key_hash from tenants",
        "select old_api_key_hash from tenants",
        "select * from tenants",
        "select token_hash from tenant_invites",
        "select * from tenant_invites",
        "select sealed_body from email_outbox",
        "select * from email_outbox",
        "select * from staff_users",
        "select * from staff_sessions",
        "select * from staff_password_tokens",
        "select * from hcrm_private.settings",
        "select data from sessions",
        "select id_hash from sessions",
        "select * from leads",
        "select * from password_resets",
        "select * from handoff_tokens",
        "select * from email_verifications",
        "select * from password_attempts",
        "select * from idempotency_keys",
        "select png from tenant_logos",
        // The definer functions that read across tenants are request traffic's only.
        "select * from password_setting('admin@alpha.test')",
        "select * from workspaces_for_email('admin@alpha.test')",
        "select * from resolve_tenant('alpha')",
        "select reset_password(sha256('x'::bytea), 'x')",
        "select enqueue_staff_notice('x', sha256('x'::bytea))",
    ] {
        assert_refused(&p.db.console, read).await;
    }
}

#[tokio::test]
async fn the_console_role_can_change_no_schema_no_history_and_no_tenants_data() {
    // Arrange
    let (_test, p) = platform().await;
    let (alpha, _bravo) = two_tenants(&p).await;
    let user: Uuid = sqlx::query_scalar("select id from users where email = 'admin@bravo.test'")
        .fetch_one(&p.db.owner)
        .await
        .unwrap();

    // Act and assert
    for change in [
        "create table x (id int)".to_owned(),
        "create schema x".to_owned(),
        "truncate tenants".to_owned(),
        "truncate audit_log".to_owned(),
        "truncate email_outbox".to_owned(),
        "drop table leads".to_owned(),
        "drop table audit_log".to_owned(),
        "alter table tenants add column x int".to_owned(),
        "alter table tenants disable row level security".to_owned(),
        "drop policy tenants_console_read on tenants".to_owned(),
        "delete from audit_log".to_owned(),
        "update audit_log set actor = 'x'".to_owned(),
        format!(
            "insert into tenant_members (tenant_id, user_id, role) values ('{}', '{user}', 'admin')",
            alpha.id.0
        ),
        "delete from tenant_members".to_owned(),
        "update tenant_members set role = 'admin'".to_owned(),
        "update users set email = 'attacker@evil.test'".to_owned(),
        "update users set password_hash = 'x'".to_owned(),
        "delete from users".to_owned(),
        "update tenants set name = 'Renamed'".to_owned(),
        "update tenants set api_key_hash = sha256('x'::bytea)".to_owned(),
        "update tenant_invites set expires_at = now() + interval '1 year'".to_owned(),
        "delete from leads".to_owned(),
        "update sessions set expires_at = now() + interval '1 year'".to_owned(),
        "insert into staff_users (email) values ('evil@href.test')".to_owned(),
        "update email_outbox set to_address = 'attacker@evil.test'".to_owned(),
        "update email_outbox set subject = 'x'".to_owned(),
        "delete from email_outbox".to_owned(),
        "set role hcrm_app".to_owned(),
    ] {
        assert_refused(&p.db.console, &change).await;
    }
    assert_eq!(
        status_of(&p, "alpha").await,
        "active",
        "nothing above changed anything"
    );
}

#[tokio::test]
async fn the_console_role_can_only_put_a_failed_email_back_in_the_queue() {
    // Arrange: one failed email, one sent, the rest pending.
    let (_test, p) = platform().await;
    two_tenants(&p).await;
    let console = &p.db.console;
    let failed: Uuid = sqlx::query_scalar("select id from email_outbox where status = 'failed'")
        .fetch_one(&p.db.owner)
        .await
        .unwrap();

    // Act and assert: a sent or pending email is out of its reach (no row matches the
    // policy), a failed one cannot be marked sent (the policy's check), only retried.
    assert_eq!(
        console_rows(
            console,
            "update email_outbox set status = 'pending', attempts = 0 where status = 'sent'"
        )
        .await,
        0,
        "a sent email cannot be sent again"
    );
    assert_eq!(
        console_rows(
            console,
            "update email_outbox set next_attempt_at = now() + interval '1 year'
             where status = 'pending'"
        )
        .await,
        0,
        "a pending email cannot be held back"
    );
    assert_refused(
        console,
        &format!("update email_outbox set status = 'sent' where id = '{failed}'"),
    )
    .await;
    assert_eq!(
        console_rows(
            console,
            &format!(
                "update email_outbox set status = 'pending', attempts = 0, failed_at = null,
                        next_attempt_at = now() where id = '{failed}'"
            )
        )
        .await,
        1,
        "Retry"
    );
}

#[tokio::test]
async fn the_console_login_is_in_its_own_group_owns_nothing_and_cannot_bypass_row_security() {
    let (_test, p) = platform().await;
    type Login = (String, bool, bool, bool, bool, bool, bool, bool, bool);
    let (name, superuser, bypass_rls, create_db, create_role, in_console, in_app, owns, group_owns): Login = sqlx::query_as(
        "select r.rolname as name, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
                r.rolcreatedb as create_db, r.rolcreaterole as create_role,
                pg_has_role(current_user, 'hcrm_console', 'member') as in_console,
                pg_has_role(current_user, 'hcrm_app', 'member') as in_app,
                exists (select 1 from pg_class where relowner = r.oid) as owns,
                exists (select 1 from pg_class c join pg_roles g on g.oid = c.relowner
                        where g.rolname = 'hcrm_console') as group_owns
         from pg_roles r where r.rolname = current_user",
    )
    .fetch_one(&p.db.console)
    .await
    .unwrap();
    assert!(name.starts_with("hcrm_console_"), "{name}");
    assert!(!superuser, "not superuser");
    assert!(!bypass_rls, "not BYPASSRLS");
    assert!(!create_db && !create_role);
    assert!(in_console, "a member of hcrm_console");
    assert!(!in_app, "not a member of the request role");
    assert!(!owns && !group_owns, "owns no table");
    let group: (bool, bool, bool) = sqlx::query_as(
        "select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'hcrm_console'",
    )
    .fetch_one(&p.db.owner)
    .await
    .unwrap();
    assert_eq!(
        group,
        (false, false, false),
        "the group role cannot log in itself"
    );
}

// ---------------------------------------------------------------------------------------
// The life cycle
// ---------------------------------------------------------------------------------------

/// What the life cycle allows (`docs/product.md`, "Life cycle"); everything else is refused.
const ALLOWED: [(TenantStatus, StatusAction); 4] = [
    (TenantStatus::Pending, StatusAction::Approve),
    (TenantStatus::Pending, StatusAction::Reject),
    (TenantStatus::Active, StatusAction::Suspend),
    (TenantStatus::Suspended, StatusAction::Reactivate),
];

#[tokio::test]
async fn every_transition_the_life_cycle_forbids_is_refused_and_changes_nothing() {
    // Arrange
    let (test, p) = platform().await;
    provision(&p, "acme").await;
    let forbidden: Vec<(TenantStatus, StatusAction)> = TenantStatus::ALL
        .into_iter()
        .flat_map(|s| StatusAction::ALL.into_iter().map(move |a| (s, a)))
        .filter(|pair| !ALLOWED.contains(pair))
        .collect();
    assert_eq!(forbidden.len(), 12);

    for (from, action) in forbidden {
        set_status(&p, "acme", from).await;
        let audit_before = count_all(&test.db, "audit_log").await;
        let emails_before = count_all(&test.db, "email_outbox").await;

        // Act: with a reason, so that only the transition can be what is wrong.
        let refused = change_status(
            &p,
            &slug("acme"),
            action,
            Some(&reason("Staff reviewed it")),
            &ops(),
        )
        .await;

        // Assert
        assert!(
            matches!(
                &refused,
                Err(Error::Conflict {
                    code: "transition_not_allowed",
                    ..
                })
            ),
            "{action:?} from {from:?}: {refused:?}"
        );
        assert_eq!(
            status_of(&p, "acme").await,
            from.as_str(),
            "{action:?} from {from:?}"
        );
        assert_eq!(
            count_all(&test.db, "audit_log").await,
            audit_before,
            "no audit entry"
        );
        assert_eq!(
            count_all(&test.db, "email_outbox").await,
            emails_before,
            "no email"
        );
    }
}

#[tokio::test]
async fn rejecting_or_suspending_without_a_reason_is_refused_by_its_field() {
    // Arrange
    let (test, p) = platform().await;
    provision(&p, "acme").await;

    for (from, action) in [
        (TenantStatus::Pending, StatusAction::Reject),
        (TenantStatus::Active, StatusAction::Suspend),
    ] {
        set_status(&p, "acme", from).await;
        let audit_before = count_all(&test.db, "audit_log").await;
        let emails_before = count_all(&test.db, "email_outbox").await;

        // Act
        let refused = change_status(&p, &slug("acme"), action, None, &ops()).await;

        // Assert
        let error = refused.unwrap_err();
        assert!(matches!(error, Error::Invalid { .. }), "{error:?}");
        assert!(error.field_message("reason").is_some(), "{error:?}");
        assert_eq!(status_of(&p, "acme").await, from.as_str());
        assert_eq!(count_all(&test.db, "audit_log").await, audit_before);
        assert_eq!(count_all(&test.db, "email_outbox").await, emails_before);
    }
}

#[tokio::test]
async fn an_unknown_subdomain_cannot_be_deleted_or_changed() {
    let (test, p) = platform().await;
    provision(&p, "acme").await;
    let audit_before = count_all(&test.db, "audit_log").await;

    let deleted = delete_tenant(&p, &slug("nobody"), &ops()).await;
    let approved = change_status(&p, &slug("nobody"), StatusAction::Approve, None, &ops()).await;

    assert!(matches!(deleted, Err(Error::NotFound(_))), "{deleted:?}");
    assert!(matches!(approved, Err(Error::NotFound(_))), "{approved:?}");
    assert_eq!(count_all(&test.db, "audit_log").await, audit_before);
    assert_eq!(count_all(&test.db, "tenants").await, 1);
}

#[tokio::test]
async fn each_allowed_transition_is_audited_once_and_emails_each_admin_once() {
    // Arrange: two admins and a member.
    let (_test, p) = platform().await;
    let acme = acme_with_two_admins(&p).await;
    let cases = [
        (
            TenantStatus::Pending,
            StatusAction::Approve,
            None,
            "acme Ltd is approved",
        ),
        (
            TenantStatus::Pending,
            StatusAction::Reject,
            Some("Incomplete business details"),
            "Your acme Ltd signup was not approved",
        ),
        (
            TenantStatus::Active,
            StatusAction::Suspend,
            Some("Unpaid invoices since March"),
            "acme Ltd is suspended",
        ),
        (
            TenantStatus::Suspended,
            StatusAction::Reactivate,
            None,
            "acme Ltd is active again",
        ),
    ];

    for (from, action, why, subject) in cases {
        set_status(&p, "acme", from).await;
        let audit_before = audit_of(&p, acme.id).await;
        let emails_before = outbox(&p).await;
        let why = why.map(reason);

        // Act
        let changed = change_status(&p, &slug("acme"), action, why.as_ref(), &ops())
            .await
            .unwrap();

        // Assert: the status and its reason.
        let to = from.apply(action).unwrap();
        assert_eq!((changed.from, changed.to), (from, to));
        assert_eq!(status_of(&p, "acme").await, to.as_str());
        let kept: Option<String> =
            sqlx::query_scalar("select status_reason from tenants where slug = 'acme'")
                .fetch_one(&p.db.owner)
                .await
                .unwrap();
        assert_eq!(kept.as_deref(), why.as_ref().map(Reason::as_str));

        // One audit entry, by the staff member.
        let audit = audit_of(&p, acme.id).await;
        assert_eq!(audit.len(), audit_before.len() + 1, "{action:?}: one entry");
        let entry = audit.last().unwrap();
        assert_eq!(entry.actor, "staff:ops@href.test");
        assert_eq!(entry.action, format!("tenant.{}", action.as_str()));
        assert_eq!(entry.detail["from"], from.as_str());
        assert_eq!(entry.detail["to"], to.as_str());

        // One email per admin (none to the member), naming the workspace.
        let queued = queued_since(&p, &emails_before).await;
        let to_addresses: Vec<&str> = queued.iter().map(|q| q.to_address.as_str()).collect();
        assert_eq!(
            to_addresses,
            ["admin@acme.test", "bob@acme.test"],
            "{action:?}"
        );
        for email in &queued {
            assert_eq!(email.subject, subject);
            assert!(email.subject.contains("acme Ltd"));
            let body = p
                .sealing_key
                .open(email.sealed_body.as_deref().unwrap())
                .unwrap();
            if let Some(why) = &why {
                assert!(body.text.contains(why.as_str()), "{}", body.text);
                assert!(body.html.contains(why.as_str()), "{}", body.html);
            }
        }
    }
}

#[tokio::test]
async fn suspending_ends_the_workspaces_sessions() {
    let (test, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    sqlx::query(
        "insert into sessions (id_hash, tenant_id, user_id, data, expires_at)
         select sha256(gen_random_uuid()::text::bytea), $1, m.user_id, '{}',
                now() + interval '1 hour'
         from tenant_members m where m.tenant_id = $1",
    )
    .bind(acme.id.0)
    .execute(&p.db.owner)
    .await
    .unwrap();

    let changed = change_status(
        &p,
        &slug("acme"),
        StatusAction::Suspend,
        Some(&reason("Unpaid invoices")),
        &ops(),
    )
    .await
    .unwrap();

    assert_eq!(changed.sessions_ended, 1);
    assert_eq!(count_all(&test.db, "sessions").await, 0);
}

#[tokio::test]
async fn approving_twice_at_once_changes_the_status_once_and_sends_one_email() {
    // Arrange
    let (test, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    set_status(&p, "acme", TenantStatus::Pending).await;
    let emails_before = outbox(&p).await;
    let audit_before = audit_of(&p, acme.id).await.len();

    // Act
    let (acme_slug, actor) = (slug("acme"), ops());
    let (one, two) = tokio::join!(
        change_status(&p, &acme_slug, StatusAction::Approve, None, &actor),
        change_status(&p, &acme_slug, StatusAction::Approve, None, &actor),
    );

    // Assert
    let results = [one, two];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.iter().any(|r| matches!(
            r,
            Err(Error::Conflict {
                code: "transition_not_allowed",
                ..
            })
        )),
        "the second hears why not: {results:?}"
    );
    assert_eq!(status_of(&p, "acme").await, "active");
    let audit = audit_of(&p, acme.id).await;
    assert_eq!(audit.len(), audit_before + 1);
    let queued = queued_since(&p, &emails_before).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].subject, "acme Ltd is approved");
    assert_eq!(
        count_all(&test.db, "audit_log where action = 'tenant.approve'").await,
        1
    );
}

#[tokio::test]
async fn deleting_keeps_the_audit_and_quarantines_the_subdomain_even_a_second_time() {
    // Arrange
    let (test, p) = platform().await;
    let first = provision(&p, "acme").await;

    // Act
    let deleted = delete_tenant(&p, &slug("acme"), &ops()).await.unwrap();

    // Assert
    assert_eq!(deleted.id, first.tenant_id);
    assert_eq!(count_all(&test.db, "tenants").await, 0);
    assert_eq!(
        count_all(
            &test.db,
            "audit_log where action = 'tenant.deleted' and actor = 'staff:ops@href.test'"
        )
        .await,
        1
    );
    assert_eq!(
        count_all(
            &test.db,
            "slug_quarantine where slug = 'acme' and released_at > now()"
        )
        .await,
        1
    );

    // Once the quarantine is over the subdomain can be given again, and deleted again.
    owner_sql(
        &p,
        "update slug_quarantine set released_at = now() - interval '1 day'",
    )
    .await;
    let second = provision(&p, "acme").await;
    delete_tenant(&p, &slug("acme"), &ops()).await.unwrap();
    let quarantined: (Uuid, bool) = sqlx::query_as(
        "select former_tenant_id, released_at > now() from slug_quarantine where slug = 'acme'",
    )
    .fetch_one(&p.db.owner)
    .await
    .unwrap();
    assert_eq!(quarantined, (second.tenant_id.0, true));
}

// ---------------------------------------------------------------------------------------
// The tenant list
// ---------------------------------------------------------------------------------------

fn search(text: &str) -> ListQuery {
    ListQuery {
        search: text.into(),
        ..ListQuery::default()
    }
}

async fn slugs_found(p: &Platform, query: &ListQuery) -> Vec<String> {
    let mut slugs: Vec<String> = list(p, &staff(), query)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.slug)
        .collect();
    slugs.sort();
    slugs
}

#[tokio::test]
async fn the_tenant_list_finds_a_tenant_by_subdomain_name_in_any_case_or_admin_email() {
    // Arrange
    let (_test, p) = platform().await;
    // An admin who joined (a member) with an email unlike the subdomain.
    let zebra = usecases::provision::provision(
        &p,
        slug("zebra-secret"),
        TenantName::parse("Zebra Secret Holdings").unwrap(),
        Email::parse("ceo@stripes.example").unwrap(),
        &Actor::Cli,
    )
    .await
    .unwrap();
    let zebra_tenant = tenant(&p, "zebra-secret").await;
    usecases::accept_invite::accept(
        &p,
        &zebra_tenant,
        &zebra.admin_invite.unwrap(),
        Some("Zed"),
        PASSWORD.into(),
        None,
    )
    .await
    .unwrap();
    // An admin still invited only.
    usecases::provision::provision(
        &p,
        slug("bravo"),
        TenantName::parse("Quiet Harbour Dental").unwrap(),
        Email::parse("owner@harbour-mail.example").unwrap(),
        &Actor::Cli,
    )
    .await
    .unwrap();
    // A member (not an admin) whose email must not find the workspace.
    let acme = workspace_with_admin(&p, "acme").await;
    let ada = member(&p, &acme, "admin@acme.test").await;
    join(
        &p,
        &acme,
        &ada,
        "someone@hidden-member.example",
        Role::Member,
    )
    .await;

    // Act and assert
    assert_eq!(
        slugs_found(&p, &search("")).await,
        ["acme", "bravo", "zebra-secret"]
    );
    assert_eq!(
        slugs_found(&p, &search("zebra-sec")).await,
        ["zebra-secret"],
        "subdomain"
    );
    assert_eq!(
        slugs_found(&p, &search("  BRAV ")).await,
        ["bravo"],
        "subdomain, any case"
    );
    assert_eq!(
        slugs_found(&p, &search("HARBOUR dental")).await,
        ["bravo"],
        "name"
    );
    assert_eq!(
        slugs_found(&p, &search("secret holdings")).await,
        ["zebra-secret"]
    );
    assert_eq!(
        slugs_found(&p, &search("stripes.EXAMPLE")).await,
        ["zebra-secret"],
        "a joined admin's email"
    );
    assert_eq!(
        slugs_found(&p, &search("owner@harbour-mail")).await,
        ["bravo"],
        "an invited admin's email"
    );
    assert!(
        slugs_found(&p, &search("hidden-member")).await.is_empty(),
        "a member's email does not find the workspace"
    );
    assert!(
        slugs_found(&p, &search("%")).await.is_empty(),
        "% is taken literally"
    );
    assert!(
        slugs_found(&p, &search("_")).await.is_empty(),
        "_ is taken literally"
    );
    assert!(
        slugs_found(&p, &search("nothing-like-this"))
            .await
            .is_empty()
    );

    // The status filter, alone and with a search.
    set_status(&p, "bravo", TenantStatus::Suspended).await;
    set_status(&p, "zebra-secret", TenantStatus::Pending).await;
    let suspended = ListQuery {
        status: Some(TenantStatus::Suspended),
        ..ListQuery::default()
    };
    assert_eq!(slugs_found(&p, &suspended).await, ["bravo"]);
    let active = ListQuery {
        status: Some(TenantStatus::Active),
        ..ListQuery::default()
    };
    assert_eq!(slugs_found(&p, &active).await, ["acme"]);
    let pending_zebra = ListQuery {
        search: "zebra".into(),
        status: Some(TenantStatus::Pending),
        ..ListQuery::default()
    };
    assert_eq!(slugs_found(&p, &pending_zebra).await, ["zebra-secret"]);
    let active_zebra = ListQuery {
        search: "zebra".into(),
        status: Some(TenantStatus::Active),
        ..ListQuery::default()
    };
    assert!(slugs_found(&p, &active_zebra).await.is_empty());

    // The counts follow the search, whatever the status filter.
    let all = list(&p, &staff(), &suspended).await.unwrap();
    assert_eq!(all.total, 3);
    let count = |status| all.counts.iter().find(|(s, _)| *s == status).unwrap().1;
    assert_eq!(
        [
            count(TenantStatus::Pending),
            count(TenantStatus::Active),
            count(TenantStatus::Suspended),
            count(TenantStatus::Rejected)
        ],
        [1, 1, 1, 0]
    );
    assert_eq!(all.queue.pending, 1);
    assert_eq!(all.queue.oldest[0].slug, "zebra-secret");
    assert_eq!(
        all.queue.oldest[0].admin_email.as_deref(),
        Some("ceo@stripes.example")
    );
    let row = &list(&p, &staff(), &search("stripes")).await.unwrap().rows[0];
    assert_eq!(
        (row.name.as_str(), row.admin_email.as_deref(), row.members),
        ("Zebra Secret Holdings", Some("ceo@stripes.example"), 1)
    );
}

/// Every page from the first, following Next.
async fn pages_forward(p: &Platform, query: &ListQuery) -> Vec<Vec<String>> {
    let mut query = ListQuery {
        page: Page::First,
        ..query.clone()
    };
    let mut pages = Vec::new();
    loop {
        let page = list(p, &staff(), &query).await.unwrap();
        pages.push(page.rows.iter().map(|r| r.slug.clone()).collect());
        if pages.len() == 1 {
            assert!(page.previous.is_none(), "the first page has no Previous");
        } else {
            assert!(
                page.previous.is_some(),
                "page {} has a Previous",
                pages.len()
            );
        }
        match page.next {
            Some(next) => query.page = usecases::console::page(Some(&next), None),
            None => break,
        }
        assert!(pages.len() < 20, "the pages end");
    }
    pages
}

/// From the last page back to the first, following Previous; in the order read.
async fn pages_back(p: &Platform, query: &ListQuery, forward: usize) -> Vec<Vec<String>> {
    // The last page, reached again forward.
    let mut query = ListQuery {
        page: Page::First,
        ..query.clone()
    };
    for _ in 1..forward {
        let next = list(p, &staff(), &query).await.unwrap().next.unwrap();
        query.page = usecases::console::page(Some(&next), None);
    }
    let mut pages = Vec::new();
    loop {
        let page = list(p, &staff(), &query).await.unwrap();
        pages.push(page.rows.iter().map(|r| r.slug.clone()).collect());
        assert!(
            page.next.is_some() || pages.len() == 1,
            "a page read back has a Next"
        );
        match page.previous {
            Some(previous) => query.page = usecases::console::page(None, Some(&previous)),
            None => break,
        }
        assert!(pages.len() < 20, "the pages end");
    }
    pages.reverse();
    pages
}

#[tokio::test]
async fn keyset_pages_show_every_tenant_once_in_order_and_previous_returns_the_page_before() {
    // Arrange: 120 tenants, many sharing a creation time or a name, so that the id
    // decides between them.
    let (_test, p) = platform().await;
    assert_eq!(
        db::seed::tenants(&p.db.owner, 120, "page").await.unwrap(),
        120
    );
    owner_sql(
        &p,
        "update tenants set created_at = timestamptz '2026-11-01 10:00:00+00'
                                        + (abs(hashtext(id::text)) % 4) * interval '1 second';
         update tenants set name = 'Same Name Ltd' where abs(hashtext(slug)) % 3 = 0;",
    )
    .await;

    for (sort, order, status) in [
        (Sort::Newest, "created_at desc, id desc", None),
        (Sort::Oldest, "created_at, id", None),
        (Sort::Name, "name, id", None),
        (
            Sort::Newest,
            "created_at desc, id desc",
            Some(TenantStatus::Active),
        ),
        (Sort::Name, "name, id", Some(TenantStatus::Active)),
    ] {
        let query = ListQuery {
            sort,
            status,
            ..ListQuery::default()
        };
        let expected: Vec<String> = sqlx::query_scalar(&format!(
            "select slug from tenants where $1::text is null or status = $1 order by {order}"
        ))
        .bind(status.map(TenantStatus::as_str))
        .fetch_all(&p.db.owner)
        .await
        .unwrap();

        // Act
        let forward = pages_forward(&p, &query).await;
        let back = pages_back(&p, &query, forward.len()).await;

        // Assert: pages of 50, every tenant once, in the order of the sort.
        let sizes: Vec<usize> = forward.iter().map(Vec::len).collect();
        let want: Vec<usize> = expected.chunks(50).map(<[String]>::len).collect();
        assert_eq!(sizes, want, "{sort:?} {status:?}");
        let all: Vec<String> = forward.concat();
        assert_eq!(
            all, expected,
            "{sort:?} {status:?}: none twice, none skipped"
        );
        let unique: HashSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        assert_eq!(
            back, forward,
            "{sort:?} {status:?}: Previous gives the same pages"
        );
    }

    // Next then Previous is the first page again, with the first page's links.
    let first = list(&p, &staff(), &ListQuery::default()).await.unwrap();
    let second = list(
        &p,
        &staff(),
        &ListQuery {
            page: usecases::console::page(first.next.as_deref(), None),
            ..ListQuery::default()
        },
    )
    .await
    .unwrap();
    let again = list(
        &p,
        &staff(),
        &ListQuery {
            page: usecases::console::page(None, second.previous.as_deref()),
            ..ListQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(again.rows, first.rows);
    assert_eq!(again.previous, None, "back on the first page: no Previous");
    assert_eq!(again.next, first.next);
}

/// A staff account with `STAFF_PASSWORD` (create-staff, then its link).
async fn staff_account(p: &Platform, email: &str) -> Email {
    let email = Email::parse(email).unwrap();
    let (_, token) = usecases::staff_accounts::create_staff(p, &email, &Actor::Cli)
        .await
        .unwrap();
    usecases::staff_accounts::set_password(p, &token, STAFF_PASSWORD.into())
        .await
        .unwrap();
    email
}

const STAFF_PASSWORD: &str = "quiet harbour lantern";

#[tokio::test]
async fn staff_sign_in_refuses_tenant_accounts_alike_and_locks_an_account_after_its_failures() {
    let (_db, p) = platform().await;
    workspace_with_admin(&p, "acme").await;
    let staff = staff_account(&p, "ops@href.test").await;
    let client = Some("203.0.113.9".parse::<std::net::IpAddr>().unwrap());
    use usecases::staff_sign_in::{NO_MATCH, sign_in};

    // A tenant admin's own email and password: the wrong-password answer.
    let tenant_admin = Email::parse("admin@acme.test").unwrap();
    let refused = sign_in(&p, &tenant_admin, PASSWORD, None, client)
        .await
        .unwrap_err();
    assert_eq!(refused.field_message("password"), Some(NO_MATCH));
    let wrong = sign_in(&p, &staff, "not the password", None, client)
        .await
        .unwrap_err();
    assert_eq!(wrong.field_message("password"), Some(NO_MATCH));

    // The right password works, and forgets the failures.
    let started = sign_in(&p, &staff, STAFF_PASSWORD, None, client)
        .await
        .unwrap();
    assert!(!started.needs_code);
    assert!(matches!(
        usecases::staff_sign_in::current(&p, &started.cookie)
            .await
            .unwrap(),
        Some(usecases::staff_sign_in::Current::SignedIn(_))
    ));

    // Ten failures (the login limit) lock the account, even against the right password.
    for _ in 0..10 {
        let e = sign_in(&p, &staff, "not the password", None, client)
            .await
            .unwrap_err();
        assert_eq!(e.field_message("password"), Some(NO_MATCH));
    }
    let locked = sign_in(&p, &staff, STAFF_PASSWORD, None, client)
        .await
        .unwrap_err();
    assert!(matches!(locked, Error::RateLimited { .. }), "{locked:?}");
    // Another account from the same network is not locked by them.
    let other = staff_account(&p, "ops2@href.test").await;
    sign_in(&p, &other, STAFF_PASSWORD, None, client)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_network_that_fails_across_many_accounts_is_stopped_too() {
    let (_db, p) = platform().await;
    let client = Some("198.51.100.7".parse::<std::net::IpAddr>().unwrap());
    // Five times the per-account limit, spread over accounts that do not exist.
    for i in 0..50 {
        let email = Email::parse(&format!("guess{i}@href.test")).unwrap();
        let e = usecases::staff_sign_in::sign_in(&p, &email, "password123", None, client)
            .await
            .unwrap_err();
        assert!(e.field_message("password").is_some(), "{e:?}");
    }
    let staff = staff_account(&p, "ops@href.test").await;
    let stopped = usecases::staff_sign_in::sign_in(&p, &staff, STAFF_PASSWORD, None, client)
        .await
        .unwrap_err();
    assert!(matches!(stopped, Error::RateLimited { .. }), "{stopped:?}");
    // From elsewhere, the account signs in.
    usecases::staff_sign_in::sign_in(
        &p,
        &staff,
        STAFF_PASSWORD,
        None,
        Some("192.0.2.1".parse().unwrap()),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn two_factor_turns_on_with_a_code_and_then_each_code_signs_in_once() {
    use domain::console::TwoFactor;
    use totp_rs::{Algorithm, Secret, TOTP};
    use usecases::staff_sign_in::{Current, current, enter_code, sign_in};
    use usecases::two_factor;

    let (_db, p) = platform().await;
    let email = staff_account(&p, "ops@href.test").await;
    let started = sign_in(&p, &email, STAFF_PASSWORD, None, None)
        .await
        .unwrap();
    let Some(Current::SignedIn(staff)) = current(&p, &started.cookie).await.unwrap() else {
        panic!("signed in");
    };
    let TwoFactor::SettingUp { secret, qr_svg } =
        two_factor::account(&p, &staff).await.unwrap().two_factor
    else {
        panic!("two-factor is off at first");
    };
    assert!(qr_svg.starts_with("<?xml") || qr_svg.contains("<svg"));
    // A reload shows the same secret while it is being set up.
    let again = two_factor::account(&p, &staff).await.unwrap().two_factor;
    assert_eq!(
        again,
        TwoFactor::SettingUp {
            secret: secret.clone(),
            qr_svg
        }
    );

    let bytes = Secret::Encoded(secret).to_bytes().unwrap();
    let totp = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        "ops@href.test".into(),
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let wrong = two_factor::turn_on(&p, &staff, "000000").await;
    if totp.generate(now) != "000000" {
        assert!(wrong.unwrap_err().field_message("code").is_some());
    }
    two_factor::turn_on(&p, &staff, &totp.generate(now))
        .await
        .unwrap();
    assert_eq!(
        two_factor::account(&p, &staff).await.unwrap().two_factor,
        TwoFactor::On
    );

    // Now the password alone opens nothing: the session waits for its code.
    let half = sign_in(&p, &email, STAFF_PASSWORD, None, None)
        .await
        .unwrap();
    assert!(half.needs_code);
    assert!(matches!(
        current(&p, &half.cookie).await.unwrap(),
        Some(Current::NeedsCode(_))
    ));
    // The code that turned it on was spent.
    let reused = enter_code(&p, &half.cookie, &totp.generate(now))
        .await
        .unwrap_err();
    assert!(reused.field_message("code").is_some(), "{reused:?}");
    // The next step's code signs in, with a new cookie; the half-made session is gone.
    let next = totp.generate(now + 30);
    let signed_in = enter_code(&p, &half.cookie, &next).await.unwrap();
    assert!(current(&p, &half.cookie).await.unwrap().is_none());
    assert!(matches!(
        current(&p, &signed_in).await.unwrap(),
        Some(Current::SignedIn(_))
    ));
    // That code cannot sign in a second time.
    let other = sign_in(&p, &email, STAFF_PASSWORD, None, None)
        .await
        .unwrap();
    assert!(enter_code(&p, &other.cookie, &next).await.is_err());
}

#[tokio::test]
async fn changing_the_staff_password_ends_the_other_sessions_only() {
    use usecases::staff_sign_in::{Current, current, sign_in};

    let (_db, p) = platform().await;
    let email = staff_account(&p, "ops@href.test").await;
    let here = sign_in(&p, &email, STAFF_PASSWORD, None, None)
        .await
        .unwrap()
        .cookie;
    let elsewhere = sign_in(&p, &email, STAFF_PASSWORD, None, None)
        .await
        .unwrap()
        .cookie;
    let Some(Current::SignedIn(staff)) = current(&p, &here).await.unwrap() else {
        panic!("signed in");
    };
    let wrong = usecases::staff_accounts::change_password(
        &p,
        &staff,
        &here,
        "nope nope",
        "brisk meadow compass".into(),
    )
    .await
    .unwrap_err();
    assert!(wrong.field_message("current_password").is_some());
    let ended = usecases::staff_accounts::change_password(
        &p,
        &staff,
        &here,
        STAFF_PASSWORD,
        "brisk meadow compass".into(),
    )
    .await
    .unwrap();
    assert_eq!(ended, 1);
    assert!(current(&p, &here).await.unwrap().is_some());
    assert!(current(&p, &elsewhere).await.unwrap().is_none());
    assert!(
        sign_in(&p, &email, "brisk meadow compass", None, None)
            .await
            .is_ok()
    );
}
