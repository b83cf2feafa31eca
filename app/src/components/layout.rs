//! The frame of a signed-in workspace page: brand, navigation, who is signed in.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use crate::{
    api::auth::{SignOut, get_viewer},
    components::set_status,
    error::AppError,
    site::use_tenant,
};

/// What a signed-in page shows for its data: the page in the workspace frame, the way to
/// sign in (and back here afterwards), a 403 with the way back to the board, or what went
/// wrong.
pub fn member_view<T>(
    result: Result<T, AppError>,
    page: impl FnOnce(T) -> AnyView + Send + 'static,
) -> AnyView
where
    T: Send + 'static,
{
    match result {
        Ok(data) => view! { <WorkspaceLayout>{page(data)}</WorkspaceLayout> }.into_any(),
        Err(AppError::SignInRequired) => {
            let location = use_location();
            let here = crate::components::address_of(
                location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            // A page rendered on the server remembers where to return in a cookie, so the
            // sign-in page's address stays `/login`; in the browser the address carries it.
            #[cfg(feature = "ssr")]
            let path = {
                crate::ssr::auth::remember_next(&here);
                "/login".to_owned()
            };
            #[cfg(not(feature = "ssr"))]
            let path = format!("/login?next={}", crate::components::query_value(&here));
            view! { <Redirect path/> }.into_any()
        }
        Err(AppError::Forbidden(message)) => {
            set_status(403);
            view! {
                <WorkspaceLayout>
                    <div class="message-page">
                        <h1>"Not for you, sorry"</h1>
                        <p class="notice notice-error" role="alert">{message}</p>
                        <a class="button primary" href="/leads">"Back to the pipeline"</a>
                    </div>
                </WorkspaceLayout>
            }
            .into_any()
        }
        Err(e) => {
            set_status(e.status());
            view! {
                <main id="main" class="message-page">
                    <p class="notice notice-error" role="alert">{e.to_string()}</p>
                </main>
            }
            .into_any()
        }
    }
}

/// A workspace page: top bar with the workspace's logo and name, navigation (Settings for
/// admins), who is signed in and **Sign out**.
#[component]
pub fn WorkspaceLayout(children: Children) -> impl IntoView {
    let tenant = use_tenant();
    let name = tenant.as_ref().map(|t| t.name.clone()).unwrap_or_default();
    let pending = tenant.is_some_and(|t| t.status == domain::TenantStatus::Pending);
    let viewer = Resource::new(|| (), |_| get_viewer());
    let sign_out = ServerAction::<SignOut>::new();
    let path = use_location().pathname;
    let current =
        move |prefix: &'static str| move || path.get().starts_with(prefix).then_some("page");
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="topbar-brand" href="/leads">
                <img src="/brand/logo" alt="" width="32" height="32"/>
                <span>{name}</span>
            </a>
            <nav aria-label="Workspace">
                <a href="/leads" aria-current=current("/leads")>"Pipeline"</a>
                <Suspense>
                    {move || Suspend::new(async move {
                        viewer.await.ok().flatten().filter(|v| v.is_admin).map(|_| view! {
                            <a href="/settings/branding" aria-current=current("/settings")>"Settings"</a>
                        })
                    })}
                </Suspense>
            </nav>
            <div class="topbar-user">
                <Suspense>
                    {move || Suspend::new(async move {
                        viewer.await.ok().flatten().map(|v| view! {
                            <span class="topbar-name" title=v.email>{v.name}</span>
                        })
                    })}
                </Suspense>
                <ActionForm action=sign_out>
                    <button type="submit" class="button ghost">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        {pending.then(|| view! {
            <p class="banner" role="status">
                "This workspace is awaiting approval. You can get it ready; leads arrive once HREF approves it."
            </p>
        })}
        <main id="main" class="workspace">{children()}</main>
    }
}
