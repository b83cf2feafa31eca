//! `/signup` on the apex: create a workspace. With scripting on, the subdomain follows the
//! company name until the person edits it, and its availability is checked as they type;
//! with scripting off, the same form posts and answers as a normal page.

use domain::{
    Email, Links,
    signup::{Availability, PasswordRating, SubdomainState},
    slug::suggest_from_name,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::signup::{CreateWorkspace, check_subdomain, rate_password},
    components::{
        form::{Field, FormAlert, FormState, typed_before_hydration},
        live::LiveCheck,
    },
    error::AppError,
    pages::not_found::NotFound,
    site::{Site, use_site},
};

#[component]
pub fn SignupPage() -> impl IntoView {
    if use_site() != Site::Apex {
        return view! { <NotFound/> }.into_any();
    }
    view! { <SignupForm/> }.into_any()
}

#[component]
fn SignupForm() -> impl IntoView {
    let links = expect_context::<Links>();
    let create = ServerAction::<CreateWorkspace>::new();
    let form = FormState::new(create);
    let pending = create.pending();
    let prefilled = use_query_map().read_untracked().get("subdomain");

    // What was typed before the page hydrated wins over what the server rendered.
    let company = RwSignal::new(
        typed_before_hydration("field-company")
            .or_else(|| form.value("company"))
            .unwrap_or_default(),
    );
    let typed_subdomain = typed_before_hydration("field-subdomain")
        .or_else(|| form.value("subdomain"))
        .filter(|s| !s.trim().is_empty());
    let edited = RwSignal::new(prefilled.is_some() || typed_subdomain.is_some());
    let subdomain = RwSignal::new(
        typed_subdomain
            .or(prefilled)
            .unwrap_or_else(|| suggest_from_name(&company.get_untracked())),
    );
    let availability = RwSignal::new(None::<Result<Availability, AppError>>);
    let rating = RwSignal::new(None::<Result<PasswordRating, AppError>>);
    let email_error = RwSignal::new(None::<String>);
    let subdomain_check = LiveCheck::new();
    let password_check = LiveCheck::new();

    let check = move |value: String| subdomain_check.run(value, check_subdomain, availability);
    let set_subdomain = move |value: String| {
        subdomain.set(value.clone());
        check(value);
    };
    // A pre-filled subdomain is checked as soon as the page is live; after a failed submit
    // about the subdomain (a race lost, say) it is checked again for fresh suggestions.
    let subdomain_error = form.field_error("subdomain");
    Effect::new(move |first: Option<()>| {
        let failed_on_subdomain = subdomain_error.get().is_some();
        if (first.is_none() && !subdomain.get_untracked().is_empty()) || failed_on_subdomain {
            check(subdomain.get_untracked());
        }
    });
    // A password typed before the page hydrated gets its hint as soon as it is live.
    if let Some(typed) = typed_before_hydration("field-password").filter(|p| !p.is_empty()) {
        Effect::new(move |_| password_check.run(typed.clone(), rate_password, rating));
    }

    let status = move || match availability.get() {
        Some(Ok(a)) => (status_class(a.state), a.message),
        Some(Err(e)) => ("status-invalid", e.to_string()),
        None => ("", String::new()),
    };
    let suggestions = move || match availability.get() {
        Some(Ok(a)) => a.suggestions,
        _ => Vec::new(),
    };
    let apex = links.apex_host().to_owned();
    let preview = {
        let links = links.clone();
        move || {
            let name = subdomain.get();
            let name = name.trim();
            links.tenant_url(if name.is_empty() { "your-team" } else { name }, "/")
        }
    };
    let company_error = form.field_error("company");
    let email_server_error = form.field_error("email");
    let password_error = form.field_error("password");

    view! {
        <Title text="Create your workspace"/>
        <main id="main" class="auth-page">
            <div class="auth-card signup-card">
                <h1>"Create your workspace"</h1>
                <p class="lead-small">"Your own branded CRM at your own address, in under a minute."</p>
                <ActionForm action=create attr:novalidate=true>
                    <FormAlert error=form.error()/>
                    <div class="field" class:has-error=move || company_error.get().is_some()>
                        <label for="field-company">"Company name"</label>
                        <input id="field-company" name="company" autocomplete="organization"
                            value=company.get_untracked()
                            prop:value=move || company.get()
                            aria-describedby="field-company-error"
                            aria-invalid=move || company_error.get().is_some().then_some("true")
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                company.set(value.clone());
                                if !edited.get_untracked() {
                                    set_subdomain(suggest_from_name(&value));
                                }
                            }/>
                        <p id="field-company-error" class="field-error" role="alert">{move || company_error.get()}</p>
                    </div>
                    <div class="field" class:has-error=move || subdomain_error.get().is_some()>
                        <label for="field-subdomain">"Subdomain"</label>
                        <div class="subdomain-input">
                            <input id="field-subdomain" name="subdomain" autocomplete="off"
                                autocapitalize="none" spellcheck="false"
                                value=subdomain.get_untracked()
                                prop:value=move || subdomain.get()
                                aria-describedby="field-subdomain-status field-subdomain-preview field-subdomain-error"
                                aria-invalid=move || subdomain_error.get().is_some().then_some("true")
                                on:input=move |ev| {
                                    edited.set(true);
                                    set_subdomain(event_target_value(&ev));
                                }/>
                            <span class="subdomain-suffix" aria-hidden="true">"." {apex}</span>
                        </div>
                        <p id="field-subdomain-status" role="status" class=move || format!("availability {}", status().0)>
                            {move || status().1}
                        </p>
                        <div class="suggestions">
                            {move || suggestions().into_iter().map(|name| {
                                let chosen = name.clone();
                                view! {
                                    <button type="button" class="button small suggestion"
                                        on:click=move |_| {
                                            edited.set(true);
                                            set_subdomain(chosen.clone());
                                        }>
                                        {name}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                        <p id="field-subdomain-preview" class="field-hint">
                            "Your workspace: " <strong>{preview}</strong>
                        </p>
                        <p id="field-subdomain-error" class="field-error" role="alert">{move || subdomain_error.get()}</p>
                    </div>
                    <Field label="Your name" name="name" autocomplete="name"
                        value=form.value("name") error=form.field_error("name")/>
                    <div class="field" class:has-error=move || email_error.get().or(email_server_error.get()).is_some()>
                        <label for="field-email">"Work email"</label>
                        <input id="field-email" name="email" type="email" autocomplete="email"
                            value=form.value("email")
                            aria-describedby="field-email-error"
                            aria-invalid=move || email_error.get().or(email_server_error.get()).is_some().then_some("true")
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                email_error.set(match value.trim() {
                                    "" => None,
                                    typed => Email::parse(typed).err().map(|e| e.to_string()),
                                });
                            }/>
                        <p id="field-email-error" class="field-error" role="alert">
                            {move || email_error.get().or(email_server_error.get())}
                        </p>
                    </div>
                    <div class="field" class:has-error=move || password_error.get().is_some()>
                        <label for="field-password">"Password"</label>
                        <input id="field-password" name="password" type="password" autocomplete="new-password"
                            aria-describedby="field-password-hint field-password-strength field-password-error"
                            aria-invalid=move || password_error.get().is_some().then_some("true")
                            on:input=move |ev| password_check.run(event_target_value(&ev), rate_password, rating)/>
                        <p id="field-password-hint" class="field-hint">
                            "At least 8 characters. A few unusual words make a strong password. "
                            "If this email already has an HREF CRM account, use its password."
                        </p>
                        <p id="field-password-strength" role="status"
                            class=move || match rating.get() {
                                Some(Ok(r)) if r.acceptable => "strength strength-ok",
                                Some(Ok(_)) => "strength strength-weak",
                                _ => "strength",
                            }>
                            {move || match rating.get() {
                                Some(Ok(r)) => r.message,
                                _ => String::new(),
                            }}
                        </p>
                        <p id="field-password-error" class="field-error" role="alert">{move || password_error.get()}</p>
                    </div>
                    <button type="submit" class="button primary wide" aria-disabled=move || pending.get().then_some("true")>
                        {move || if pending.get() { "Creating your workspace…" } else { "Create workspace" }}
                    </button>
                    <p class="fine-print">"Already have a workspace? " <a href="/login">"Find it"</a></p>
                </ActionForm>
            </div>
        </main>
    }
}

fn status_class(state: SubdomainState) -> &'static str {
    match state {
        SubdomainState::Available => "status-available",
        _ => "status-invalid",
    }
}
