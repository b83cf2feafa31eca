//! `/welcome` on a tenant host: where a new workspace's admin lands after signup. The
//! workspace's status, the API key (once), how to send a first lead, what to do next.

use domain::{TenantStatus, welcome::Welcome};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::welcome::get_welcome,
    components::{copy::CopyField, layout::member_view},
    pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn WelcomePage() -> impl IntoView {
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    // It shows the API key once: no cache may keep it.
    crate::components::no_store();
    let welcome = Resource::new(|| (), |_| get_welcome());
    view! {
        <Title text="Welcome"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                member_view(welcome.await, |welcome| view! { <WelcomeView welcome/> }.into_any())
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn WelcomeView(welcome: Welcome) -> impl IntoView {
    let pending = welcome.status == TenantStatus::Pending;
    let key_shown = welcome.api_key.is_some();
    let key_in_example = welcome
        .api_key
        .clone()
        .unwrap_or_else(|| "<your API key>".into());
    let example = format!(
        "curl -X POST {} \\\n  -H \"Content-Type: application/json\" \\\n  -H \"X-API-Key: {key_in_example}\" \\\n  -d '{{\"first_name\":\"Test\",\"email\":\"test@example.com\",\"source\":\"manual-test\"}}'",
        welcome.intake_url
    );
    let checklist = [
        ("Create your workspace", true, None),
        ("Verify your email", welcome.email_verified, None),
        (
            if pending {
                "Get approved by HREF"
            } else {
                "Go live"
            },
            !pending,
            None,
        ),
        ("Send your first lead", welcome.has_leads, Some("/leads")),
    ];
    view! {
        <div class="welcome">
            <h1>"Welcome to " {welcome.workspace.clone()}</h1>
            // A pending workspace's status is in the banner above every workspace page.
            {(!pending).then(|| view! {
                <p class="notice" role="status">
                    "Your workspace is live at " <a href=welcome.workspace_url.clone()>{welcome.workspace_url.clone()}</a> "."
                </p>
            })}
            {if welcome.email_verified {
                view! { <p role="status">"Your email " <strong>{welcome.email.clone()}</strong> " is verified."</p> }.into_any()
            } else {
                view! {
                    <p role="status">
                        "Your email is not verified yet: we sent a link to " <strong>{welcome.email.clone()}</strong>
                        ". It works for 24 hours."
                    </p>
                }.into_any()
            }}

            <section class="panel" aria-labelledby="api-key-heading">
                <h2 id="api-key-heading">"Receive leads from your website"</h2>
                {match welcome.api_key.clone() {
                    Some(key) => view! {
                        <CopyField label="API key" id="api-key" value=key
                            hint="Store it somewhere safe now: it is shown only this once and cannot be retrieved later."/>
                    }.into_any(),
                    None => view! {
                        <p>"The key was shown once, when the workspace was created. Its holder can keep using it."</p>
                    }.into_any(),
                }}
                <h3>"Send a lead"</h3>
                <p>"From your website or a terminal:"</p>
                <pre class="code"><code>{example}</code></pre>
                {(!key_shown).then(|| view! { <p class="field-hint">"Put your API key in place of " <code>"<your API key>"</code> "."</p> })}
            </section>

            <section class="panel" aria-labelledby="checklist-heading">
                <h2 id="checklist-heading">"Getting started"</h2>
                <ol class="checklist">
                    {checklist.into_iter().map(|(label, done, link)| view! {
                        <li class:done=done>
                            {match link {
                                Some(href) if !done => view! { <a href=href>{label}</a> }.into_any(),
                                _ => view! { <span>{label}</span> }.into_any(),
                            }}
                            <span class="checklist-state">{if done { " — done" } else { " — to do" }}</span>
                        </li>
                    }).collect_view()}
                </ol>
                <a class="button primary" href="/leads">"Open your pipeline"</a>
            </section>
        </div>
    }
}
