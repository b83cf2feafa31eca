//! `cargo hcrm ...`: the staff CLI (SPEC, "Provisioning").

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::cli::run().await
}
