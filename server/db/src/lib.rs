//! Everything that talks to Postgres, and nothing else: the embedded cluster, migrations,
//! the connection roles, and one module per table. The flows that combine them live in the
//! `usecases` crate; this crate hashes, renders and generates nothing.
//!
//! Request traffic uses [`Database::app`], a pool logged in as a member of the restricted
//! `hcrm_app` role; every tenant-owned query runs inside [`begin_tenant`], which scopes the
//! transaction to one tenant for row-level security (`docs/tenancy.md`).
//! [`Database::owner`] runs migrations and the cross-tenant work of the CLI and the workers.

pub mod audit;
pub mod console;
pub mod domains;
pub mod embedded;
mod error;
pub mod handoffs;
pub mod idempotency;
mod ids;
pub mod intake;
pub mod invite_emails;
pub mod invites;
pub mod lead_counts;
pub mod leads;
pub mod logos;
pub mod members;
pub mod outbox;
pub mod password_attempts;
pub mod password_resets;
mod pool;
pub mod rate_limits;
pub mod seed;
pub mod sessions;
pub mod sso;
pub mod staff;
pub mod staff_sessions;
pub mod stages;
pub mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod verifications;

pub use error::Error;
pub use ids::{TenantId, UserId};
pub use pool::{Database, PoolSizes, begin_tenant, connect, migrations_applied, ping, set_tenant};
pub use sqlx::{self, PgPool};

/// A transaction on either pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// The migrations in `migrations/`, applied at start-up by the server and the CLI.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");
