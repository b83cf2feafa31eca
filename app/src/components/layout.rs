//! The frame of a signed-in workspace page: brand, navigation, who is signed in.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    api::auth::{SignOut, get_viewer},
    error::AppError,
    site::use_tenant,
};

/// What a signed-in page shows for its data: the page in the workspace frame, the way to
/// sign in, or what went wrong.
pub fn member_view<T>(
    result: Result<T, AppError>,
    page: impl FnOnce(T) -> AnyView + Send + 'static,
) -> AnyView
where
    T: Send + 'static,
{
    match result {
        Ok(data) => view! { <WorkspaceLayout>{page(data)}</WorkspaceLayout> }.into_any(),
        Err(AppError::SignInRequired) => view! { <Redirect path="/login"/> }.into_any(),
        Err(e) => {
            crate::components::set_status(e.status());
            view! {
            <main id="main" class="message-page">
                <p class="notice notice-error" role="alert">{e.to_string()}</p>
            </main>
            }
            .into_any()
        }
    }
}

/// A workspace page: top bar with the workspace's name, navigation and **Sign out**.
#[component]
pub fn WorkspaceLayout(children: Children) -> impl IntoView {
    let tenant = use_tenant();
    let name = tenant.as_ref().map(|t| t.name.clone()).unwrap_or_default();
    let pending = tenant.is_some_and(|t| t.status == domain::TenantStatus::Pending);
    let viewer = Resource::new(|| (), |_| get_viewer());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="topbar-brand" href="/leads">
                <img src="/brand/logo" alt="" width="32" height="32"/>
                <span>{name}</span>
            </a>
            <nav aria-label="Workspace">
                <a href="/leads">"Pipeline"</a>
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
