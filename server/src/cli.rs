//! The staff CLI, `cargo hcrm <command>` (`docs/product.md`, "Provisioning"). It reaches
//! the same database as the server: `DATABASE_URL`, else the embedded cluster (started if
//! needed, and stopped again afterwards unless the server is using it). Each command is a
//! door to a use case, the same function the staff console calls.
//!
//! Bad arguments (clap's or ours), and a change the data does not allow, exit with status
//! 2 after a one-line error, having written nothing; a failure underneath exits with 1.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use domain::{Email, Reason, Slug, StatusAction, TenantName};
use usecases::{
    Actor, Platform,
    change_status::{QUARANTINE_DAYS, StatusChanged, change_status, delete_tenant},
    staff_accounts::Created,
};

use crate::{config::Config, database::DatabaseHandle};

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
    /// Create an HREF staff account and print a one-time link to set its password (also
    /// the way back in for a disabled account, or one that lost its password or device).
    CreateStaff { email: String },
    /// Disable a staff account: its sessions end and it cannot sign in.
    DisableStaff { email: String },
    /// Staff sessions: `staff-sessions end <email>` ends every session of an account.
    StaffSessions {
        #[command(subcommand)]
        action: StaffSessionsAction,
    },
    /// Add demo tenants in bulk (benchmarks; `docs/benchmarks.md`): `seed-<run>-<n>`.
    SeedTenants {
        /// How many, e.g. 100000.
        count: u32,
        /// A word that keeps this run's subdomains apart from earlier runs'.
        #[arg(long, default_value = "demo")]
        run: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffSessionsAction {
    /// End every session of the staff account of `email`.
    End { email: String },
}

/// Why a command did not complete.
#[derive(Debug)]
pub enum CliError {
    /// The arguments are wrong: exit 2, nothing written.
    Usage(String),
    /// Something failed underneath: exit 1.
    Failed(String),
}

impl From<usecases::Error> for CliError {
    fn from(e: usecases::Error) -> Self {
        use usecases::Error as E;
        match e {
            E::Invalid { .. } | E::NotFound(_) | E::Conflict { .. } | E::Forbidden { .. } => {
                CliError::Usage(e.to_string())
            }
            other => CliError::Failed(other.to_string()),
        }
    }
}

/// A mistake on the command line in one line: clap's message, which may name what is
/// wrong on the lines below it (a missing argument), without its usage and help.
fn one_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
        .collect();
    let message = if message.is_empty() {
        "error: invalid arguments".to_owned()
    } else {
        message.join(" ")
    };
    format!("{message} (see hcrm --help)")
}

/// Parses the command line, runs the command, prints its result.
pub async fn run() -> ExitCode {
    crate::telemetry::init(crate::telemetry::CLI_LOG);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print in full; mistakes get one line.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", one_line(&e));
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
    let result = match config.platform(database.db.clone()) {
        Ok(platform) => execute(&cli.command, &platform).await,
        Err(message) => Err(CliError::Failed(message)),
    };
    database.close().await;
    match result {
        Ok(output) => {
            // The CLI's result is its output.
            #[allow(clippy::print_stdout)]
            {
                print!("{output}");
            }
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
        Command::Reject { reason, .. } | Command::Suspend { reason, .. } => {
            Reason::parse(reason).map_err(|e| usage(&e, "invalid --reason"))?;
        }
        Command::DeleteTenant { slug, yes: false } => {
            return Err(CliError::Usage(format!(
                "deleting {slug} removes all its data; run again with --yes to confirm"
            )));
        }
        Command::CreateStaff { email }
        | Command::DisableStaff { email }
        | Command::StaffSessions {
            action: StaffSessionsAction::End { email },
        } => {
            Email::parse(email).map_err(|e| usage(&e, "invalid email"))?;
        }
        Command::SeedTenants { run, .. }
            if run.is_empty()
                || run.len() > 20
                || !run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            return Err(CliError::Usage(
                "--run takes 1 to 20 lower-case letters or digits".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// An email argument.
fn email(input: &str) -> Result<Email, CliError> {
    Email::parse(input).map_err(|e| CliError::Usage(format!("invalid email: {e}")))
}

/// A slug argument, trimmed and lower-cased like the server does.
fn slug(input: &str) -> Result<Slug, CliError> {
    Slug::parse(input).map_err(|e| CliError::Usage(format!("invalid slug {input:?}: {e}")))
}

async fn status(
    p: &Platform,
    slug: &str,
    action: StatusAction,
    reason: Option<Reason>,
) -> Result<StatusChanged, CliError> {
    Ok(change_status(p, &self::slug(slug)?, action, reason.as_ref(), &Actor::Cli).await?)
}

fn reason(input: &str) -> Result<Reason, CliError> {
    Reason::parse(input).map_err(|e| CliError::Usage(format!("invalid --reason: {e}")))
}

/// Runs a validated command and returns what to print.
pub async fn execute(command: &Command, p: &Platform) -> Result<String, CliError> {
    let actor = Actor::Cli;
    match command {
        Command::ProvisionTenant {
            slug,
            name,
            admin_email,
        } => {
            let name = TenantName::parse(name)
                .map_err(|e| CliError::Usage(format!("invalid name: {e}")))?;
            let email = Email::parse(admin_email)
                .map_err(|e| CliError::Usage(format!("invalid admin email: {e}")))?;
            let provisioned =
                usecases::provision::provision(p, self::slug(slug)?, name, email, &actor).await?;
            Ok(provisioned.summary(&p.links))
        }
        Command::Approve { slug } => {
            let changed = status(p, slug, StatusAction::Approve, None).await?;
            Ok(format!(
                "Approved {}: the workspace is live at {}\n",
                changed.slug,
                p.links.tenant_url(&changed.slug, "/")
            ))
        }
        Command::Reactivate { slug } => {
            let changed = status(p, slug, StatusAction::Reactivate, None).await?;
            Ok(format!(
                "Reactivated {}: sign-in and intake work again.\n",
                changed.slug
            ))
        }
        Command::Suspend { slug, reason: why } => {
            let changed = status(p, slug, StatusAction::Suspend, Some(reason(why)?)).await?;
            Ok(format!(
                "Suspended {}; {} session(s) ended. No data was removed.\n",
                changed.slug, changed.sessions_ended
            ))
        }
        Command::Reject { slug, reason: why } => {
            let changed = status(p, slug, StatusAction::Reject, Some(reason(why)?)).await?;
            Ok(format!(
                "Rejected {}'s signup; {} session(s) ended.\n",
                changed.slug, changed.sessions_ended
            ))
        }
        Command::DeleteTenant { slug, .. } => {
            let deleted = delete_tenant(p, &self::slug(slug)?, &actor).await?;
            Ok(format!(
                "Deleted {} and all its data. The subdomain stays unavailable for {QUARANTINE_DAYS} days.\n",
                deleted.slug
            ))
        }
        Command::RotateKey { slug } => {
            let slug = self::slug(slug)?;
            let tenant = db::tenants::resolve(&p.db.app, slug.as_str())
                .await
                .map_err(usecases::Error::from)?
                .ok_or_else(|| {
                    CliError::Usage(format!("no tenant has the slug {:?}", slug.as_str()))
                })?;
            let key = usecases::rotate_key::rotate_key(p, tenant.id, &actor, false).await?;
            Ok(format!(
                "New API key for {} (store securely; not retrievable again; the old key no longer works):\n  {}\n",
                tenant.slug,
                key.expose()
            ))
        }
        Command::SeedTenants { count, run } => {
            let added = db::seed::tenants(&p.db.owner, *count, run)
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
            Ok(format!(
                "Added {added} demo tenants (seed-{run}-1 to seed-{run}-{count}).\n"
            ))
        }
        Command::DisableStaff { email } => {
            let email = self::email(email)?;
            usecases::staff_accounts::disable(p, &email, &actor).await?;
            Ok(format!(
                "Disabled the staff account {email}: its sessions ended and it cannot sign in. \
                 `hcrm create-staff {email}` gives it back.\n",
                email = email.as_str()
            ))
        }
        Command::StaffSessions {
            action: StaffSessionsAction::End { email },
        } => {
            let email = self::email(email)?;
            let ended = usecases::staff_accounts::end_sessions(p, &email, &actor).await?;
            Ok(format!("Ended {ended} session(s) of {}.\n", email.as_str()))
        }
        Command::CreateStaff { email } => {
            let email = self::email(email)?;
            let (created, token) =
                usecases::staff_accounts::create_staff(p, &email, &actor).await?;
            let what = match created {
                Created::New => "Staff account created for",
                Created::Existing => "Staff account exists for",
            };
            Ok(format!(
                "{what} {email}.\nOne-time link to set its password (works once, for {hours} hours; \
                 earlier links no longer work):\n  {link}\n",
                email = email.as_str(),
                hours = db::staff::TOKEN_VALID_HOURS,
                link = p
                    .links
                    .apex_url(&format!("/admin/setup/{}", token.expose())),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mistake(args: &[&str]) -> String {
        let error = Cli::try_parse_from(args).expect_err("the arguments are wrong");
        one_line(&error)
    }

    #[test]
    fn a_missing_argument_is_named_on_the_one_line() {
        let line = mistake(&["hcrm", "reject", "acme"]);
        assert!(line.contains("--reason"), "{line}");
        assert!(!line.contains('\n'), "{line}");
        let line = mistake(&["hcrm", "approve"]);
        assert!(line.contains("<SLUG>"), "{line}");
    }

    #[test]
    fn an_unknown_command_is_named_on_the_one_line() {
        let line = mistake(&["hcrm", "aprove", "acme"]);
        assert!(line.contains("aprove"), "{line}");
        assert!(line.ends_with("(see hcrm --help)"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
}
