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
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("rendering an email failed")]
    Template(#[from] askama::Error),
}

impl Error {
    /// The name of the violated constraint, if this is a constraint violation.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::Sqlx(sqlx::Error::Database(e)) => e.constraint(),
            _ => None,
        }
    }

    /// True when the database could not be reached or the pool had no free connection:
    /// the request may succeed if retried (answered as 503 with `Retry-After`).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Error::Sqlx(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))
        )
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
