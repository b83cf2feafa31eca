//! Plain axum routes beside the Leptos pages. [`api`] is the public JSON API (its own
//! router and layers); the others belong to the site: the dev mailbox, the signup hand-off,
//! the brand logo, the console's audit export, and what happens around every server function call;
//! [`ops`] is what operators and the load balancer ask: health, readiness, metrics.

pub mod api;
pub mod assets;
pub mod audit_csv;
pub mod dev_mail;
pub mod handoff;
pub mod logo;
pub mod ops;
pub mod server_fns;
pub mod sso;
pub mod tls_ask;
