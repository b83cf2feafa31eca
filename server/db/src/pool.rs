use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{Error, MIGRATOR, TenantId, Tx};

/// The group role that request traffic runs as (granted in the first migration).
const APP_ROLE: &str = "hcrm_app";
/// The group role that the staff console runs as (`docs/console.md`, "Its database role").
const CONSOLE_ROLE: &str = "hcrm_console";

/// The two pools of a running server or CLI.
#[derive(Clone, Debug)]
pub struct Database {
    /// The owner: migrations, the CLI and the background workers. Sees every tenant.
    pub owner: PgPool,
    /// The restricted `hcrm_app` login for request traffic: sees one tenant per transaction.
    pub app: PgPool,
    /// The `hcrm_console` login for the staff console and the CLI's status changes: reads
    /// across tenants, changes statuses and plans, and can read no secret.
    pub console: PgPool,
}

/// How many connections each pool of one instance may hold (`DB_POOL_SIZE` and friends):
/// the defaults let four instances share Postgres's default of 100 connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSizes {
    pub app: u32,
    pub console: u32,
    pub owner: u32,
}

impl Default for PoolSizes {
    fn default() -> PoolSizes {
        PoolSizes {
            app: 16,
            console: 3,
            owner: 4,
        }
    }
}

/// What request traffic's session runs with, set on its login role rather than sent at
/// connection time, so that the server also works through a connection pooler: a stuck
/// query must not hold a connection for ever, and a cancelled `Pool::begin` can hand back
/// a connection with an open transaction (`docs/security.md`, "The database going away").
const REQUEST_SETTINGS: [(&str, &str); 2] = [
    ("statement_timeout", "5s"),
    ("idle_in_transaction_session_timeout", "10s"),
];
/// The console's: its lists may take longer.
const CONSOLE_SETTINGS: [(&str, &str); 2] = [
    ("statement_timeout", "10s"),
    ("idle_in_transaction_session_timeout", "10s"),
];

/// Connects as the owner, applies the migrations, then opens the request pool: as
/// `app_url` when given (a login that is a member of `hcrm_app`), else as this database's
/// own request login (see [`request_login`]).
pub async fn connect(
    owner_url: &str,
    app_url: Option<&str>,
    sizes: PoolSizes,
) -> Result<Database, Error> {
    let owner_options = PgConnectOptions::from_str(owner_url)?.application_name("hcrm-owner");
    // No statement timeout (migrations, bulk seeding), but no transaction may sit idle for
    // ever either: the outbox worker holds one across an SMTP send, well within a minute.
    let owner_pool_options = owner_options
        .clone()
        .options([("idle_in_transaction_session_timeout", "60s")]);
    let owner = PgPoolOptions::new()
        .max_connections(sizes.owner)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(owner_pool_options)
        .await?;
    check_owner(&owner).await?;
    MIGRATOR.run(&owner).await?;

    let app_options = match app_url {
        Some(url) => {
            let options = PgConnectOptions::from_str(url)?;
            set_role_settings(&owner, options.get_username(), &REQUEST_SETTINGS).await?;
            options
        }
        None => database_login(&owner, &owner_options, &REQUEST_LOGIN).await?,
    };
    let app_options = app_options.application_name("hcrm");
    let app = request_pool_options()
        .max_connections(sizes.app)
        .connect_with(app_options)
        .await?;
    check_app_role(&app).await?;
    let console_options = database_login(&owner, &owner_options, &CONSOLE_LOGIN)
        .await?
        .application_name("hcrm-console");
    let console = request_pool_options()
        .max_connections(sizes.console)
        .connect_with(console_options)
        .await?;
    Ok(Database {
        owner,
        app,
        console,
    })
}

/// How long a pooled connection may sit unused before it is checked (a round trip) when
/// taken again.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// The request and console pools: a connection is checked when taken only if it has sat
/// unused for [`CHECK_IDLE_AFTER`] (sqlx checks every one by default: a round trip before
/// each transaction). A busy connection that went stale with a Postgres restart fails its
/// one request with a 503 and is then closed (`docs/scale.md`, "Connections").
fn request_pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(3))
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_IDLE_AFTER {
                    sqlx::Connection::ping(connection).await?;
                }
                Ok(true)
            })
        })
}

/// Begins a transaction on `pool` in which row-level security shows only `tenant`'s rows.
///
/// `set_config(..., true)` is the bindable form of `SET LOCAL`: the setting ends with the
/// transaction and never leaks to the pooled connection's next borrower.
pub async fn begin_tenant(pool: &PgPool, tenant: TenantId) -> Result<Tx, Error> {
    let mut tx = pool.begin().await?;
    set_tenant(&mut tx, tenant).await?;
    Ok(tx)
}

/// Answers whether the database can be reached (the health check).
pub async fn ping(pool: &PgPool) -> Result<(), Error> {
    sqlx::query_scalar!("select 1 as one")
        .fetch_one(pool)
        .await?;
    Ok(())
}

/// Whether every migration this build knows is applied (`/readyz`): an instance of an older
/// build, or one started before the migrations ran, must not take traffic.
pub async fn migrations_applied(owner: &PgPool) -> Result<bool, Error> {
    let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied = sqlx::query_scalar!(
        r#"select exists (select 1 from _sqlx_migrations where version = $1 and success) as "applied!""#,
        newest
    )
    .fetch_one(owner)
    .await?;
    Ok(applied)
}

/// Scopes an open transaction to `tenant` (used when the tenant is created inside it).
pub async fn set_tenant(tx: &mut Tx, tenant: TenantId) -> Result<(), Error> {
    sqlx::query_scalar!(
        "select set_config('app.tenant_id', $1, true)",
        tenant.0.to_string()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(())
}

/// The owner creates tables and runs the cross-tenant definer functions, so it must not
/// be subject to row-level security itself.
async fn check_owner(owner: &PgPool) -> Result<(), Error> {
    let privileged = sqlx::query_scalar!(
        r#"select (rolsuper or rolbypassrls) as "privileged!" from pg_roles where rolname = current_user"#
    )
    .fetch_one(owner)
    .await?;
    if !privileged {
        return Err(Error::Setup(
            "the DATABASE_URL role must be a superuser or have BYPASSRLS".into(),
        ));
    }
    Ok(())
}

/// Request traffic must not be able to step around row-level security (`docs/tenancy.md`, "Two roles").
async fn check_app_role(app: &PgPool) -> Result<(), Error> {
    let row = sqlx::query!(
        r#"
        select r.rolsuper as "superuser!", r.rolbypassrls as "bypass_rls!",
               pg_has_role(current_user, 'hcrm_app', 'usage') as "in_app_role!",
               exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where n.nspname = 'public' and c.relowner = r.oid) as "owns_tables!"
        from pg_roles r where r.rolname = current_user
        "#
    )
    .fetch_one(app)
    .await?;
    if row.superuser || row.bypass_rls || row.owns_tables || !row.in_app_role {
        return Err(Error::Setup(
            "the request login must be a member of hcrm_app, own no tables, and be neither \
             superuser nor BYPASSRLS"
                .into(),
        ));
    }
    Ok(())
}

/// A login role of this database: its name's prefix, where its password is kept, and the
/// group role it is a member of.
struct Login {
    prefix: &'static str,
    password_setting: &'static str,
    group: &'static str,
    settings: &'static [(&'static str, &'static str)],
}

/// Request traffic's login when no `APP_DATABASE_URL` is given.
const REQUEST_LOGIN: Login = Login {
    prefix: "hcrm_login_",
    password_setting: "request_login_password",
    group: APP_ROLE,
    settings: &REQUEST_SETTINGS,
};

/// The staff console's login.
const CONSOLE_LOGIN: Login = Login {
    prefix: "hcrm_console_",
    password_setting: "console_login_password",
    group: CONSOLE_ROLE,
    settings: &CONSOLE_SETTINGS,
};

/// This database's own login for `login`: the role `<prefix><database oid>`, a member of
/// its group role (roles are cluster-wide, so every database of a cluster has its own), with
/// the random password that the migrations drew into `hcrm_private.settings`, a schema
/// only the owner can read. Created, or given its password again, when it cannot log in yet.
async fn database_login(
    owner: &PgPool,
    owner_options: &PgConnectOptions,
    login: &Login,
) -> Result<PgConnectOptions, Error> {
    let (group, settings) = (login.group, login.settings);
    let login = sqlx::query!(
        r#"select $1 || d.oid::text as "role!", s.value as "password!"
           from pg_database d, hcrm_private.settings s
           where d.datname = current_database() and s.name = $2"#,
        login.prefix,
        login.password_setting,
    )
    .fetch_one(owner)
    .await?;
    // Both go into a statement that takes no bind parameters: make sure of their shape.
    let safe = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !safe(&login.role) || !safe(&login.password) {
        return Err(Error::Setup("unexpected request login settings".into()));
    }
    let options = owner_options
        .clone()
        .username(&login.role)
        .password(&login.password);
    let can_log_in = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .is_ok();
    // Instances starting together take turns (a second CREATE ROLE of the same name fails
    // on pg_authid's unique index, not with duplicate_object), and each checks again.
    let mut tx = owner.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(727277)")
        .execute(&mut *tx)
        .await?;
    if !can_log_in {
        let statement = format!(
            "do $$ begin
               create role {role} login password '{password}' in role {group};
             exception when duplicate_object or unique_violation then
               alter role {role} login password '{password}';
             end $$",
            role = login.role,
            password = login.password,
        );
        sqlx::raw_sql(&statement).execute(&mut *tx).await?;
    }
    apply_settings(&mut tx, &login.role, settings).await?;
    tx.commit().await?;
    Ok(options)
}

/// Sets `settings` on the login `role` (its session defaults), under the same lock as the
/// logins are made.
async fn set_role_settings(
    owner: &PgPool,
    role: &str,
    settings: &[(&str, &str)],
) -> Result<(), Error> {
    let mut tx = owner.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(727277)")
        .execute(&mut *tx)
        .await?;
    apply_settings(&mut tx, role, settings).await?;
    tx.commit().await?;
    Ok(())
}

async fn apply_settings(tx: &mut Tx, role: &str, settings: &[(&str, &str)]) -> Result<(), Error> {
    for (name, value) in settings {
        // ALTER ROLE takes no bind parameters: the names are ours, the role is quoted.
        let statement = format!(
            "alter role \"{}\" set {name} = '{value}'",
            role.replace('"', "\"\"")
        );
        sqlx::raw_sql(&statement).execute(&mut **tx).await?;
    }
    Ok(())
}
