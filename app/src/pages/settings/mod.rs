//! `/settings/*` on a workspace host: its admins' Settings, one page per area under one
//! navigation. A member gets a 403 with the way back to the board; a signed-out visitor is
//! sent to sign in, and back.

pub mod activity;
pub mod api_key;
pub mod branding;
pub mod domains;
pub mod pipeline;
pub mod sso;
pub mod team;
pub mod usage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    components::layout::member_view, error::AppError, pages::not_found::NotFound, site::use_tenant,
};

/// The areas of Settings, in the order of the navigation.
const AREAS: [(&str, &str); 8] = [
    ("/settings/branding", "Branding"),
    ("/settings/domains", "Domains"),
    ("/settings/team", "Team"),
    ("/settings/pipeline", "Pipeline"),
    ("/settings/api", "API"),
    ("/settings/sso", "Single sign-on"),
    ("/settings/activity", "Activity"),
    ("/settings/usage", "Usage"),
];

/// A Settings page titled `title`: `page` drawn with what `data` loads, in the workspace
/// frame and the Settings navigation, or what a non-admin or a signed-out visitor gets
/// instead; a 404 on a host that is not a workspace.
pub fn settings_page<T, V>(
    title: &'static str,
    data: Resource<Result<T, AppError>>,
    page: V,
) -> AnyView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    // Pages render on the server once their data is in (`SsrMode::Async`), so the fallback
    // shows only while a link inside Settings loads the next area: beside the Settings
    // navigation, so that it stays in place.
    let loading = || {
        view! {
            <SettingsLayout>
                <p class="loading">"Loading…"</p>
            </SettingsLayout>
        }
    };
    view! {
        <Title text=title/>
        <Transition fallback=loading>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    member_view(data.await, move |data| {
                        view! { <SettingsLayout>{page(data)}</SettingsLayout> }.into_any()
                    })
                })
            }}
        </Transition>
    }
    .into_any()
}

/// How many changes went through, of all of `changes`: what a page's data is loaded again on.
pub fn all_changes<const N: usize>(changes: [Memo<usize>; N]) -> Signal<usize> {
    Signal::derive(move || changes.iter().map(|c| c.get()).sum())
}

/// The Settings navigation beside the page, and the outcome of the last change.
#[component]
fn SettingsLayout(children: Children) -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <div class="settings">
            <nav class="settings-nav" aria-label="Settings">
                <ul>
                    {AREAS.into_iter().map(|(href, label)| view! {
                        <li>
                            <a href=href aria-current=move || (path.get() == href).then_some("page")>{label}</a>
                        </li>
                    }).collect_view()}
                </ul>
            </nav>
            <div class="settings-body">
                <Done/>
                {children()}
            </div>
        </div>
    }
}

/// The sentence for `?done=<key>`: what the last change did. Only known keys are shown,
/// so no address can put words of its own on the page.
fn done_message(key: &str) -> Option<&'static str> {
    Some(match key {
        "saved" => "Branding saved. The splash, the header and new emails show it now.",
        "invite-sent" => "Invite sent.",
        "invite-resent" => "Invite sent again, with a new link. The old link no longer works.",
        "invite-revoked" => "Invite revoked. Its link no longer works.",
        "role-changed" => "Role changed. It applies at once.",
        "member-removed" => "Member removed. Their sessions have ended.",
        "stage-added" => "Stage added.",
        "stage-saved" => "Stage saved.",
        "stage-moved" => "Stage moved.",
        "stage-deleted" => "Stage deleted.",
        "rotated" => "The API key was rotated.",
        "old-revoked" => "The old API key no longer works.",
        "domain-added" => "Domain added. Publish its two DNS records, then click Verify.",
        "domain-verified" => "The ownership record was found: the domain opens this workspace now.",
        "domain-checked" => "Looked up: see what was found under the domain.",
        "domain-primary" => "Primary domain set. Emails and links use it from now on.",
        "domain-removed" => "Domain removed. It no longer opens this workspace.",
        "sso-saved" => {
            "Connection saved: the provider answered. Prove the email domains below, then try Sign in with SSO."
        }
        "sso-domain-verified" => "Email domain proven: its people can sign in with SSO.",
        "sso-required" => "SSO is required now: members sign in only with SSO.",
        "sso-not-required" => {
            "SSO is no longer required: members may sign in with a password again."
        }
        _ => return None,
    })
}

#[component]
fn Done() -> impl IntoView {
    let query = use_query_map();
    let message = move || query.read().get("done").and_then(|key| done_message(&key));
    view! {
        <p class="notice done" role="status">{message}</p>
    }
}

/// The query parameter `name` of the current page (for confirm steps).
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.is_empty()))
}
