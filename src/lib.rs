//! HREF CRM's domain rules: the types and checks that the server and the
//! browser share.
//!
//! Everything here is pure: no I/O, no clocks, no randomness, so the same code
//! runs on the server and in WebAssembly in the browser. Values that have
//! passed a rule are kept in newtypes ("parse, don't validate"), so code that
//! holds a [`Slug`] or an [`Email`] never has to check it again. Error messages
//! are the sentences a user reads next to a form field.

pub mod api_key;
pub mod colour;
pub mod email;
pub mod lead;
pub mod links;
pub mod names;
pub mod password;
pub mod slug;
pub mod tenant;
pub mod token;

use std::collections::BTreeMap;

/// Errors per form field: field name → the message to show beside it.
///
/// A `BTreeMap` so the order is stable in JSON responses and tests.
pub type FieldErrors = BTreeMap<String, String>;

pub use api_key::{ApiKey, ApiKeyError};
pub use colour::{HexColour, HexColourError};
pub use email::{Email, EmailError};
pub use lead::NewLead;
pub use links::{HostKind, Links};
pub use names::{NameError, PersonName, Tagline, TenantName};
pub use password::{Password, PasswordError};
pub use slug::{Slug, SlugError};
pub use tenant::{Role, StatusAction, TenantStatus, TransitionError, UnknownName};
pub use token::{Token, TokenError};
