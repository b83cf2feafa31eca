//! Server functions, one module per area. Each is thin: take the request's context,
//! parse the input with the domain rules, call `db`, map the result.

pub mod auth;
pub mod invites;
pub mod leads;
pub mod signup;
pub mod staff;
pub mod welcome;
