//! `/admin/audit`: every audit entry, filtered by tenant, actor, action and dates, a page
//! at a time, and **Export CSV** of the filtered view.

use domain::console::AuditPage;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::console::audit::get_audit_page,
    components::query_value,
    pages::console::{changes, console_page},
};

const FILTERS: [&str; 5] = ["tenant", "actor", "action", "from", "to"];

fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
pub fn AuditPageView() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        (
            FILTERS.map(|f| q.get(f).filter(|v| !v.is_empty())),
            q.get("after").filter(|v| !v.is_empty()),
            q.get("before").filter(|v| !v.is_empty()),
        )
    });
    let changes = changes();
    let page = Resource::new(
        move || (params.get(), changes.get()),
        |(([tenant, actor, action, from, to], after, before), _)| {
            get_audit_page(tenant, actor, action, from, to, after, before)
        },
    );
    console_page("Audit", page, move |page| {
        view! { <AuditView page/> }.into_any()
    })
}

#[component]
fn AuditView(page: AuditPage) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filters: Vec<(String, String)> = FILTERS
        .iter()
        .filter_map(|f| {
            query
                .get(f)
                .filter(|v| !v.is_empty())
                .map(|v| ((*f).to_owned(), v))
        })
        .collect();
    let value = |name: &str| query.get(name).unwrap_or_default();
    let filtered = !filters.is_empty();
    let base = query_string(&filters);
    let with = |extra: (&str, String)| {
        let mut pairs = filters.clone();
        pairs.push((extra.0.to_owned(), extra.1));
        format!("/admin/audit?{}", query_string(&pairs))
    };
    let csv = if base.is_empty() {
        "/admin/audit.csv".to_owned()
    } else {
        format!("/admin/audit.csv?{base}")
    };
    view! {
        <h1>"Audit log"</h1>
        <form method="get" action="/admin/audit" class="filters">
            <div class="field"><label for="audit-tenant">"Tenant"</label>
                <input id="audit-tenant" name="tenant" value=value("tenant") placeholder="subdomain" autocomplete="off"/></div>
            <div class="field"><label for="audit-actor">"Actor"</label>
                <input id="audit-actor" name="actor" value=value("actor") placeholder="e.g. staff email, cli" autocomplete="off"/></div>
            <div class="field"><label for="audit-action">"Action"</label>
                <input id="audit-action" name="action" value=value("action") placeholder="e.g. tenant.suspend" autocomplete="off"/></div>
            <div class="field"><label for="audit-from">"From"</label>
                <input id="audit-from" name="from" type="date" value=value("from")/></div>
            <div class="field"><label for="audit-to">"To"</label>
                <input id="audit-to" name="to" type="date" value=value("to")/></div>
            <button type="submit" class="button primary">"Filter"</button>
            {filtered.then(|| view! { <a class="button ghost" href="/admin/audit">"Clear"</a> })}
            <a class="button" href=csv download rel="external">"Export CSV"</a>
        </form>
        {if page.entries.is_empty() {
            view! { <p class="empty" role="status">{if filtered { "No entries match these filters." } else { "No entries yet." }}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll"><table class="table audit">
                    <caption class="visually-hidden">"Audit entries"</caption>
                    <thead><tr><th scope="col">"Time"</th><th scope="col">"Actor"</th><th scope="col">"Action"</th><th scope="col">"Subject"</th><th scope="col">"Detail"</th></tr></thead>
                    <tbody>
                        {page.entries.into_iter().map(|e| view! {
                            <tr><td>{e.at}</td><td>{e.actor}</td><td class="mono">{e.action}</td><td>{e.subject}</td><td>{e.detail}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {page.newer.map(|c| view! { <a class="button" rel="prev" href=with(("before", c))>"Previous"</a> })}
            {page.older.map(|c| view! { <a class="button" rel="next" href=with(("after", c))>"Next"</a> })}
        </nav>
    }
}
