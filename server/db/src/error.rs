use std::fmt;

/// A failure of the database layer. Callers turn it into their own user-facing error;
/// the `Debug` output carries the cause chain for the logs.
#[derive(thiserror::Error)]
pub enum Error {
    #[error("database error")]
    Sqlx(#[from] sqlx::Error),
    #[error("migrations failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database set-up failed: {0}")]
    Setup(String),
    #[error("unexpected data in the database: {0}")]
    Data(String),
}

/// SQLSTATE classes and codes that mean "the server went away or is not taking work",
/// not "this request is wrong": admin shutdown, crash shutdown, cannot connect now (57P0x),
/// any connection exception (08xxx), too many connections (53300).
fn is_transient_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

impl Error {
    /// The name of the violated constraint, if this is a constraint violation.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::Sqlx(sqlx::Error::Database(e)) => e.constraint(),
            _ => None,
        }
    }

    /// True when the database could not be reached, went away mid-request (a restart), or
    /// had no free connection: the request may succeed if retried (answered as 503 with
    /// `Retry-After`).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Sqlx(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            Error::Sqlx(sqlx::Error::Database(e)) => {
                e.code().is_some_and(|c| is_transient_code(&c))
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shutdown_or_a_lost_connection_is_transient_and_a_bad_query_is_not() {
        assert!(is_transient_code("57P01"));
        assert!(is_transient_code("08006"));
        assert!(is_transient_code("53300"));
        assert!(!is_transient_code("23505"));
        assert!(!is_transient_code("42601"));
        assert!(Error::Sqlx(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!Error::Data("x".into()).is_unavailable());
    }
}
