//! `/reset/<token>` on a workspace host: set a new password with an emailed link.

use domain::settings::ResetView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::password_reset::{ResetPassword, get_reset},
    components::{
        form::{Field, FormAlert, FormState},
        set_status,
    },
    pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    // The address holds a working link: no cache may keep the page.
    crate::components::no_store();
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, get_reset);
    let reset = ServerAction::<ResetPassword>::new();
    let form = FormState::new(reset);
    view! {
        <Title text="Set a new password"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <img class="auth-logo" src="/brand/logo" alt="" width="56" height="56"/>
                <h1>"Set a new password"</h1>
                <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                    {move || {
                        let form = form.clone();
                        Suspend::new(async move {
                            match link.await {
                                Ok(ResetView::Open { email }) => view! {
                                    <p>"For " <strong>{email}</strong> ". Signing in elsewhere ends once it is set."</p>
                                    <ActionForm action=reset attr:novalidate=true>
                                        <input type="hidden" name="token" value=token()/>
                                        <FormAlert error=form.error()/>
                                        <Field label="New password" name="new_password" kind="password" autocomplete="new-password"
                                            hint="At least 8 characters. A few unusual words make a strong password."
                                            error=form.field_error("new_password")/>
                                        <button type="submit" class="button primary wide">"Set new password"</button>
                                    </ActionForm>
                                }.into_any(),
                                Ok(closed) => {
                                    set_status(410);
                                    let message = match closed {
                                        ResetView::Used => "This reset link was already used.",
                                        ResetView::Expired => "This reset link has expired.",
                                        _ => "This reset link is not valid.",
                                    };
                                    view! {
                                        <p class="notice notice-error" role="alert">{message}</p>
                                        <a class="button" href="/forgot-password">"Ask for a new link"</a>
                                    }.into_any()
                                }
                                Err(e) => view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            </div>
        </main>
    }
    .into_any()
}
