//! `/admin/setup/<token>` on the apex: an HREF staff member sets their password from the
//! link `cargo hcrm create-staff` printed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::staff::{SetStaffPassword, get_staff_setup},
    components::{
        form::{Field, FormAlert, FormState},
        set_status,
    },
    pages::not_found::NotFound,
    site::{Site, use_site},
};

#[component]
pub fn StaffSetupPage() -> impl IntoView {
    // The address holds a working link: no cache may keep the page.
    crate::components::no_store();
    if use_site() != Site::Apex {
        return view! { <NotFound/> }.into_any();
    }
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let setup = Resource::new(token, get_staff_setup);
    view! {
        <Title text="Set your staff password"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <h1>"Set your staff password"</h1>
                <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                    {move || Suspend::new(async move {
                        match setup.await {
                            Ok(Some(email)) => view! { <SetPasswordForm token=token() email/> }.into_any(),
                            Ok(None) => {
                                set_status(410);
                                view! {
                                    <p class="notice notice-error" role="alert">
                                        "This link has been used or has expired. Ask for a new one."
                                    </p>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
    .into_any()
}

#[component]
fn SetPasswordForm(token: String, email: String) -> impl IntoView {
    let action = ServerAction::<SetStaffPassword>::new();
    let form = FormState::new(action);
    view! {
        <p>"For the HREF staff account " <strong>{email}</strong> "."</p>
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="token" value=token/>
            <FormAlert error=form.error()/>
            <Field label="Password" name="password" kind="password" autocomplete="new-password"
                hint="At least 8 characters. A few unusual words make a strong password."
                error=form.field_error("password")/>
            <button type="submit" class="button primary wide">"Set password"</button>
        </ActionForm>
    }
}

/// Where a staff member lands once the password is set.
#[component]
pub fn StaffPasswordSetPage() -> impl IntoView {
    if use_site() != Site::Apex {
        return view! { <NotFound/> }.into_any();
    }
    view! {
        <Title text="Password set"/>
        <main id="main" class="message-page">
            <h1>"Password set"</h1>
            <p role="status">"Your HREF staff password is saved. Keep it somewhere safe."</p>
        </main>
    }
    .into_any()
}
