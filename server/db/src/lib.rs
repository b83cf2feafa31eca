//! Everything that touches Postgres: the embedded cluster, migrations, the two connection
//! roles, one module per table, provisioning, credentials and the outbox.
//!
//! Request traffic uses [`Database::app`], a pool logged in as the restricted `hcrm_app`
//! role; every tenant-owned query runs inside [`begin_tenant`], which scopes the transaction
//! to one tenant for row-level security. [`Database::owner`] runs migrations and the
//! cross-tenant work of the CLI and the background workers.

pub mod audit;
pub mod credentials;
pub mod emails;
pub mod embedded;
mod error;
pub mod handoffs;
pub mod idempotency;
mod ids;
pub mod invites;
pub mod leads;
pub mod login_failures;
pub mod members;
pub mod outbox;
mod pool;
pub mod provisioning;
pub mod sessions;
pub mod staff;
pub mod stages;
pub mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod verifications;

pub use error::Error;
pub use ids::{TenantId, UserId};
pub use pool::{Database, begin_tenant, connect, ping, set_tenant};
pub use sqlx::PgPool;

/// A transaction on either pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// The migrations in `migrations/`, applied at start-up by the server and the CLI.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");
