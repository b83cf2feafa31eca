//! `/admin/tenants/<slug>`: one tenant: status and its history, the actions its status
//! allows, plan and seats, usage, the API key, members and invites.

use domain::{Plan, TenantStatus, console::TenantPage};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    api::console::tenants::{ChangeTenantStatus, DeleteTenant, SetTenantPlan, get_console_tenant},
    components::form::{FormAlert, FormState, UnsavedChoices},
    pages::console::{
        changes, console_page, counts_as_change, status_badge,
        tenants::{ConfirmField, ReasonField, StatusButton},
    },
};

#[component]
pub fn ConsoleTenantPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let changes = changes();
    let tenant = Resource::new(
        move || (slug(), changes.get()),
        |(slug, _)| get_console_tenant(slug),
    );
    // The Plan chosen and not saved yet, kept while another action draws the page again.
    let choices = UnsavedChoices::new();
    console_page("Tenant", tenant, move |tenant| {
        view! { <TenantView tenant choices/> }.into_any()
    })
}

#[component]
fn TenantView(tenant: TenantPage, choices: UnsavedChoices) -> impl IntoView {
    let slug = tenant.slug.clone();
    let seats = match tenant.seat_limit {
        Some(limit) => format!("{} of {limit}", tenant.members.len() + tenant.invites.len()),
        None => format!(
            "{} (unlimited)",
            tenant.members.len() + tenant.invites.len()
        ),
    };
    view! {
        <p class="breadcrumb"><a href="/admin">"Tenants"</a> " / " <span class="mono">{slug.clone()}</span></p>
        <h1>{tenant.name.clone()}</h1>
        <p class="tenant-summary">
            {status_badge(tenant.status)} " "
            <a href=tenant.splash_url.clone()>{tenant.splash_url.clone()}</a>
            " · created " {tenant.created.clone()}
        </p>
        {tenant.status_reason.clone().filter(|_| matches!(tenant.status, TenantStatus::Suspended | TenantStatus::Rejected)).map(|r| view! {
            <p class="notice">"Reason: " {r}</p>
        })}

        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            <Actions slug=slug.clone() status=tenant.status/>
        </section>

        <section class="panel" aria-labelledby="plan-heading">
            <h2 id="plan-heading">"Subscription"</h2>
            <PlanForm slug=slug.clone() plan=tenant.plan max_users=tenant.max_users choices/>
        </section>

        <section class="panel" aria-labelledby="usage-heading">
            <h2 id="usage-heading">"Usage"</h2>
            <dl class="facts">
                <dt>"Seats used"</dt><dd>{seats}</dd>
                <dt>"Members"</dt><dd>{tenant.members.len()}</dd>
                <dt>"Pending invites"</dt><dd>{tenant.invites.len()}</dd>
                <dt>"Leads this month"</dt><dd>{tenant.leads_this_month}</dd>
                <dt>"Leads in total"</dt><dd>{tenant.leads_total}</dd>
                <dt>"Last lead"</dt><dd>{tenant.last_lead.clone().unwrap_or_else(|| "None yet".into())}</dd>
            </dl>
        </section>

        <section class="panel" aria-labelledby="domains-heading">
            <h2 id="domains-heading">"Custom domains"</h2>
            {if tenant.domains.is_empty() {
                view! { <p class="empty">"No custom domains."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table">
                        <thead><tr><th scope="col">"Domain"</th><th scope="col">"State"</th><th scope="col">"Primary"</th></tr></thead>
                        <tbody>
                            {tenant.domains.clone().into_iter().map(|d| view! {
                                <tr>
                                    <td class="mono">{d.hostname}</td>
                                    <td>{d.state}</td>
                                    <td>{if d.primary { "Yes" } else { "" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>

        <section class="panel" aria-labelledby="sso-heading">
            <h2 id="sso-heading">"Single sign-on"</h2>
            <p>{match tenant.sso.clone() {
                None => "Not set up: members sign in with passwords.".to_owned(),
                Some((issuer, true)) => format!("Uses {issuer}, and requires it for members."),
                Some((issuer, false)) => format!("Uses {issuer}; passwords still work."),
            }}</p>
        </section>

        <section class="panel" aria-labelledby="key-heading">
            <h2 id="key-heading">"API key"</h2>
            <dl class="facts">
                <dt>"Prefix"</dt><dd class="mono">{tenant.api_key_prefix.clone()} "…"</dd>
                <dt>"Created"</dt><dd>{tenant.api_key_created.clone()}</dd>
                <dt>"Last used"</dt><dd>{tenant.api_key_last_used.clone().unwrap_or_else(|| "Never".into())}</dd>
            </dl>
        </section>

        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"Status history"</h2>
            {if tenant.history.is_empty() {
                view! { <p class="empty">"Nothing recorded yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Who"</th><th scope="col">"Reason"</th></tr></thead>
                        <tbody>
                            {tenant.history.into_iter().map(|h| view! {
                                <tr><td>{h.at}</td><td>{h.what}</td><td>{h.actor}</td><td>{h.reason.unwrap_or_default()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>

        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            {if tenant.members.is_empty() {
                view! { <p class="empty">"No members yet: the first admin has not accepted the invite."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table">
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Joined"</th></tr></thead>
                        <tbody>
                            {tenant.members.into_iter().map(|m| view! {
                                <tr>
                                    <td>{m.name}</td>
                                    <td>{m.email} {(!m.verified).then(|| view! { " " <span class="tag tag-warn">"not verified"</span> })}</td>
                                    <td>{m.role}</td>
                                    <td>{m.joined}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            <h3>"Pending invites"</h3>
            {if tenant.invites.is_empty() {
                view! { <p class="empty">"No pending invites."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table">
                        <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Sent"</th><th scope="col">"Expires"</th></tr></thead>
                        <tbody>
                            {tenant.invites.into_iter().map(|i| view! {
                                <tr><td>{i.email}</td><td>{i.role}</td><td>{i.sent}</td><td>{i.expires}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

/// The actions the tenant's status allows, each asking what it needs in place.
#[component]
fn Actions(slug: String, status: TenantStatus) -> impl IntoView {
    let change = ServerAction::<ChangeTenantStatus>::new();
    let delete = ServerAction::<DeleteTenant>::new();
    counts_as_change(change);
    counts_as_change(delete);
    let change_form = FormState::new(change);
    let delete_form = FormState::new(delete);
    let pending = change.pending();
    let deleting = delete.pending();
    let back = format!("/admin/tenants/{slug}");
    let with_reason = |action: &'static str, label: &'static str, busy: &'static str| {
        let (slug, back) = (slug.clone(), back.clone());
        let (error, typed) = (change_form.error(), change_form.value("reason"));
        view! {
            <ActionForm action=change attr:class="action-form" attr:novalidate=true>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="action" value=action/>
                <input type="hidden" name="back" value=back/>
                <ReasonField error=error value=typed/>
                <button type="submit" class="button danger" disabled=move || pending.get()>
                    {move || if pending.get() { busy } else { label }}
                </button>
            </ActionForm>
        }
    };
    let hint = format!(
        "Type {slug} to confirm. Members, invites, stages, leads and sessions are deleted; the audit entries stay, and the subdomain is quarantined for 30 days."
    );
    view! {
        <FormAlert error=change_form.error()/>
        <div class="actions-grid">
            {match status {
                TenantStatus::Pending => view! {
                    <StatusButton change slug=slug.clone() action="approve" label="Approve" busy="Approving…"/>
                    {with_reason("reject", "Reject", "Rejecting…")}
                }.into_any(),
                TenantStatus::Active => with_reason("suspend", "Suspend", "Suspending…").into_any(),
                TenantStatus::Suspended => view! {
                    <StatusButton change slug=slug.clone() action="reactivate" label="Reactivate" busy="Reactivating…"/>
                }.into_any(),
                TenantStatus::Rejected => view! {
                    <p class="field-hint">"A rejected signup cannot be approved any more; delete it to free the subdomain after the quarantine."</p>
                }.into_any(),
            }}
        </div>
        <h3>"Delete"</h3>
        <ActionForm action=delete attr:class="action-form danger-zone" attr:novalidate=true>
            <FormAlert error=delete_form.error()/>
            <input type="hidden" name="slug" value=slug.clone()/>
            <input type="hidden" name="back" value=back.clone()/>
            <ConfirmField hint error=delete_form.field_error("confirm") value=delete_form.value("confirm")/>
            <button type="submit" class="button danger" disabled=move || deleting.get()>
                {move || if deleting.get() { "Deleting…" } else { "Delete" }}
            </button>
        </ActionForm>
    }
}

/// The plan form's Plan select.
const PLAN: &str = "field-plan";

#[component]
fn PlanForm(
    slug: String,
    plan: Plan,
    max_users: Option<u32>,
    choices: UnsavedChoices,
) -> impl IntoView {
    let action = ServerAction::<SetTenantPlan>::new();
    counts_as_change(action);
    let form = FormState::new(action);
    let pending = action.pending();
    let plan = form
        .value("plan")
        .and_then(|p| p.parse::<Plan>().ok())
        .unwrap_or(plan);
    let chosen = choices.shown(PLAN, plan.as_str());
    let max = form
        .value("max_users")
        .unwrap_or_else(|| max_users.map(|n| n.to_string()).unwrap_or_default());
    let max_error = form.field_error("max_users");
    view! {
        <ActionForm action attr:class="inline-form" attr:novalidate=true>
            <FormAlert error=form.error()/>
            <input type="hidden" name="slug" value=slug/>
            <div class="field">
                <label for=PLAN>"Plan"</label>
                <select id=PLAN name="plan" on:change=move |ev| choices.choose(PLAN, event_target_value(&ev))>
                    {Plan::ALL.into_iter().map(|p| {
                        let seats = p.seats().map_or_else(|| "unlimited seats".to_owned(), |n| format!("{n} seats"));
                        view! { <option value=p.as_str() selected=p.as_str() == chosen>{format!("{} ({seats})", p.label())}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field" class:has-error=move || max_error.get().is_some()>
                <label for="field-max_users">"Max users"</label>
                <input id="field-max_users" name="max_users" inputmode="numeric" value=max
                    aria-describedby="field-max_users-hint field-max_users-error"
                    aria-invalid=move || max_error.get().is_some().then_some("true")/>
                <p id="field-max_users-hint" class="field-hint">"Leave empty for the plan's own limit."</p>
                <p id="field-max_users-error" class="field-error" role="alert">{move || max_error.get()}</p>
            </div>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save plan" }}
            </button>
        </ActionForm>
    }
}
