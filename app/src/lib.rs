//! HREF CRM's pages, components and server functions. Built with `ssr` into the server and
//! with `hydrate` into the browser's wasm (the `frontend` crate).

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
pub mod site;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Redirect, Route, Router, Routes},
    path,
};

use crate::{
    pages::{
        board::BoardPage,
        console::{
            account::StaffAccountPage, audit::AuditPageView, new_tenant::NewTenantPage,
            outbox::OutboxPageView, sign_in::StaffLoginPage, staff::StaffPage,
            tenant::ConsoleTenantPage, tenants::TenantsPage,
        },
        forgot_password::ForgotPasswordPage,
        home::HomePage,
        invite::InvitePage,
        not_found::{NotFound, Unavailable, UnknownWorkspace},
        reset_password::ResetPasswordPage,
        settings::{
            activity::ActivitySettingsPage, api_key::ApiSettingsPage,
            branding::BrandingSettingsPage, domains::DomainsSettingsPage,
            pipeline::PipelineSettingsPage, sso::SsoSettingsPage, team::TeamSettingsPage,
            usage::UsageSettingsPage,
        },
        sign_in::SignInPage,
        signup::SignupPage,
        staff_setup::{StaffPasswordSetPage, StaffSetupPage},
        verify::VerifyEmailPage,
        welcome::WelcomePage,
    },
    site::Site,
};

/// Where every server function's URL starts (`.cargo/config.toml` sets it for Leptos's
/// macro and for this crate alike).
pub const SERVER_FN_PREFIX: &str = concat!(env!("SERVER_FN_PREFIX"), "/");

/// The HTML document around the app (server only).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::{HashedStylesheet, MetaTags};

    let page = ssr::page::settings();
    view! {
        <!DOCTYPE html>
        <html lang="en" style=page.brand_style>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The stylesheet by its content's name, as the build made it.
                <HashedStylesheet options=options.clone() id="leptos"/>
                {page.hydrate.then(|| view! { <HydrationScripts options/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title: "Page · Workspace". leptos_meta 0.8 writes the title into the
/// server's HTML without escaping it (in the browser it sets `document.title`, which needs
/// none), so on the server the text is escaped here: a workspace named `</title><script>`
/// must stay text.
fn title_text(page: &str, site_name: &str) -> String {
    let title = if page.is_empty() {
        site_name.to_owned()
    } else {
        format!("{page} · {site_name}")
    };
    #[cfg(feature = "ssr")]
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    title
}

/// The app: the same tree on the server and, once hydrated, in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Resolved from the Host header on the server, read back from the page on hydration.
    let site = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            site::site_of_request()
        }
        #[cfg(not(feature = "ssr"))]
        {
            Site::UnknownHost
        }
    })
    .into_inner();
    provide_context(site.clone());
    // The apex and protocol, for links the browser builds (the signup's preview).
    let links = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<ssr::AppState>()
                .map(|state| state.platform.links.clone())
                .unwrap_or_else(|| domain::Links::new("http", "localhost:3000"))
        }
        #[cfg(not(feature = "ssr"))]
        {
            domain::Links::new("http", "localhost:3000")
        }
    })
    .into_inner();
    provide_context(links);
    let site_name = match &site {
        Site::Tenant(tenant) => tenant.name.clone(),
        _ => "HREF CRM".to_owned(),
    };

    view! {
        <Title formatter=move |page: String| title_text(&page, &site_name)/>
        <Router>
            {match site {
                Site::UnknownTenant { slug, claim_url } => {
                    view! { <UnknownWorkspace slug claim_url/> }.into_any()
                }
                Site::Unavailable => view! { <Unavailable/> }.into_any(),
                _ => view! {
                    // Async: every page arrives complete, so it works with scripting off
                    // (out-of-order streaming needs JavaScript to fill in Suspense).
                    <Routes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                        <Route path=path!("/login") view=SignInPage ssr=SsrMode::Async/>
                        <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async/>
                        <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                        <Route path=path!("/welcome") view=WelcomePage ssr=SsrMode::Async/>
                        <Route path=path!("/verify/:token") view=VerifyEmailPage ssr=SsrMode::Async/>
                        <Route path=path!("/leads") view=BoardPage ssr=SsrMode::Async/>
                        <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                        <Route path=path!("/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings") view=|| view! { <Redirect path="/settings/branding"/> } ssr=SsrMode::Async/>
                        <Route path=path!("/settings/branding") view=BrandingSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/team") view=TeamSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/domains") view=DomainsSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/pipeline") view=PipelineSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/api") view=ApiSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/sso") view=SsoSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/activity") view=ActivitySettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/usage") view=UsageSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin") view=TenantsPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/login") view=StaffLoginPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/tenants/:slug") view=ConsoleTenantPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/new") view=NewTenantPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/audit") view=AuditPageView ssr=SsrMode::Async/>
                        <Route path=path!("/admin/outbox") view=OutboxPageView ssr=SsrMode::Async/>
                        <Route path=path!("/admin/staff") view=StaffPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/account") view=StaffAccountPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/setup/:token") view=StaffSetupPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/password-set") view=StaffPasswordSetPage ssr=SsrMode::Async/>
                    </Routes>
                }.into_any(),
            }}
        </Router>
    }
}
