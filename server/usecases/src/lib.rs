//! HREF CRM's use cases: one module per flow, each a function that takes parsed domain
//! values and returns a domain result or [`Error`]. Every door calls these same functions:
//! the app's server functions (thin: context, parse, call, map), the staff CLI, the plain
//! HTTP API, and the staff console. Doors own what is theirs (cookies and sessions, HTTP
//! status codes, printing); the rules and the order of the writes live here.
//!
//! Support shared by the flows sits beside them: [`Platform`] (what every flow runs
//! against), [`Error`], [`passwords`], [`secrets`], [`emails`] and their [`sealing`], and
//! the rate [`limits`].

pub mod accept_invite;
pub mod activity;
pub mod actor;
mod blocking;
pub mod board;
pub mod branding;
pub mod change_status;
pub mod console;
pub mod dns;
pub mod domains;
pub mod emails;
mod error;
pub mod find_workspace;
pub mod handoff;
pub mod housekeeping;
pub mod limits;
pub mod outbox;
pub mod password_reset;
pub mod passwords;
pub mod pipeline;
mod platform;
pub mod provision;
pub mod receive_lead;
pub mod rotate_key;
pub mod sealing;
pub mod secrets;
pub mod sign_in;
pub mod signup;
pub mod sso;
pub mod staff_accounts;
pub mod staff_sign_in;
pub mod team;
#[cfg(feature = "testing")]
pub mod testing;
mod timefmt;
pub mod two_factor;
pub mod usage;
pub mod verify_email;
pub mod welcome;

pub use actor::Actor;
pub use error::Error;
pub use platform::{DomainSettings, Platform, Settings};
