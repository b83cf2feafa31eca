//! `/forgot-password` on a workspace host: ask for a link that sets a new password. The
//! answer is the same whether or not the address belongs to someone here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{password_reset::RequestPasswordReset, sso::sso_required},
    components::form::{Field, FormAlert, FormState},
    pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let Some(tenant) = use_tenant() else {
        return view! { <NotFound/> }.into_any();
    };
    let request = ServerAction::<RequestPasswordReset>::new();
    let form = FormState::new(request);
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let workspace = tenant.name.clone();
    let sso = Resource::new(|| (), |_| sso_required());
    view! {
        <Title text="Reset your password"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <img class="auth-logo" src="/brand/logo" alt="" width="56" height="56"/>
                <h1>"Reset your password"</h1>
                <Suspense>
                    {move || Suspend::new(async move {
                        sso.await.unwrap_or(false).then(|| view! {
                            <p class="notice">
                                "This workspace signs its members in with single sign-on: members, use "
                                <a href="/login">"Sign in with SSO"</a>
                                " on the sign-in page. Only admins can reset a password here."
                            </p>
                        })
                    })}
                </Suspense>
                <p class="notice done" role="status">
                    {move || sent().then(|| format!(
                        "If that email belongs to someone in {workspace}, we have sent it a link to set a new password. It works once, for an hour."
                    ))}
                </p>
                <ActionForm action=request attr:novalidate=true>
                    <FormAlert error=form.error()/>
                    <Field label="Email" name="email" kind="email" autocomplete="email"
                        value=form.value("email") error=form.field_error("email")/>
                    <button type="submit" class="button primary wide">"Send reset link"</button>
                </ActionForm>
                <p class="fine-print"><a href="/login">"Back to sign in"</a></p>
            </div>
        </main>
    }
    .into_any()
}
