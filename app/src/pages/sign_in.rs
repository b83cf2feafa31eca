//! `/login` on a tenant host: sign in with email and password.

use domain::TenantStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{
        auth::{SignIn, SignOut, get_viewer},
        sso::sso_offered,
    },
    components::form::{Field, FormAlert, FormState},
    pages::{find_workspace::FindWorkspacePage, not_found::NotFound},
    site::{Site, TenantSite, use_site},
};

#[component]
pub fn SignInPage() -> impl IntoView {
    match use_site() {
        Site::Tenant(tenant) => view! { <TenantSignIn tenant/> }.into_any(),
        Site::Apex => view! { <FindWorkspacePage/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}

#[component]
fn TenantSignIn(tenant: TenantSite) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let form = FormState::new(sign_in);
    // Signing out here redirects to this same page: the notice is read again.
    let viewer = Resource::new(move || sign_out.version().get(), |_| get_viewer());
    let sso = Resource::new(|| (), |_| sso_offered());
    let pending = sign_in.pending();
    let query = use_query_map().get_untracked();
    let handoff_expired = query.get("handoff").is_some();
    let next = query.get("next");
    let notice = match (tenant.status, tenant.status.closed_message()) {
        (_, Some(message)) => Some(view! {
            <p class="notice notice-error" role="alert">{message} " Signing in is not possible."</p>
        }.into_any()),
        (TenantStatus::Pending, None) => Some(view! {
            <p class="notice" role="status">"This workspace is awaiting approval. Admins can sign in to get it ready."</p>
        }.into_any()),
        _ => None,
    };
    view! {
        <Title text="Sign in"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <img class="auth-logo" src="/brand/logo" alt="" width="56" height="56"/>
                <h1>"Sign in to " {tenant.name.clone()}</h1>
                {notice}
                {handoff_expired.then(|| view! {
                    <p class="notice" role="status">
                        "That sign-in link has expired or was already used. Sign in with your email and password."
                    </p>
                })}
                <Suspense>
                    {move || Suspend::new(async move {
                        viewer.await.ok().flatten().map(|v| view! {
                            <div class="notice" role="status">
                                <p>"You are signed in as " <strong>{v.name}</strong> "."</p>
                                <div class="row">
                                    <a class="button primary" href="/leads">"Open the pipeline"</a>
                                    <ActionForm action=sign_out>
                                        <button type="submit" class="button ghost">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            </div>
                        })
                    })}
                </Suspense>
                <ActionForm action=sign_in attr:novalidate=true>
                    <FormAlert error=form.error()/>
                    <Field label="Email" name="email" kind="email" autocomplete="email"
                        value=form.value("email") error=form.field_error("email")/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password"
                        error=form.field_error("password")/>
                    {next.or_else(|| form.value("next")).map(|next| view! { <input type="hidden" name="next" value=next/> })}
                    <button type="submit" class="button primary wide" aria-disabled=move || pending.get().then_some("true")>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <Suspense>
                    {move || Suspend::new(async move {
                        sso.await.unwrap_or(false).then(|| view! {
                            // A link the router leaves alone (`rel="external"`): the browser goes
                            // to the provider. Not a form: the page's CSP `form-action` would
                            // stop the redirect to the provider.
                            <div class="sso-form">
                                <p class="or"><span>"or"</span></p>
                                <a class="button wide" href="/sso/start" rel="external">"Sign in with SSO"</a>
                            </div>
                        })
                    })}
                </Suspense>
                <p class="fine-print"><a href="/forgot-password">"Forgot your password?"</a></p>
            </div>
        </main>
    }
}
