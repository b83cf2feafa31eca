//! HREF CRM's domain rules: the types and checks that the server and the
//! browser share.
//!
//! Everything here is pure: no I/O, no clocks, no randomness, so the same code
//! runs on the server and in WebAssembly in the browser. Values that have
//! passed a rule are kept in newtypes ("parse, don't validate"), so code that
//! holds a [`Slug`] or an [`Email`] never has to check it again. Error messages
//! are the sentences a user reads next to a form field.

pub mod api_key;
pub mod board;
pub mod colour;
pub mod console;
pub mod custom_domain;
pub mod email;
#[cfg(test)]
mod fuzz;
pub mod invite;
pub mod lead;
pub mod links;
pub mod names;
pub mod password;
pub mod plan;
pub mod redirect;
pub mod settings;
pub mod signup;
pub mod slug;
pub mod sso;
pub mod tenant;
pub mod token;
pub mod welcome;

use std::collections::BTreeMap;

/// Errors per form field: field name → the message to show beside it.
///
/// A `BTreeMap` so the order is stable in JSON responses and tests.
pub type FieldErrors = BTreeMap<String, String>;

/// Collects the errors of a form's fields while they are parsed one by one, so that the
/// person hears about every field at once.
#[derive(Debug, Default)]
pub struct Fields {
    errors: FieldErrors,
}

impl Fields {
    /// Keeps a parsed value, or the error's message under `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.to_string())).ok()
    }

    /// Records a message about `field` (the first one per field wins).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Whether no field has an error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors collected so far.
    pub fn into_errors(self) -> FieldErrors {
        self.errors
    }
}

pub use api_key::{ApiKey, ApiKeyError};
pub use colour::{HexColour, HexColourError};
pub use email::{Email, EmailError};
pub use lead::NewLead;
pub use links::{HostKind, Links};
pub use names::{NameError, PersonName, Reason, StageName, Tagline, TenantName};
pub use password::{Password, PasswordError, PasswordHash};
pub use plan::Plan;
pub use slug::{Slug, SlugError};
pub use tenant::{Role, StageType, StatusAction, TenantStatus, TransitionError, UnknownName};
pub use token::{Token, TokenError};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_every_fields_first_message() {
        let mut fields = Fields::default();
        assert_eq!(fields.check("a", Ok::<_, String>(1)), Some(1));
        assert_eq!(fields.check::<i32, _>("b", Err("first")), None);
        fields.add("b", "second");
        fields.add("c", "third");
        assert!(!fields.is_empty());
        let errors = fields.into_errors();
        assert_eq!(errors["b"], "first");
        assert_eq!(errors["c"], "third");
        assert_eq!(errors.len(), 2);
    }
}
