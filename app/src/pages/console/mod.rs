//! The staff console on the apex (`/admin…`, `docs/console.md`): every page drawn by
//! [`console_page`], in the console's frame; a visitor who is not signed in as staff gets
//! the staff sign-in form in its place, and any other host a 404.

pub mod account;
pub mod audit;
pub mod new_tenant;
pub mod outbox;
pub mod sign_in;
pub mod staff;
pub mod tenant;
pub mod tenants;

use domain::{TenantStatus, console::StaffState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    api::console::auth::{StaffSignOut, get_staff_state},
    components::set_status,
    error::AppError,
    pages::{console::sign_in::StaffSignInForm, not_found::NotFound},
    site::{Site, use_site},
};

/// A console page titled `title`: `page` drawn with what `data` loads, in the console's
/// frame; the sign-in form (which returns here) for a visitor who is not signed in as staff.
pub fn console_page<T, V>(
    title: &'static str,
    data: Resource<Result<T, AppError>>,
    page: V,
) -> AnyView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    if use_site() != Site::Apex {
        return view! { <NotFound/> }.into_any();
    }
    // Console pages show what other tenants own, and once an API key: no cache keeps them.
    crate::components::no_store();
    // Pages render on the server once their data is in (`SsrMode::Async`), so the fallback
    // shows only while a link inside the console loads the next page: in the frame, so
    // that the navigation stays in place.
    let loading = || {
        view! {
            <ConsoleLayout>
                <p class="loading">"Loading…"</p>
            </ConsoleLayout>
        }
    };
    view! {
        <Transition fallback=loading>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! {
                            <Title text=title/>
                            <ConsoleLayout>{page(data)}</ConsoleLayout>
                        }.into_any(),
                        Err(AppError::SignInRequired) => {
                            view! { <StaffSignInForm next=here().get_untracked()/> }.into_any()
                        }
                        Err(AppError::TwoFactorRequired) => {
                            set_status(403);
                            view! {
                                <Title text=title/>
                                <ConsoleLayout>
                                    <h1>"Turn on two-factor first"</h1>
                                    <p class="notice" role="alert">
                                        "HREF staff sign in with two-factor. The console opens once it is on for your account."
                                    </p>
                                    <p><a class="button primary" href="/admin/account">"Set up two-factor"</a></p>
                                </ConsoleLayout>
                            }.into_any()
                        }
                        Err(e) => {
                            set_status(e.status());
                            view! {
                                <Title text=title/>
                                <ConsoleLayout>
                                    <p class="notice notice-error" role="alert">{e.to_string()}</p>
                                </ConsoleLayout>
                            }.into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}

/// How many console actions went through on this page (sign-in included): each page's data
/// is keyed on it, so it loads again after a change, also when the change's redirect lands
/// on the address the page already has. A refused action does not count, so its form keeps
/// what was typed.
#[derive(Clone, Copy)]
struct Changes(RwSignal<usize>);

/// Starts the count of changes for the page being drawn; key the page's data on it.
pub fn changes() -> Signal<usize> {
    let count = RwSignal::new(0);
    provide_context(Changes(count));
    count.into()
}

/// Counts `action`'s successes as changes of the page it is on.
pub fn counts_as_change<S>(action: ServerAction<S>)
where
    S: server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let Some(Changes(count)) = use_context::<Changes>() else {
        return;
    };
    let value = action.value();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            count.update(|n| *n += 1);
        }
    });
}

/// The console's pages, in the order of the navigation.
const AREAS: [(&str, &str); 6] = [
    ("/admin", "Tenants"),
    ("/admin/new", "New tenant"),
    ("/admin/audit", "Audit"),
    ("/admin/outbox", "Outbox"),
    ("/admin/staff", "Staff"),
    ("/admin/account", "Account"),
];

/// The console's frame: navigation, who is signed in, **Sign out**, and the outcome of
/// the last action.
#[component]
fn ConsoleLayout(children: Children) -> impl IntoView {
    let path = use_location().pathname;
    let state = Resource::new(|| (), |_| get_staff_state());
    let sign_out = ServerAction::<StaffSignOut>::new();
    let current = move |href: &'static str| {
        move || {
            let path = path.get();
            let here = if href == "/admin" {
                path == "/admin" || path.starts_with("/admin/tenants")
            } else {
                path.starts_with(href)
            };
            here.then_some("page")
        }
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar console-bar">
            <a class="topbar-brand" href="/admin"><span>"HREF CRM"</span> <span class="tag">"staff"</span></a>
            <nav aria-label="Console">
                {AREAS.into_iter().map(|(href, label)| view! {
                    <a href=href aria-current=current(href)>{label}</a>
                }).collect_view()}
            </nav>
            <div class="topbar-user">
                <Suspense>
                    {move || Suspend::new(async move {
                        match state.await {
                            Ok(StaffState::SignedIn { email }) => Some(view! { <span class="topbar-name">{email}</span> }),
                            _ => None,
                        }
                    })}
                </Suspense>
                <ActionForm action=sign_out>
                    <button type="submit" class="button ghost">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="main" class="workspace console">
            <Done/>
            {children()}
        </main>
    }
}

/// The sentence for `?done=<key>` (and `&tenant=<subdomain>`): what the last action did.
/// Only known keys are shown, and a subdomain only when it is one.
fn done_message(key: &str, tenant: Option<&str>) -> Option<String> {
    let who = tenant
        .filter(|t| domain::Slug::parse(t).is_ok())
        .unwrap_or("The workspace");
    Some(match key {
        "approved" => format!("{who} is approved. Its admins were emailed and its splash is live."),
        "rejected" => format!("{who} was rejected. Its admin was emailed the reason."),
        "suspended" => format!(
            "{who} is suspended. Its sessions and intake stopped, and its admins were emailed."
        ),
        "reactivated" => format!("{who} is active again. Its admins were emailed."),
        "deleted" => format!(
            "{who} was deleted. Its subdomain is quarantined for 30 days; its audit entries stay."
        ),
        "plan-saved" => "Plan saved. The seat limit applies to the next invite.".to_owned(),
        "plan-unchanged" => "The plan was already so; nothing changed.".to_owned(),
        "provisioned" => format!("{who} was provisioned."),
        "retried" => "The email is queued again and goes out with the next delivery.".to_owned(),
        "two-factor-on" => {
            "Two-factor is on. Every sign-in now asks for a code; your other sessions have ended."
                .to_owned()
        }
        "two-factor-off" => "Two-factor is off. Your other sessions have ended.".to_owned(),
        "staff-disabled" => {
            "The staff account is disabled: its sessions ended and it cannot sign in.".to_owned()
        }
        "staff-sessions-ended" => "Every session of that staff account has ended.".to_owned(),
        "password-changed" => "Password changed. Your other sessions have ended.".to_owned(),
        _ => return None,
    })
}

#[component]
fn Done() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let query = query.read();
        query
            .get("done")
            .and_then(|key| done_message(&key, query.get("tenant").as_deref()))
    };
    view! { <p class="notice done" role="status">{message}</p> }
}

/// A status as a badge, by its name in the life cycle (`pending`, `active`…).
pub fn status_badge(status: TenantStatus) -> impl IntoView {
    let class = format!("badge badge-{}", status.as_str());
    view! { <span class=class>{status.as_str()}</span> }
}

/// "Pending", "Active"…
pub fn status_label(status: TenantStatus) -> &'static str {
    match status {
        TenantStatus::Pending => "Pending",
        TenantStatus::Active => "Active",
        TenantStatus::Suspended => "Suspended",
        TenantStatus::Rejected => "Rejected",
    }
}

/// The query parameter `name` of the current page, if it is set.
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.is_empty()))
}

/// The current page's path and query, for an action to return to.
pub fn here() -> Signal<String> {
    crate::components::current_address()
}
