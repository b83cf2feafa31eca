//! `/admin/outbox`: the emails pending, sent and failed, with attempts and the last error;
//! **Retry** for a failed one. Who, what and when: never a body, a link or a token.

use domain::console::{OutboxEmail, OutboxPage};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::console::outbox::{RetryEmail, get_outbox_page},
    components::form::{FormAlert, FormState},
    components::query_value,
    pages::console::{changes, console_page, counts_as_change, here},
};

#[component]
pub fn OutboxPageView() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        ["status", "to", "after", "before"].map(|n| q.get(n).filter(|v| !v.is_empty()))
    });
    let changes = changes();
    let page = Resource::new(
        move || (params.get(), changes.get()),
        |([status, to, after, before], _)| get_outbox_page(status, to, after, before),
    );
    console_page("Outbox", page, move |page| {
        view! { <OutboxView page/> }.into_any()
    })
}

#[component]
fn OutboxView(page: OutboxPage) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let status = query.get("status").unwrap_or_default();
    let to = query.get("to").unwrap_or_default();
    let retry = ServerAction::<RetryEmail>::new();
    counts_as_change(retry);
    let retry_error = FormState::new(retry).error();
    // A tab keeps the recipient filter.
    let tab = |value: &'static str, label: String| {
        let params: Vec<String> = [
            (!value.is_empty()).then(|| format!("status={value}")),
            (!to.is_empty()).then(|| format!("to={}", query_value(&to))),
        ]
        .into_iter()
        .flatten()
        .collect();
        let href = if params.is_empty() {
            "/admin/outbox".to_owned()
        } else {
            format!("/admin/outbox?{}", params.join("&"))
        };
        let current = (status == value).then_some("page");
        view! { <a class="tab" href=href aria-current=current>{label}</a> }
    };
    let all = page.held + page.pending + page.sent + page.failed;
    let (state, recipient) = (status.clone(), to.clone());
    let with = move |extra: (&str, String)| {
        let mut q = Vec::new();
        if !state.is_empty() {
            q.push(format!("status={state}"));
        }
        if !recipient.is_empty() {
            q.push(format!("to={}", query_value(&recipient)));
        }
        q.push(format!("{}={}", extra.0, extra.1));
        format!("/admin/outbox?{}", q.join("&"))
    };
    view! {
        <h1>"Outbox"</h1>
        <nav class="tabs" aria-label="Email states">
            {tab("", format!("All ({all})"))}
            {tab("held", format!("Held ({})", page.held))}
            {tab("pending", format!("Pending ({})", page.pending))}
            {tab("sent", format!("Sent ({})", page.sent))}
            {tab("failed", format!("Failed ({})", page.failed))}
        </nav>
        <form method="get" action="/admin/outbox" class="filters" role="search">
            {(!status.is_empty()).then(|| view! { <input type="hidden" name="status" value=status.clone()/> })}
            <div class="field">
                <label for="outbox-to">"Recipient"</label>
                <input id="outbox-to" name="to" type="search" value=to.clone() autocomplete="off" placeholder="Part of an address"/>
            </div>
            <button type="submit" class="button primary">"Filter"</button>
        </form>
        <FormAlert error=retry_error/>
        {if page.emails.is_empty() {
            view! { <p class="empty" role="status">"No emails here."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll"><table class="table outbox">
                    <caption class="visually-hidden">"Emails"</caption>
                    <thead><tr>
                        <th scope="col">"Queued"</th><th scope="col">"To"</th><th scope="col">"Subject"</th>
                        <th scope="col">"Workspace"</th><th scope="col">"Status"</th><th scope="col">"Attempts"</th>
                        <th scope="col">"Last error"</th><th scope="col">"When"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {page.emails.into_iter().map(|email| view! { <EmailRow email retry/> }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {page.newer.clone().map(|c| view! { <a class="button" rel="prev" href=with(("before", c))>"Previous"</a> })}
            {page.older.clone().map(|c| view! { <a class="button" rel="next" href=with(("after", c))>"Next"</a> })}
        </nav>
    }
}

#[component]
fn EmailRow(email: OutboxEmail, retry: ServerAction<RetryEmail>) -> impl IntoView {
    let failed = email.status == "failed";
    let back = here();
    let pending = retry.pending();
    let status_class = format!("badge badge-mail-{}", email.status);
    view! {
        <tr>
            <td>{email.created}</td>
            <td>{email.to}</td>
            <td>{email.subject}</td>
            <td class="mono">{email.tenant.unwrap_or_default()}</td>
            <td><span class=status_class>{email.status.clone()}</span></td>
            <td>{email.attempts}</td>
            <td class="error-text">{email.last_error.unwrap_or_default()}</td>
            <td>{email.when}</td>
            <td>
                {failed.then(|| view! {
                    <ActionForm action=retry attr:class="inline">
                        <input type="hidden" name="email" value=email.id.to_string()/>
                        <input type="hidden" name="back" value=move || back.get()/>
                        <button type="submit" class="button small" disabled=move || pending.get()>
                            {move || if pending.get() { "Retrying…" } else { "Retry" }}
                        </button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
