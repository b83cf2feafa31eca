//! `/invite/<token>`: accept an invite to a workspace.

use domain::{Role, invite::InviteView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::invites::{AcceptInvite, get_invite},
    components::{
        form::{Field, FormAlert, FormState},
        set_status,
    },
    pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn InvitePage() -> impl IntoView {
    // The address holds a working link: no cache may keep the page.
    crate::components::no_store();
    let Some(tenant) = use_tenant() else {
        return view! { <NotFound/> }.into_any();
    };
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invite = Resource::new(token, get_invite);
    let name = tenant.name.clone();
    view! {
        <Title text="Accept your invite"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <img class="auth-logo" src="/brand/logo" alt="" width="56" height="56"/>
                <h1>"Join " {name.clone()}</h1>
                <Suspense fallback=|| view! { <p>"Checking your invite…"</p> }>
                    {move || {
                        let name = name.clone();
                        Suspend::new(async move {
                            match invite.await {
                                Ok(InviteView::Open { email, role, has_account }) => {
                                    view! { <AcceptForm token=token() email role has_account workspace=name/> }.into_any()
                                }
                                Ok(closed) => view! { <InviteClosed view=closed/> }.into_any(),
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

#[component]
fn AcceptForm(
    token: String,
    email: String,
    role: Role,
    has_account: bool,
    workspace: String,
) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    let form = FormState::new(accept);
    let pending = accept.pending();
    let role = match role {
        Role::Admin => "an admin",
        Role::Member => "a member",
    };
    view! {
        <p>"You’re joining " {workspace} " as " {role} " with " <strong>{email}</strong> "."</p>
        <ActionForm action=accept attr:novalidate=true>
            <input type="hidden" name="token" value=token/>
            <FormAlert error=form.error()/>
            {if has_account {
                view! {
                    <p class="field-hint">"You already have an HREF CRM account with this email. Enter its password to accept."</p>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password"
                        error=form.field_error("password")/>
                }.into_any()
            } else {
                view! {
                    <Field label="Your name" name="name" autocomplete="name"
                        value=form.value("name") error=form.field_error("name")/>
                    <Field label="Password" name="password" kind="password" autocomplete="new-password"
                        hint="At least 8 characters. A few unusual words make a strong password."
                        error=form.field_error("password")/>
                }.into_any()
            }}
            <button type="submit" class="button primary wide" aria-disabled=move || pending.get().then_some("true")>
                {move || if pending.get() { "Accepting…" } else { "Accept invite" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn InviteClosed(view: InviteView) -> impl IntoView {
    set_status(410);
    let message = match view {
        InviteView::Accepted => "This invite has already been used. Sign in instead.".to_owned(),
        InviteView::Revoked => {
            "This invite was withdrawn. Ask an admin of the workspace for a new one.".to_owned()
        }
        InviteView::Expired => {
            "This invite has expired. Ask an admin of the workspace for a new one.".to_owned()
        }
        InviteView::WorkspaceClosed(message) => format!("{message} Invites cannot be accepted."),
        InviteView::NotFound | InviteView::Open { .. } => {
            "This invite link is not valid.".to_owned()
        }
    };
    view! {
        <p class="notice notice-error" role="alert">{message}</p>
        <a class="button" href="/login">"Go to sign in"</a>
    }
}
