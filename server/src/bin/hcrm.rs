//! `cargo hcrm ...`: the staff CLI (`docs/product.md`, "Provisioning").

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::cli::run().await
}
