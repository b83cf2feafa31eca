//! `/settings/usage`: seats against the plan's limit, and leads.

use domain::settings::Usage;
use leptos::prelude::*;

use crate::{api::activity::get_usage, pages::settings::settings_page};

#[component]
pub fn UsageSettingsPage() -> impl IntoView {
    let usage = Resource::new(|| (), |_| get_usage());
    settings_page("Usage", usage, |usage| {
        view! { <UsageView usage/> }.into_any()
    })
}

#[component]
fn UsageView(usage: Usage) -> impl IntoView {
    let seats = usage.seats.clone();
    view! {
        <h1>"Usage"</h1>
        <section class="panel" aria-labelledby="seats-heading">
            <h2 id="seats-heading">"Seats"</h2>
            <p>"Plan: " <strong>{seats.plan.label()}</strong></p>
            {seats.limit.map(|limit| view! {
                <progress class="seat-bar" max=limit.to_string() value=seats.used().min(limit).to_string()
                    aria-label="Seats used" aria-describedby="seats-text"></progress>
            })}
            <p id="seats-text">{seats.describe()}</p>
        </section>
        <section class="panel" aria-labelledby="leads-heading">
            <h2 id="leads-heading">"Leads"</h2>
            <dl class="facts">
                <dt>"This month"</dt><dd>{usage.leads_this_month}</dd>
                <dt>"In total"</dt><dd>{usage.leads_total}</dd>
                <dt>"Last lead"</dt><dd>{usage.last_lead.unwrap_or_else(|| "None yet".into())}</dd>
            </dl>
        </section>
    }
}
