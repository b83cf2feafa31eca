//! The HREF CRM server: the axum binary that serves the Leptos app, the staff CLI, the
//! intake API and the background workers. `main.rs` and `bin/hcrm.rs` are thin shells
//! around [`startup::run`] and [`cli::run`].

pub mod cli;
pub mod config;
pub mod database;
pub mod http;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod tenancy;
pub mod workers;
