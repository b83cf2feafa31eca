//! Staff sign-in: `/admin/login`, and in the place of any console page for a visitor who
//! is not signed in. Email and password, then the two-factor **Code** when it is on.

use domain::console::{STAFF_LOCKED, StaffState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::console::auth::{StaffEnterCode, StaffSignIn, StaffSignOut, get_staff_state},
    components::form::{Field, FormAlert, FormState},
    error::AppError,
    pages::not_found::NotFound,
    site::{Site, use_site},
};

/// `/admin/login`.
#[component]
pub fn StaffLoginPage() -> impl IntoView {
    if use_site() != Site::Apex {
        return view! { <NotFound/> }.into_any();
    }
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .filter(|n| n.starts_with("/admin"))
        .unwrap_or_else(|| "/admin".to_owned());
    view! { <StaffSignInForm next/> }.into_any()
}

/// The sign-in card: the form for the step the visitor is at, then `next`.
#[component]
pub fn StaffSignInForm(#[prop(into)] next: String) -> impl IntoView {
    // On a console page the page's own count of changes; on /admin/login, its own.
    let changes = use_context::<super::Changes>().map_or_else(super::changes, |c| c.0.into());
    let state = Resource::new(move || changes.get(), |_| get_staff_state());
    let query = use_query_map();
    let signed_out = move || query.read().get("signed-out").is_some();
    view! {
        <Title text="Staff sign-in"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <h1>"HREF staff sign-in"</h1>
                {move || signed_out().then(|| view! { <p class="notice" role="status">"You are signed out."</p> })}
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {
                        let next = next.clone();
                        move || {
                            let next = next.clone();
                            Suspend::new(async move {
                                match state.await {
                                    Ok(StaffState::NeedsCode) => view! { <CodeStep next/> }.into_any(),
                                    Ok(StaffState::SignedIn { email }) => view! { <SignedIn email/> }.into_any(),
                                    _ => view! { <PasswordStep next/> }.into_any(),
                                }
                            })
                        }
                    }
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn PasswordStep(next: String) -> impl IntoView {
    let action = ServerAction::<StaffSignIn>::new();
    super::counts_as_change(action);
    let form = FormState::new(action);
    let pending = action.pending();
    // A locked account still lets its owner in with a code from their app on this form.
    let error = form.error();
    let locked = Signal::derive(
        move || matches!(error.get(), Some(AppError::RateLimited { message, .. }) if message.starts_with(STAFF_LOCKED)),
    );
    let code_error = form.field_error("code");
    view! {
        <p class="lead-small">"The console is for HREF staff. Workspace accounts do not open it."</p>
        <ActionForm action attr:novalidate=true>
            <FormAlert error=form.error()/>
            <Field label="Email" name="email" kind="email" autocomplete="username"
                value=form.value("email") error=form.field_error("email")/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"
                error=form.field_error("password")/>
            {move || locked.get().then(|| view! {
                <Field label="Code" name="code" autocomplete="one-time-code"
                    hint="With two-factor on, your password and the 6-digit code your app shows now sign you in."
                    error=code_error/>
            })}
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="button primary wide" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn CodeStep(next: String) -> impl IntoView {
    let action = ServerAction::<StaffEnterCode>::new();
    super::counts_as_change(action);
    let form = FormState::new(action);
    let pending = action.pending();
    let code_error = form.field_error("code");
    view! {
        <p class="lead-small">"Two-factor is on for this account. Enter the 6-digit code your authenticator app shows now."</p>
        <ActionForm action attr:novalidate=true>
            <FormAlert error=form.error()/>
            <div class="field" class:has-error=move || code_error.get().is_some()>
                <label for="field-code">"Code"</label>
                <input id="field-code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="7" autofocus aria-describedby="field-code-error"
                    aria-invalid=move || code_error.get().is_some().then_some("true")/>
                <p id="field-code-error" class="field-error" role="alert">{move || code_error.get()}</p>
            </div>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="button primary wide" disabled=move || pending.get()>
                {move || if pending.get() { "Checking…" } else { "Sign in" }}
            </button>
        </ActionForm>
        <CancelSignIn/>
    }
}

/// Leaves the code step: the half-made session ends, and the form starts again.
#[component]
fn CancelSignIn() -> impl IntoView {
    let sign_out = ServerAction::<StaffSignOut>::new();
    super::counts_as_change(sign_out);
    view! {
        <ActionForm action=sign_out attr:class="fine-print">
            <button type="submit" class="button ghost small">"Use another account"</button>
        </ActionForm>
    }
}

#[component]
fn SignedIn(email: String) -> impl IntoView {
    let sign_out = ServerAction::<StaffSignOut>::new();
    super::counts_as_change(sign_out);
    view! {
        <div class="notice" role="status">
            <p>"You are signed in as " <strong>{email}</strong> "."</p>
            <div class="row">
                <a class="button primary" href="/admin">"Open the console"</a>
                <ActionForm action=sign_out>
                    <button type="submit" class="button ghost">"Sign out"</button>
                </ActionForm>
            </div>
        </div>
    }
}
