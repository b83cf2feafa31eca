//! Views shared by pages.

pub mod copy;
pub mod form;
pub mod layout;
pub mod live;

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Tells every cache to keep no copy of the page being rendered: pages that show a key, a
/// secret or other tenants' data.
pub fn no_store() {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
}

/// A page's address from its path and its query string (`/admin?q=acme`): where a form
/// returns to, or a sign-in sends back to. The router's query string has no `?` on the
/// server and one in the browser; this has it exactly when there is a query.
pub fn address_of(path: String, search: &str) -> String {
    match search.trim_start_matches('?') {
        "" => path,
        query => format!("{path}?{query}"),
    }
}

/// The current page's address, as [`address_of`] writes it.
pub fn current_address() -> leptos::prelude::Signal<String> {
    use leptos::prelude::*;
    let location = leptos_router::hooks::use_location();
    Signal::derive(move || address_of(location.pathname.get(), &location.search.get()))
}

/// `text` as a query-string value (`/settings/team?x=1` → `%2Fsettings%2Fteam%3Fx%3D1`).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
