//! `/`: the landing page on the apex, the branded splash on a tenant host.

use domain::TenantStatus;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::set_status,
    pages::not_found::NotFound,
    site::{Site, TenantSite, use_site},
};

#[component]
pub fn HomePage() -> impl IntoView {
    match use_site() {
        Site::Apex => view! { <Landing/> }.into_any(),
        Site::Tenant(tenant) => view! { <Splash tenant/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}

/// The platform's front page.
#[component]
fn Landing() -> impl IntoView {
    view! {
        <Title text="Your CRM, live in a minute"/>
        <div class="landing">
            <header class="landing-nav">
                <span class="wordmark">"HREF CRM"</span>
                <a href="/login">"Find your workspace"</a>
            </header>
            <main id="main">
                <section class="hero">
                    <h1>"Your team’s CRM, live in under a minute."</h1>
                    <p class="lead">
                        "Pick a subdomain, put your brand on it, invite your team and start receiving "
                        "leads from your website. No sales call, no setup fee, no waiting."
                    </p>
                    <a class="button primary large" href="/signup">"Start your workspace"</a>
                </section>
                <section class="features" aria-label="What you get">
                    <div>
                        <h2>"Yours from the first second"</h2>
                        <p>"Your own address, logo and colours on every page your team and clients see."</p>
                    </div>
                    <div>
                        <h2>"Leads straight from your site"</h2>
                        <p>"One API key and a single POST: new enquiries land at the top of your pipeline."</p>
                    </div>
                    <div>
                        <h2>"Private by construction"</h2>
                        <p>"Every workspace is sealed off in the database itself, not just in the app."</p>
                    </div>
                </section>
            </main>
        </div>
    }
}

/// A tenant's branded front door: its name as the h1, its logo, tagline and `--brand` colour.
#[component]
fn Splash(tenant: TenantSite) -> impl IntoView {
    let closed = tenant.status.closed_message();
    if closed.is_some() {
        set_status(403);
    }
    let notice = match (tenant.status, closed) {
        (TenantStatus::Pending, _) => Some(view! {
            <p class="notice" role="status">
                "This workspace is awaiting approval. Its admins can already sign in and get it ready."
            </p>
        }.into_any()),
        (_, Some(message)) => Some(view! { <p class="notice notice-error" role="alert">{message}</p> }.into_any()),
        _ => None,
    };
    let logo_alt = format!("{} logo", tenant.name);
    view! {
        <Title text=""/>
        <main id="main" class="splash">
            <div class="splash-card">
                <img class="splash-logo" src="/brand/logo" alt=logo_alt width="96" height="96"/>
                <h1>{tenant.name.clone()}</h1>
                {(!tenant.tagline.is_empty()).then(|| view! { <p class="tagline">{tenant.tagline.clone()}</p> })}
                {notice}
                {tenant.status.can_sign_in().then(|| view! {
                    <a class="button primary" href="/login">"Sign in"</a>
                })}
            </div>
            <footer class="splash-footer">
                "Powered by " <a href=tenant.apex_url.clone()>"HREF CRM"</a>
            </footer>
        </main>
    }
}
