//! `/verify/<token>` on a tenant host: the email verification link.

use domain::welcome::VerifyOutcome;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::welcome::confirm_email, components::set_status, pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    // The address holds a working link: no cache may keep the page.
    crate::components::no_store();
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let outcome = Resource::new(token, confirm_email);
    view! {
        <Title text="Verify your email"/>
        <main id="main" class="message-page">
            <h1>"Verify your email"</h1>
            <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    let (ok, message) = match outcome.await {
                        Ok(VerifyOutcome::Verified) => (true, "Your email is verified. Thank you!"),
                        Ok(VerifyOutcome::AlreadyUsed) => (true, "This link was already used: your email is verified."),
                        Ok(VerifyOutcome::Expired) => (false, "This link has expired."),
                        Ok(VerifyOutcome::Invalid) => (false, "This link is not valid."),
                        Err(_) => (false, "We could not check this link. Please try again in a moment."),
                    };
                    if !ok {
                        set_status(410);
                    }
                    view! {
                        <p class=if ok { "notice" } else { "notice notice-error" } role=if ok { "status" } else { "alert" }>{message}</p>
                        <a class="button primary" href="/welcome">"Go to your workspace"</a>
                    }
                })}
            </Suspense>
        </main>
    }
    .into_any()
}
