//! The staff CLI, `cargo hcrm <command>` (SPEC, "Provisioning"). It reaches the same
//! database as the server: `DATABASE_URL`, else the embedded cluster (started if needed,
//! and stopped again afterwards unless the server is using it).
//!
//! Bad arguments (clap's or ours) exit with status 2 after a one-line error, having
//! written nothing; a failure of the database exits with 1.

use std::{fmt::Write as _, process::ExitCode};

use clap::{Parser, Subcommand};
use db::{
    Database, Tx, audit,
    provisioning::{FirstAdmin, NewTenant, ProvisionError, provision_tenant},
    tenants::{self, ResolvedTenant},
};
use domain::{ApiKey, Email, Links, Slug, StatusAction, TenantName, TenantStatus};
use serde_json::json;

use crate::{config::Config, database::DatabaseHandle};

/// Days a deleted tenant's subdomain stays unavailable (SPEC, "Tenant life cycle").
pub const QUARANTINE_DAYS: i32 = 30;

#[derive(Debug, Parser)]
#[command(name = "hcrm", about = "HREF CRM staff commands", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an active tenant with the default pipeline and an admin invite.
    ProvisionTenant {
        /// The subdomain, e.g. acme.
        #[arg(allow_hyphen_values = true)]
        slug: String,
        /// The display name, e.g. "Acme Family Law".
        #[arg(allow_hyphen_values = true)]
        name: String,
        /// Who receives the first admin invite.
        #[arg(allow_hyphen_values = true)]
        admin_email: String,
    },
    /// Approve a pending tenant: its splash goes live.
    Approve { slug: String },
    /// Reject a pending tenant's signup.
    Reject {
        slug: String,
        #[arg(long)]
        reason: String,
    },
    /// Suspend an active tenant: sign-in, sessions and intake stop; no data is removed.
    Suspend {
        slug: String,
        #[arg(long)]
        reason: String,
    },
    /// Reactivate a suspended tenant.
    Reactivate { slug: String },
    /// Delete a tenant and all its data; its subdomain is quarantined for 30 days.
    DeleteTenant {
        slug: String,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
    /// Replace a tenant's API key; the old key stops working at once.
    RotateKey { slug: String },
    /// Create an HREF staff account and print a one-time link to set its password.
    CreateStaff { email: String },
}

/// Why a command did not complete.
#[derive(Debug)]
pub enum CliError {
    /// The arguments are wrong: exit 2, nothing written.
    Usage(String),
    /// Something failed underneath: exit 1.
    Failed(String),
}

impl From<db::Error> for CliError {
    fn from(e: db::Error) -> Self {
        CliError::Failed(format!("{e:?}"))
    }
}

/// Parses the command line, runs the command, prints its result.
pub async fn run() -> ExitCode {
    crate::telemetry::init(crate::telemetry::CLI_LOG);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print in full; mistakes get one line (SPEC).
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("{} (see hcrm --help)", first.trim());
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => return fail(CliError::Usage(message)),
    };
    // Validate before touching the database, so a typo costs no start-up.
    if let Err(e) = validate(&cli.command) {
        return fail(e);
    }
    let database = match DatabaseHandle::open(&config).await {
        Ok(database) => database,
        Err(message) => return fail(CliError::Failed(message)),
    };
    let result = execute(&cli.command, &database.db, &config.links()).await;
    database.close().await;
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn fail(error: CliError) -> ExitCode {
    match error {
        CliError::Usage(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        CliError::Failed(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the arguments' shape without the database.
pub fn validate(command: &Command) -> Result<(), CliError> {
    let usage = |e: &dyn std::fmt::Display, what: &str| CliError::Usage(format!("{what}: {e}"));
    match command {
        Command::ProvisionTenant {
            slug,
            name,
            admin_email,
        } => {
            Slug::parse(slug).map_err(|e| usage(&e, "invalid slug"))?;
            TenantName::parse(name).map_err(|e| usage(&e, "invalid name"))?;
            Email::parse(admin_email).map_err(|e| usage(&e, "invalid admin email"))?;
        }
        Command::Reject { reason, .. } | Command::Suspend { reason, .. }
            if reason.trim().is_empty() =>
        {
            return Err(CliError::Usage("--reason must not be empty".into()));
        }
        Command::DeleteTenant { slug, yes: false } => {
            return Err(CliError::Usage(format!(
                "deleting {slug} removes all its data; run again with --yes to confirm"
            )));
        }
        Command::CreateStaff { email } => {
            Email::parse(email).map_err(|e| usage(&e, "invalid email"))?;
        }
        _ => {}
    }
    Ok(())
}

/// Runs a validated command and returns what to print.
pub async fn execute(command: &Command, db: &Database, links: &Links) -> Result<String, CliError> {
    match command {
        Command::ProvisionTenant {
            slug,
            name,
            admin_email,
        } => provision(db, links, slug, name, admin_email).await,
        Command::Approve { slug } => {
            change_status(db, links, slug, StatusAction::Approve, None).await
        }
        Command::Reject { slug, reason } => {
            change_status(db, links, slug, StatusAction::Reject, Some(reason)).await
        }
        Command::Suspend { slug, reason } => {
            change_status(db, links, slug, StatusAction::Suspend, Some(reason)).await
        }
        Command::Reactivate { slug } => {
            change_status(db, links, slug, StatusAction::Reactivate, None).await
        }
        Command::DeleteTenant { slug, .. } => delete(db, slug).await,
        Command::RotateKey { slug } => rotate_key(db, slug).await,
        Command::CreateStaff { email } => create_staff(db, links, email).await,
    }
}

async fn provision(
    db: &Database,
    links: &Links,
    slug: &str,
    name: &str,
    admin_email: &str,
) -> Result<String, CliError> {
    let new = NewTenant {
        slug: Slug::parse(slug).map_err(|e| CliError::Usage(format!("invalid slug: {e}")))?,
        name: TenantName::parse(name).map_err(|e| CliError::Usage(format!("invalid name: {e}")))?,
        status: TenantStatus::Active,
    };
    let email = Email::parse(admin_email)
        .map_err(|e| CliError::Usage(format!("invalid admin email: {e}")))?;
    let mut tx = db.owner.begin().await.map_err(db::Error::from)?;
    let provisioned = provision_tenant(&mut tx, &new, &FirstAdmin::Invite(email), "cli", links)
        .await
        .map_err(|e| match e {
            ProvisionError::SlugTaken => CliError::Usage(format!("the slug {slug:?} is taken")),
            ProvisionError::SlugQuarantined => CliError::Usage(format!(
                "the slug {slug:?} belonged to a deleted tenant and is quarantined"
            )),
            // The CLI invites its admin; it never creates an account.
            ProvisionError::EmailTaken => CliError::Failed("unexpected account conflict".into()),
            ProvisionError::Db(e) => e.into(),
        })?;
    tx.commit().await.map_err(db::Error::from)?;

    let slug = new.slug.as_str();
    let invite = provisioned
        .admin_invite
        .map(|token| links.tenant_url(slug, &format!("/invite/{}", token.expose())))
        .unwrap_or_default();
    let key = provisioned.api_key.expose();
    let intake = links.tenant_url(slug, "/api/leads/intake");
    let rule = "===========================================";
    let mut out = String::new();
    let _ = write!(
        out,
        "{rule}\n  Tenant provisioned: {name}\n{rule}\n\n  Slug:          {slug}\n  Tenant ID:     {id}\n\n  \
         --- ONE-TIME ---\n  API key (store securely; not retrievable again):\n    {key}\n\n  \
         --- LINKS ---\n  Splash:        {splash}\n  Admin invite:  {invite}\n  Intake URL:    {intake}\n\n  \
         --- TEST INTAKE ---\n  curl -X POST {intake} \\\n    -H \"Content-Type: application/json\" \\\n    \
         -H \"X-API-Key: {key}\" \\\n    -d '{{\"first_name\":\"Test\",\"email\":\"test@example.com\",\"source\":\"manual-test\"}}'\n",
        name = new.name.as_str(),
        id = provisioned.tenant_id,
        splash = links.tenant_url(slug, "/"),
    );
    Ok(out)
}

/// The tenant with this slug, or a usage error.
async fn find(db: &Database, slug: &str) -> Result<ResolvedTenant, CliError> {
    let normalized = slug.trim().to_lowercase();
    tenants::resolve(&db.owner, &normalized)
        .await?
        .ok_or_else(|| CliError::Usage(format!("no tenant has the slug {slug:?}")))
}

/// An owner transaction scoped to `tenant` (the owner bypasses row-level security, but
/// every tenant write goes through the same scoping).
async fn begin(db: &Database, tenant: &ResolvedTenant) -> Result<Tx, CliError> {
    Ok(db::begin_tenant(&db.owner, tenant.id).await?)
}

async fn change_status(
    db: &Database,
    links: &Links,
    slug: &str,
    action: StatusAction,
    reason: Option<&str>,
) -> Result<String, CliError> {
    let tenant = find(db, slug).await?;
    let next = tenant
        .status
        .apply(action)
        .map_err(|e| CliError::Usage(format!("{}: {e}", tenant.slug)))?;
    let mut tx = begin(db, &tenant).await?;
    let reason = reason.map(str::trim);
    tenants::update_status(&mut tx, tenant.id, next, reason).await?;
    let ended = if next.can_sign_in() {
        0
    } else {
        db::sessions::delete_for_tenant(&mut tx, tenant.id).await?
    };
    audit::record(
        &mut tx,
        Some(tenant.id),
        "cli",
        &format!("tenant.{}", action.as_str()),
        json!({ "from": tenant.status.as_str(), "to": next.as_str(), "reason": reason }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    let slug = &tenant.slug;
    Ok(match action {
        StatusAction::Approve => format!(
            "Approved {slug}: the workspace is live at {}\n",
            links.tenant_url(slug, "/")
        ),
        StatusAction::Reactivate => format!("Reactivated {slug}: sign-in and intake work again.\n"),
        StatusAction::Suspend => {
            format!("Suspended {slug}; {ended} session(s) ended. No data was removed.\n")
        }
        StatusAction::Reject => format!("Rejected {slug}'s signup; {ended} session(s) ended.\n"),
    })
}

async fn delete(db: &Database, slug: &str) -> Result<String, CliError> {
    let tenant = find(db, slug).await?;
    let mut tx = begin(db, &tenant).await?;
    audit::record(
        &mut tx,
        Some(tenant.id),
        "cli",
        "tenant.deleted",
        json!({ "slug": tenant.slug, "name": tenant.name, "status": tenant.status.as_str() }),
    )
    .await?;
    tenants::delete(&mut tx, tenant.id, &tenant.slug, QUARANTINE_DAYS).await?;
    tx.commit().await.map_err(db::Error::from)?;
    Ok(format!(
        "Deleted {} and all its data. The subdomain stays unavailable for {QUARANTINE_DAYS} days.\n",
        tenant.slug
    ))
}

async fn rotate_key(db: &Database, slug: &str) -> Result<String, CliError> {
    let tenant = find(db, slug).await?;
    let key: ApiKey = db::credentials::new_api_key();
    let mut tx = begin(db, &tenant).await?;
    tenants::rotate_api_key(&mut tx, &key).await?;
    audit::record(
        &mut tx,
        Some(tenant.id),
        "cli",
        "tenant.api_key_rotated",
        json!({ "prefix": key.display_prefix() }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    Ok(format!(
        "New API key for {} (store securely; not retrievable again; the old key no longer works):\n  {}\n",
        tenant.slug,
        key.expose()
    ))
}

async fn create_staff(db: &Database, links: &Links, email: &str) -> Result<String, CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Usage(format!("invalid email: {e}")))?;
    let mut tx = db.owner.begin().await.map_err(db::Error::from)?;
    let (created, token) = db::staff::create_or_renew(&mut tx, &email).await?;
    audit::record(
        &mut tx,
        None,
        "cli",
        "staff.password_link_issued",
        json!({ "email": email.as_str(), "new_account": created == db::staff::Created::New }),
    )
    .await?;
    tx.commit().await.map_err(db::Error::from)?;
    let what = match created {
        db::staff::Created::New => "Staff account created for",
        db::staff::Created::Existing => "Staff account exists for",
    };
    Ok(format!(
        "{what} {email}.\nOne-time link to set its password (works once, for {hours} hours; \
         earlier links no longer work):\n  {link}\n",
        email = email.as_str(),
        hours = db::staff::TOKEN_VALID_HOURS,
        link = links.apex_url(&format!("/admin/setup/{}", token.expose())),
    ))
}
