//! Logging: one span per request with its id, method, path and tenant. Paths are logged
//! with token-like segments redacted, and query strings are never logged, so invite,
//! reset and hand-off tokens stay out of the logs; bodies and headers are never logged.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the subscriber, writing to stderr, with [`filter`].
pub fn init(default: &str) {
    let _ = tracing_subscriber::registry()
        .with(filter(default))
        .with(fmt::layer().with_target(false).with_writer(std::io::stderr))
        .try_init();
}

/// What to log: `RUST_LOG` if set, else `default`.
pub fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

/// The server's default filter.
pub const SERVER_LOG: &str = "info,sqlx=warn,tower_sessions=warn";
/// The CLI's default filter: its output is the result, not the log.
pub const CLI_LOG: &str = "warn";

/// The path with every segment that could be a secret (20 or more URL-safe characters)
/// replaced by `…`.
pub fn redacted_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let secret_like = segment.len() >= 20
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if secret_like { "…" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_paths_are_redacted() {
        assert_eq!(
            redacted_path("/invite/4v5PyyE2qx4keXqjLv1ZmTGz9bCTwg6g4aP6IBw9AUs"),
            "/invite/…"
        );
        assert_eq!(redacted_path("/settings/pipeline"), "/settings/pipeline");
        assert_eq!(redacted_path("/api/leads/intake"), "/api/leads/intake");
    }
}
