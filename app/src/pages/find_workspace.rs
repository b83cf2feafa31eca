//! `/login` on the apex: find your workspace by its subdomain, or have the list of your
//! workspaces emailed to you.

use domain::Links;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::signup::{EmailWorkspaces, GoToWorkspace},
    components::form::{Field, FormAlert, FormState},
};

#[component]
pub fn FindWorkspacePage() -> impl IntoView {
    let go = ServerAction::<GoToWorkspace>::new();
    let email = ServerAction::<EmailWorkspaces>::new();
    let go_form = FormState::new(go);
    let email_form = FormState::new(email);
    // Reactive: with scripting on, the answer arrives by navigating to this same page.
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let hint = format!(
        "The first part of your workspace’s address, such as acme in acme.{}.",
        expect_context::<Links>().apex_host()
    );
    view! {
        <Title text="Find your workspace"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <h1>"Find your workspace"</h1>
                <ActionForm action=go attr:novalidate=true>
                    <FormAlert error=go_form.error()/>
                    <Field label="Subdomain" name="subdomain" autocomplete="off"
                        hint=hint
                        value=go_form.value("subdomain") error=go_form.field_error("subdomain")/>
                    <button type="submit" class="button primary wide">"Go to sign-in"</button>
                </ActionForm>
                <h2 class="divider">"Forgot the address?"</h2>
                {move || sent().then(|| view! {
                    <p class="notice" role="status">
                        "If that email belongs to any workspaces, we have sent it their list. Check your inbox."
                    </p>
                })}
                <ActionForm action=email attr:novalidate=true>
                    <FormAlert error=email_form.error()/>
                    <Field label="Email" name="email" kind="email" autocomplete="email"
                        value=email_form.value("email") error=email_form.field_error("email")/>
                    <button type="submit" class="button wide">"Email me my workspaces"</button>
                </ActionForm>
                <p class="fine-print">"New here? " <a href="/signup">"Start your workspace"</a></p>
            </div>
        </main>
    }
}
