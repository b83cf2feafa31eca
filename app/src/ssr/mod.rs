//! Server-only support for pages and server functions: the state and request context the
//! server provides, the HTML shell's settings, and who is signed in (sessions belong to
//! this door; the flows themselves are in the `usecases` crate).

pub mod auth;
pub mod page;
pub mod staff;
mod state;

pub use state::{
    AppState, ClientIp, RequestSite, app_state, client_ip, platform, request_site, require_apex,
    require_tenant,
};
