//! The pages for addresses that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::set_status;

/// 404 for a path that does not exist here.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found"/>
        <main id="main" class="message-page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <a class="button" href="/">"Go to the front page"</a>
        </main>
    }
}

/// 404 for a subdomain that no workspace has, with the way to claim it.
#[component]
pub fn UnknownWorkspace(slug: String, claim_url: String) -> impl IntoView {
    set_status(404);
    view! {
        <Title text="No workspace here"/>
        <main id="main" class="message-page">
            <h1>"No workspace here"</h1>
            <p>"No workspace exists at " <strong>{slug.clone()}</strong> " yet."</p>
            <a class="button primary" href=claim_url>{format!("Claim {slug} for your team")}</a>
        </main>
    }
}

/// 503 when the database cannot be reached to tell which site this is.
#[component]
pub fn Unavailable() -> impl IntoView {
    set_status(503);
    view! {
        <Title text="Temporarily unavailable"/>
        <main id="main" class="message-page">
            <h1>"Temporarily unavailable"</h1>
            <p>"We can’t reach our database right now. Please try again in a moment."</p>
        </main>
    }
}
