//! `/admin/new`: provision a tenant, as `cargo hcrm provision-tenant` does. The subdomain
//! gets the same live availability answer as signup (staff may choose 1–2 letters); the
//! result shows the API key once and the admin's invite link.

use domain::{
    console::ProvisionResult,
    signup::{Availability, SubdomainState},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::console::provision::{ProvisionTenant, check_console_subdomain, take_provision_result},
    components::{
        copy::CopyField,
        form::{Field, FormAlert, FormState, typed_before_hydration},
        live::LiveCheck,
    },
    error::AppError,
    pages::console::{changes, console_page},
};

#[component]
pub fn NewTenantPage() -> impl IntoView {
    let query = use_query_map();
    // Taken once per provision (the redirect's `done` and `tenant`): reading it takes it.
    // The form's own success is not counted as a change, so it is not read twice.
    let done = Memo::new(move |_| {
        let query = query.read();
        (query.get("done"), query.get("tenant"))
    });
    let changes = changes();
    let result = Resource::new(
        move || (done.get(), changes.get()),
        |_| take_provision_result(),
    );
    console_page("New tenant", result, move |result| {
        view! { <NewTenantView result/> }.into_any()
    })
}

#[component]
fn NewTenantView(result: Option<ProvisionResult>) -> impl IntoView {
    view! {
        <h1>"New tenant"</h1>
        {result.map(|r| view! { <Provisioned result=r/> })}
        <ProvisionForm/>
    }
}

#[component]
fn Provisioned(result: ProvisionResult) -> impl IntoView {
    view! {
        <section class="panel provisioned" aria-labelledby="provisioned-heading">
            <h2 id="provisioned-heading">"Tenant provisioned: " {result.name.clone()}</h2>
            <dl class="facts">
                <dt>"Slug"</dt><dd class="mono">{result.slug.clone()}</dd>
                <dt>"Tenant ID"</dt><dd class="mono">{result.tenant_id.clone()}</dd>
            </dl>
            <p class="notice notice-warn">"The API key is shown this once: store it securely. It cannot be shown again."</p>
            <CopyField label="API key" id="new-api-key" value=result.api_key.clone()
                hint="Send it as the X-API-Key header to the intake URL."/>
            <dl class="facts">
                <dt>"Admin invite"</dt><dd><a href=result.invite_url.clone()>{result.invite_url.clone()}</a></dd>
                <dt>"Splash"</dt><dd><a href=result.splash_url.clone()>{result.splash_url.clone()}</a></dd>
                <dt>"Intake URL"</dt><dd class="mono">{result.intake_url.clone()}</dd>
            </dl>
            <h3>"As the command line prints it"</h3>
            <pre class="mono cli-block">{result.summary.clone()}</pre>
        </section>
    }
}

#[component]
fn ProvisionForm() -> impl IntoView {
    let action = ServerAction::<ProvisionTenant>::new();
    let form = FormState::new(action);
    let pending = action.pending();
    let availability = RwSignal::new(None::<Result<Availability, AppError>>);
    let live = LiveCheck::new();
    let typed = typed_before_hydration("field-subdomain").or_else(|| form.value("subdomain"));
    if let Some(typed) = typed.clone().filter(|t| !t.trim().is_empty()) {
        Effect::new(move |_| live.run(typed.clone(), check_console_subdomain, availability));
    }
    let subdomain_error = form.field_error("subdomain");
    let status = move || match availability.get() {
        Some(Ok(a)) => (
            if a.state == SubdomainState::Available {
                "status-available"
            } else {
                "status-invalid"
            },
            a.message,
        ),
        Some(Err(e)) => ("status-invalid", e.to_string()),
        None => ("", String::new()),
    };
    view! {
        <section class="panel" aria-labelledby="provision-heading">
            <h2 id="provision-heading">"Provision a tenant"</h2>
            <p class="field-hint">"The tenant starts active on the free plan; its first admin gets an invite by email."</p>
            <ActionForm action attr:novalidate=true>
                <FormAlert error=form.error()/>
                <div class="field" class:has-error=move || subdomain_error.get().is_some()>
                    <label for="field-subdomain">"Subdomain"</label>
                    <input id="field-subdomain" name="subdomain" autocomplete="off" autocapitalize="none"
                        spellcheck="false" value=typed
                        aria-describedby="field-subdomain-status field-subdomain-error"
                        aria-invalid=move || subdomain_error.get().is_some().then_some("true")
                        on:input=move |ev| live.run(event_target_value(&ev), check_console_subdomain, availability)/>
                    <p id="field-subdomain-status" role="status" class=move || format!("availability {}", status().0)>
                        {move || status().1}
                    </p>
                    <p id="field-subdomain-error" class="field-error" role="alert">{move || subdomain_error.get()}</p>
                </div>
                <Field label="Display name" name="display_name" autocomplete="off"
                    value=form.value("display_name") error=form.field_error("display_name")/>
                <Field label="Admin email" name="admin_email" kind="email" autocomplete="off"
                    value=form.value("admin_email") error=form.field_error("admin_email")/>
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Provisioning…" } else { "Provision tenant" }}
                </button>
            </ActionForm>
        </section>
    }
}
