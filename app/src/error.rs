//! The one error type of pages and server functions. Its `Display` is the sentence the
//! person reads; field errors carry the field's name so forms can show them in place.

use domain::FieldErrors;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What went wrong, as the person using the app should hear it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input: a summary and a message per field.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: FieldErrors,
    },
    #[error("Please sign in to continue.")]
    SignInRequired,
    /// A staff member without two-factor, where the console requires it: only their
    /// account page opens, to set it up.
    #[error("Turn on two-factor on your account page before using the console.")]
    TwoFactorRequired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("The service is busy right now. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong. Please try again.")]
    Internal,
    /// The request never reached the function (network down, malformed arguments).
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    /// An error about one field.
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Invalid {
            message: message.clone(),
            fields: FieldErrors::from([(field.to_owned(), message)]),
        }
    }

    /// Errors about several fields, with a summary.
    pub fn fields(fields: FieldErrors) -> AppError {
        let message = if fields.len() == 1 {
            fields.values().next().cloned().unwrap_or_default()
        } else {
            "Please correct the highlighted fields.".to_owned()
        };
        AppError::Invalid { message, fields }
    }

    /// The message for `field`, if this error is about it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid { fields, .. } => fields.get(field).map(String::as_str),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::SignInRequired => 401,
            AppError::TwoFactorRequired => 403,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Request(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

/// A use case's error as the page shows it (the use case logged any cause already).
#[cfg(feature = "ssr")]
impl From<usecases::Error> for AppError {
    fn from(error: usecases::Error) -> Self {
        use usecases::Error as E;
        match error {
            E::Invalid {
                message, fields, ..
            } => AppError::Invalid { message, fields },
            E::SignInRequired => AppError::SignInRequired,
            E::Unauthorized(message) | E::Forbidden { message, .. } => AppError::Forbidden(message),
            E::NotFound(message) => AppError::NotFound(message),
            E::Conflict { message, .. } => AppError::Conflict(message),
            E::RateLimited {
                message,
                retry_after,
            } => AppError::RateLimited {
                message,
                retry_after_secs: retry_after.as_secs().max(1),
            },
            E::Unavailable => AppError::Unavailable,
            E::Internal => AppError::Internal,
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(fields: FieldErrors) -> Self {
        AppError::fields(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_names_its_field_and_keeps_its_message() {
        let error = AppError::field("email", "Enter an email address.");
        assert_eq!(
            error.field_message("email"),
            Some("Enter an email address.")
        );
        assert_eq!(error.field_message("password"), None);
        assert_eq!(error.to_string(), "Enter an email address.");
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn several_field_errors_get_a_summary() {
        let error = AppError::fields(FieldErrors::from([
            ("a".to_owned(), "x".to_owned()),
            ("b".to_owned(), "y".to_owned()),
        ]));
        assert_eq!(error.to_string(), "Please correct the highlighted fields.");
    }

    #[test]
    fn the_error_survives_the_wire_as_json() {
        let error = AppError::RateLimited {
            message: "Too many attempts.".into(),
            retry_after_secs: 60,
        };
        let bytes = error.ser();
        assert_eq!(AppError::de(bytes), error);
    }
}
