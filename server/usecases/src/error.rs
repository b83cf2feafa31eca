//! The one error of every use case. Its `Display` is the sentence the person reads; field
//! errors carry the field's name; database failures are logged with their cause chain
//! where they are converted and reach the person as "Something went wrong".

use std::time::Duration;

use domain::FieldErrors;

use crate::limits::retry_phrase;

/// Why a use case did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Bad input: a summary and a message per field. `code` names the problem for the
    /// JSON API (`validation_failed` unless something more precise applies).
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        fields: FieldErrors,
    },
    /// Only for someone signed in.
    #[error("Please sign in to continue.")]
    SignInRequired,
    /// A credential (an API key) is missing or not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// Not allowed, or not in the workspace's current state.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// In the way of something else happening at the same time, or already done.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after: Duration,
    },
    /// The database is away or busy: worth retrying.
    #[error("The service is busy right now. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong. Please try again.")]
    Internal,
}

impl Error {
    /// An error about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Error {
        let message = message.into();
        Error::Invalid {
            code: "validation_failed",
            message: message.clone(),
            fields: FieldErrors::from([(field.to_owned(), message)]),
        }
    }

    /// Errors about several fields, with a summary.
    pub fn fields(fields: FieldErrors) -> Error {
        let message = if fields.len() == 1 {
            fields.values().next().cloned().unwrap_or_default()
        } else {
            "Please correct the highlighted fields.".to_owned()
        };
        Error::Invalid {
            code: "validation_failed",
            message,
            fields,
        }
    }

    /// "Too many … Try again in 15 minutes." — every rate limit says it the same way.
    pub fn rate_limited(what: &str, wait: Duration) -> Error {
        Error::RateLimited {
            message: format!("{what} {}", retry_phrase(wait)),
            retry_after: wait.max(Duration::from_secs(1)),
        }
    }

    /// A refusal that is about the workspace or the person, not the input.
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    /// A refusal because of the state something is in (`code` names it for the JSON API).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The message for `field`, if this error is about it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Error::Invalid { fields, .. } => fields.get(field).map(String::as_str),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with, whichever door it leaves by.
    pub fn status(&self) -> u16 {
        match self {
            Error::Invalid { .. } => 422,
            Error::SignInRequired | Error::Unauthorized(_) => 401,
            Error::Forbidden { .. } => 403,
            Error::NotFound(_) => 404,
            Error::Conflict { .. } => 409,
            Error::RateLimited { .. } => 429,
            Error::Unavailable => 503,
            Error::Internal => 500,
        }
    }

    /// The machine-readable name of the error, for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Conflict { code, .. } => code,
            Error::SignInRequired => "sign_in_required",
            Error::Unauthorized(_) => "invalid_api_key",
            Error::NotFound(_) => "not_found",
            Error::RateLimited { .. } => "rate_limited",
            Error::Unavailable => "unavailable",
            Error::Internal => "internal",
        }
    }
}

impl From<FieldErrors> for Error {
    fn from(fields: FieldErrors) -> Error {
        Error::fields(fields)
    }
}

impl From<db::Error> for Error {
    fn from(error: db::Error) -> Error {
        if error.is_unavailable() {
            tracing::warn!(error = ?error, "database unavailable");
            Error::Unavailable
        } else {
            tracing::error!(error = ?error, "database error");
            Error::Internal
        }
    }
}

impl From<db::sqlx::Error> for Error {
    fn from(error: db::sqlx::Error) -> Error {
        db::Error::from(error).into()
    }
}

/// Turns a named constraint's violation into the error a person should read, and passes
/// any other failure on (`docs/architecture.md`, "Errors").
pub trait OnConstraint<T> {
    /// `name`'s violation becomes `error()`.
    fn on_constraint(self, name: &str, error: impl FnOnce() -> Error) -> Result<T, Error>;
}

impl<T> OnConstraint<T> for Result<T, db::Error> {
    fn on_constraint(self, name: &str, error: impl FnOnce() -> Error) -> Result<T, Error> {
        match self {
            Err(e) if e.constraint() == Some(name) => Err(error()),
            other => other.map_err(Error::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_names_its_field_and_keeps_its_message() {
        let error = Error::field("email", "Enter an email address.");
        assert_eq!(
            error.field_message("email"),
            Some("Enter an email address.")
        );
        assert_eq!(error.field_message("password"), None);
        assert_eq!(error.to_string(), "Enter an email address.");
        assert_eq!((error.status(), error.code()), (422, "validation_failed"));
    }

    #[test]
    fn several_field_errors_get_a_summary() {
        let error = Error::fields(FieldErrors::from([
            ("a".to_owned(), "x".to_owned()),
            ("b".to_owned(), "y".to_owned()),
        ]));
        assert_eq!(error.to_string(), "Please correct the highlighted fields.");
    }

    #[test]
    fn every_rate_limit_says_when_to_try_again() {
        let error = Error::rate_limited(
            "Too many signups from your network.",
            Duration::from_secs(61),
        );
        assert_eq!(
            error.to_string(),
            "Too many signups from your network. Try again in 2 minutes."
        );
        assert_eq!(error.status(), 429);
    }

    #[test]
    fn a_named_constraint_becomes_its_error_and_others_pass_on() {
        let other: Result<(), db::Error> = Err(db::Error::Data("x".into()));
        assert_eq!(
            other.on_constraint("users_email_key", || Error::field("email", "taken")),
            Err(Error::Internal)
        );
    }
}
