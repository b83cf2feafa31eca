//! Server functions, one module per area. Each is thin: take the request's context,
//! parse the input with the domain rules, call `db`, map the result.

pub mod activity;
pub mod api_key;
pub mod auth;
pub mod branding;
pub mod console;
pub mod domains;
pub mod invites;
pub mod leads;
pub mod password_reset;
pub mod pipeline;
pub mod signup;
pub mod sso;
pub mod staff;
pub mod team;
pub mod welcome;
