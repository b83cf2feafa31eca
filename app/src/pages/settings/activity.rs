//! `/settings/activity`: the workspace's audit log, newest first, filtered by action,
//! a page at a time.

use domain::settings::ActivityPage;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{api::activity::get_activity, pages::settings::settings_page};

#[component]
pub fn ActivitySettingsPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (q.get("action"), q.get("before"), q.get("after"))
        },
        |(action, before, after)| get_activity(action, before, after),
    );
    settings_page("Activity", page, move |page| {
        let action = query.read_untracked().get("action").unwrap_or_default();
        view! { <ActivityView page action/> }.into_any()
    })
}

#[component]
fn ActivityView(page: ActivityPage, action: String) -> impl IntoView {
    let link = |cursor_name: &str, cursor: &str| {
        let query = query_string(&[("action", action.as_str()), (cursor_name, cursor)]);
        format!("/settings/activity?{query}")
    };
    let newer = page.newer.as_deref().map(|c| link("after", c));
    let older = page.older.as_deref().map(|c| link("before", c));
    view! {
        <h1>"Activity"</h1>
        <form method="get" action="/settings/activity" class="row filter">
            <label for="activity-action">"Action"</label>
            <select id="activity-action" name="action">
                <option value="" selected=action.is_empty()>"All actions"</option>
                {page.actions.iter().map(|(value, label)| view! {
                    <option value=value.clone() selected=*value == action>{label.clone()}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button small">"Filter"</button>
        </form>
        {if page.entries.is_empty() {
            view! { <p class="empty" role="status">"Nothing to show yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll"><table class="table">
                    <caption class="visually-hidden">"Audit entries, newest first"</caption>
                    <thead>
                        <tr><th scope="col">"Time"</th><th scope="col">"Actor"</th><th scope="col">"Action"</th><th scope="col">"Subject"</th></tr>
                    </thead>
                    <tbody>
                        {page.entries.into_iter().map(|entry| view! {
                            <tr>
                                <td>{entry.at}</td>
                                <td>{entry.actor}</td>
                                <td>{entry.action}</td>
                                <td>{entry.subject}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {newer.map(|href| view! { <a class="button small" href=href>"Previous"</a> })}
            {older.map(|href| view! { <a class="button small" href=href>"Next"</a> })}
        </nav>
    }
}

/// `a=1&b=2`, leaving out empty values.
fn query_string(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
