use std::process::ExitCode;

/// A faster allocator than glibc's for a server's many small, short-lived allocations
/// (`docs/benchmarks.md`, "Intake").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    server::telemetry::init(server::telemetry::SERVER_LOG);
    let config = match server::config::Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match server::startup::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}
