//! Server-only support for pages and server functions: the state and request context the
//! server provides, rate limits, and who is signed in.

pub mod auth;
pub mod limits;
pub mod page;
pub mod passwords;
pub mod signup;
mod state;

pub use state::{
    AppState, ClientIp, RequestSite, Settings, app_state, client_ip, request_site, require_tenant,
};
