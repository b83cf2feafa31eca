//! `/admin`: the approval queue, then every tenant: **Search**, **Status** (with counts),
//! sort, keyset pages (**Previous**, **Next**), and each row's actions. Reject, Suspend and
//! Delete ask first in the row (`?reject=`, `?suspend=`, `?delete=` with the subdomain),
//! with or without scripting.

use domain::{
    TenantStatus,
    console::{ApprovalQueue, TenantList, TenantListRow},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::console::tenants::{ChangeTenantStatus, DeleteTenant, get_tenant_list},
    components::form::{FormAlert, FormState},
    components::query_value,
    pages::console::{
        changes, console_page, counts_as_change, here, query_param, status_badge, status_label,
    },
};

/// The list's query parameters, as the page's links and forms carry them.
const LIST_PARAMS: [&str; 5] = ["q", "status", "sort", "after", "before"];

#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        LIST_PARAMS.map(|name| query.get(name).filter(|v| !v.is_empty()))
    });
    let changes = changes();
    let list = Resource::new(
        move || (params.get(), changes.get()),
        |([q, status, sort, after, before], _)| get_tenant_list(q, status, sort, after, before),
    );
    console_page("Tenants", list, move |list| {
        view! { <TenantsView list/> }.into_any()
    })
}

/// An address of the list with `changes` applied to the current query (a `None` value
/// drops the parameter); the page position is dropped unless `changes` sets it.
fn list_href(changes: &[(&str, Option<&str>)]) -> String {
    let query = use_query_map().get_untracked();
    let mut parts: Vec<String> = Vec::new();
    for name in ["q", "status", "sort"] {
        let value = match changes.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => v.map(str::to_owned),
            None => query.get(name),
        };
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", query_value(&value)));
        }
    }
    for (name, value) in changes {
        if matches!(*name, "after" | "before")
            && let Some(value) = value
        {
            parts.push(format!("{name}={}", query_value(value)));
        }
    }
    if parts.is_empty() {
        "/admin".to_owned()
    } else {
        format!("/admin?{}", parts.join("&"))
    }
}

#[component]
fn TenantsView(list: TenantList) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let search = query.get("q").unwrap_or_default();
    let status = query.get("status").unwrap_or_default();
    let sort = query.get("sort").unwrap_or_default();
    let filtered = !search.trim().is_empty() || !status.is_empty();
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // With scripting on, choosing a status or an order applies it at once.
    let submit = move |_| {
        if let Some(form) = form_ref.get() {
            let _ = form.request_submit();
        }
    };
    let total = list.total;
    let all_label = format!("All ({total})");
    let queue_title = status == "pending";
    view! {
        <h1>{if queue_title { "Approval queue" } else { "Tenants" }}</h1>
        // Filtered to pending, the table below is the queue itself.
        {(!queue_title).then(|| view! { <Queue queue=list.queue.clone()/> })}

        <form method="get" action="/admin" class="filters" role="search" node_ref=form_ref>
            <div class="field">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" name="q" type="search" value=search.clone()
                    placeholder="Subdomain, name or admin email" autocomplete="off"/>
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status" on:change=submit>
                    <option value="" selected=status.is_empty()>{all_label}</option>
                    {list.counts.iter().map(|(s, n)| {
                        let value = s.as_str();
                        view! { <option value=value selected=status == value>{format!("{} ({n})", status_label(*s))}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-sort">"Sort"</label>
                <select id="filter-sort" name="sort" on:change=submit>
                    <option value="" selected=sort.is_empty() || sort == "newest">"Newest first"</option>
                    <option value="oldest" selected=sort == "oldest">"Oldest first"</option>
                    <option value="name" selected=sort == "name">"Name"</option>
                </select>
            </div>
            <button type="submit" class="button primary">"Search"</button>
            {filtered.then(|| view! { <a class="button ghost" href="/admin">"Clear"</a> })}
        </form>

        {if list.rows.is_empty() {
            let message = if filtered {
                if search.trim().is_empty() {
                    "No tenants have this status.".to_owned()
                } else {
                    format!("No tenants match “{}”.", search.trim())
                }
            } else {
                "No tenants yet. Provision one, or wait for a signup.".to_owned()
            };
            view! { <p class="empty" role="status">{message}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll"><table class="table tenants">
                    <caption class="visually-hidden">"Tenants"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Subdomain"</th><th scope="col">"Name"</th><th scope="col">"Status"</th>
                            <th scope="col">"Plan"</th><th scope="col">"Admin email"</th><th scope="col">"Members"</th>
                            <th scope="col">"Leads this month"</th><th scope="col">"Created"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.rows.into_iter().map(|row| view! { <TenantRow row/> }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {list.previous.map(|c| view! { <a class="button" rel="prev" href=list_href(&[("before", Some(&c))])>"Previous"</a> })}
            {list.next.map(|c| view! { <a class="button" rel="next" href=list_href(&[("after", Some(&c))])>"Next"</a> })}
        </nav>
    }
}

/// The oldest signups waiting for approval (the rows below carry their buttons).
#[component]
fn Queue(queue: ApprovalQueue) -> impl IntoView {
    if queue.pending == 0 {
        return view! {
            <section class="panel queue" aria-labelledby="queue-heading">
                <h2 id="queue-heading">"Approval queue"</h2>
                <p class="empty">"No signups are waiting for approval."</p>
            </section>
        }
        .into_any();
    }
    let count = if queue.pending == 1 {
        "1 signup is waiting for approval, oldest first:".to_owned()
    } else {
        format!(
            "{} signups are waiting for approval, oldest first:",
            queue.pending
        )
    };
    view! {
        <section class="panel queue" aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Approval queue"</h2>
            <p>{count}</p>
            <ol class="queue-list">
                {queue.oldest.into_iter().map(|q| view! {
                    <li>
                        <strong>{q.name}</strong> " · " <span class="mono">{q.slug}</span> " · "
                        {q.admin_email.unwrap_or_else(|| "no admin yet".into())} " "
                        {if q.admin_verified {
                            view! { <span class="tag">"email verified"</span> }.into_any()
                        } else {
                            view! { <span class="tag tag-warn">"email not verified"</span> }.into_any()
                        }}
                        " · waiting " {q.waiting}
                    </li>
                }).collect_view()}
            </ol>
            <p><a href="/admin?status=pending&sort=oldest">"Review the whole queue"</a></p>
        </section>
    }
    .into_any()
}

#[component]
fn TenantRow(row: TenantListRow) -> impl IntoView {
    let slug = row.slug.clone();
    let href = format!("/admin/tenants/{slug}");
    let status = row.status;
    view! {
        <tr>
            <td><a href=href class="mono">{row.slug.clone()}</a></td>
            <td>{row.name.clone()}</td>
            <td>{status_badge(status)}</td>
            <td>{row.plan.label()}</td>
            <td>
                {row.admin_email.clone().unwrap_or_else(|| "—".into())}
                {(row.admin_email.is_some() && !row.admin_verified).then(|| view! { " " <span class="tag tag-warn">"not verified"</span> })}
            </td>
            <td>{row.members}</td>
            <td>{row.leads_this_month}</td>
            <td>{row.created.clone()} <span class="field-hint">{format!("({} ago)", row.age)}</span></td>
            <td class="row-actions"><TenantActions slug status/></td>
        </tr>
    }
}

/// A tenant's actions for its status, or the confirm step one of them asks for.
#[component]
pub fn TenantActions(slug: String, status: TenantStatus) -> impl IntoView {
    let change = ServerAction::<ChangeTenantStatus>::new();
    let delete = ServerAction::<DeleteTenant>::new();
    counts_as_change(change);
    counts_as_change(delete);
    // After a post without scripting, the page carries that form's outcome: it belongs to
    // the row of the subdomain it was posted for.
    let change_form = FormState::new(change);
    let delete_form = FormState::new(delete);
    let mine = |form: &FormState| form.value("slug").is_none_or(|s| s == slug);
    let (change_mine, delete_mine) = (mine(&change_form), mine(&delete_form));
    let change_error = {
        let error = change_form.error();
        Signal::derive(move || error.get().filter(|_| change_mine))
    };
    let delete_error = {
        let error = delete_form.error();
        Signal::derive(move || error.get().filter(|_| delete_mine))
    };
    let typed_reason = change_form.value("reason").filter(|_| change_mine);
    let typed_confirm = delete_form.value("confirm").filter(|_| delete_mine);
    let reject = query_param("reject");
    let suspend = query_param("suspend");
    let deleting = query_param("delete");
    let back = here();
    let asking = {
        let slug = slug.clone();
        Memo::new(move |_| {
            let mine = |p: Option<String>| p.as_deref() == Some(slug.as_str());
            if mine(reject.get()) {
                Some("reject")
            } else if mine(suspend.get()) {
                Some("suspend")
            } else if mine(deleting.get()) {
                Some("delete")
            } else {
                None
            }
        })
    };
    let pending = change.pending();
    let deleting_now = delete.pending();
    move || {
        let slug = slug.clone();
        let (typed_reason, typed_confirm) = (typed_reason.clone(), typed_confirm.clone());
        let cancel = back.get_untracked();
        let cancel = strip_confirm(&cancel);
        match asking.get() {
            Some(action @ ("reject" | "suspend")) => {
                let label = if action == "reject" { "Reject" } else { "Suspend" };
                let busy = if action == "reject" { "Rejecting…" } else { "Suspending…" };
                let group = format!("{label} {slug}");
                view! {
                    <ActionForm action=change attr:class="confirm" attr:role="group" attr:aria-label=group attr:novalidate=true>
                        <FormAlert error=change_error/>
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <input type="hidden" name="action" value=action/>
                        <input type="hidden" name="back" value=move || back.get()/>
                        <ReasonField error=change_error value=typed_reason/>
                        <button type="submit" class="button small danger" disabled=move || pending.get()>
                            {move || if pending.get() { busy } else { label }}
                        </button>
                        <a class="button small ghost" href=cancel>"Cancel"</a>
                    </ActionForm>
                }.into_any()
            }
            Some(_) => {
                let group = format!("Delete {slug}");
                let hint = format!("Type {slug} to confirm. Everything it owns is deleted; its audit entries stay.");
                view! {
                    <ActionForm action=delete attr:class="confirm" attr:role="group" attr:aria-label=group attr:novalidate=true>
                        <FormAlert error=delete_error/>
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <input type="hidden" name="back" value=move || back.get()/>
                        <ConfirmField hint error=Signal::derive(move || delete_error.get().and_then(|e| e.field_message("confirm").map(str::to_owned))) value=typed_confirm/>
                        <button type="submit" class="button small danger" disabled=move || deleting_now.get()>
                            {move || if deleting_now.get() { "Deleting…" } else { "Delete" }}
                        </button>
                        <a class="button small ghost" href=cancel>"Cancel"</a>
                    </ActionForm>
                }.into_any()
            }
            None => view! {
                <div class="row">
                    <FormAlert error=change_error/>
                    {match status {
                        TenantStatus::Pending => view! {
                            <StatusButton change slug=slug.clone() action="approve" label="Approve" busy="Approving…"/>
                            <AskButton slug=slug.clone() param="reject" label="Reject"/>
                        }.into_any(),
                        TenantStatus::Active => view! {
                            <AskButton slug=slug.clone() param="suspend" label="Suspend"/>
                        }.into_any(),
                        TenantStatus::Suspended => view! {
                            <StatusButton change slug=slug.clone() action="reactivate" label="Reactivate" busy="Reactivating…"/>
                        }.into_any(),
                        TenantStatus::Rejected => ().into_any(),
                    }}
                    <AskButton slug=slug.clone() param="delete" label="Delete"/>
                </div>
            }.into_any(),
        }
    }
}

/// The current address without a confirm step's parameter.
fn strip_confirm(href: &str) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !["reject=", "suspend=", "delete=", "done=", "tenant="]
                    .iter()
                    .any(|k| p.starts_with(k))
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// A button that applies a status action at once (no question to ask).
#[component]
pub fn StatusButton(
    change: ServerAction<ChangeTenantStatus>,
    slug: String,
    action: &'static str,
    label: &'static str,
    busy: &'static str,
) -> impl IntoView {
    let pending = change.pending();
    let back = here();
    view! {
        <ActionForm action=change attr:class="inline">
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="action" value=action/>
            <input type="hidden" name="back" value=move || back.get()/>
            <button type="submit" class="button small primary" disabled=move || pending.get()>
                {move || if pending.get() { busy } else { label }}
            </button>
        </ActionForm>
    }
}

/// A button that opens the confirm step of `param` for `slug`, keeping the page's query.
#[component]
fn AskButton(slug: String, param: &'static str, label: &'static str) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let kept: Vec<(String, String)> = LIST_PARAMS
        .iter()
        .filter_map(|name| query.get(name).map(|v| ((*name).to_owned(), v)))
        .collect();
    let class = if param == "delete" {
        "button small danger-outline"
    } else {
        "button small"
    };
    view! {
        <form method="get" action="/admin" class="inline">
            {kept.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <input type="hidden" name=param value=slug/>
            <button type="submit" class=class>{label}</button>
        </form>
    }
}

/// The **Reason** field of a reject or a suspension.
#[component]
pub fn ReasonField(
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
    value: Option<String>,
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .and_then(|e| e.field_message("reason").map(str::to_owned))
    };
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for="field-reason">"Reason"</label>
            <input id="field-reason" name="reason" autocomplete="off" value=value
                aria-describedby="field-reason-hint field-reason-error"
                aria-invalid=move || message().is_some().then_some("true")/>
            <p id="field-reason-hint" class="field-hint">"Emailed to the workspace's admins."</p>
            <p id="field-reason-error" class="field-error" role="alert">{message}</p>
        </div>
    }
}

/// The **Type the subdomain to confirm** field of a deletion.
#[component]
pub fn ConfirmField(
    hint: String,
    #[prop(into)] error: Signal<Option<String>>,
    value: Option<String>,
) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for="field-confirm">"Type the subdomain to confirm"</label>
            <input id="field-confirm" name="confirm" autocomplete="off" autocapitalize="none"
                spellcheck="false" value=value
                aria-describedby="field-confirm-hint field-confirm-error"
                aria-invalid=move || error.get().is_some().then_some("true")/>
            <p id="field-confirm-hint" class="field-hint">{hint}</p>
            <p id="field-confirm-error" class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}
