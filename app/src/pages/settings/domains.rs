//! `/settings/domains`: the workspace at domains of its own. Each domain shows its state,
//! the two DNS records to publish (the TXT record that proves ownership, the record that
//! routes it here), and **Verify**, **Make primary** and **Remove**; removing asks first
//! (`?remove-domain=<domain>`, with or without scripting).

use domain::custom_domain::{DomainState, DomainView, DomainsPage, Routing};
use leptos::prelude::*;

use crate::{
    api::domains::{AddDomain, MakePrimaryDomain, RemoveDomain, VerifyDomain, get_domains},
    components::{
        copy::CopyText,
        form::{Field, FormAlert, FormState, UnsavedChoices, emptied_on_success, successes},
    },
    pages::settings::{all_changes, query_param, settings_page},
};

/// The page's actions, shared by its parts.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddDomain>,
    verify: ServerAction<VerifyDomain>,
    primary: ServerAction<MakePrimaryDomain>,
    remove: ServerAction<RemoveDomain>,
}

#[component]
pub fn DomainsSettingsPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::new(),
        verify: ServerAction::new(),
        primary: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let changes = all_changes([
        successes(actions.add.into()),
        successes(actions.verify.into()),
        successes(actions.primary.into()),
        successes(actions.remove.into()),
    ]);
    let domains = Resource::new(move || changes.get(), |_| get_domains());
    let add_element = emptied_on_success(actions.add.into(), UnsavedChoices::new(), &[]);
    settings_page("Domains", domains, move |page| {
        view! { <DomainsView page actions add_element/> }.into_any()
    })
}

#[component]
fn DomainsView(
    page: DomainsPage,
    actions: Actions,
    add_element: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let add_form = FormState::new(actions.add);
    let row_errors = [
        FormState::new(actions.verify).error(),
        FormState::new(actions.primary).error(),
        FormState::new(actions.remove).error(),
    ];
    let row_error = Signal::derive(move || row_errors.iter().find_map(|e| e.get()));
    let removing = query_param("remove-domain");
    let subdomain = page.subdomain.clone();
    let full = page.domains.len() >= page.limit;
    let limit = page.limit;
    let recheck = page.recheck.clone();
    view! {
        <h1>"Domains"</h1>
        <p class="field-hint">
            "Open this workspace at a domain of yours, such as crm.example.com, as well as at "
            <code>{subdomain}</code>
            ". Add the domain, publish the two DNS records shown for it, then click Verify."
        </p>
        <FormAlert error=row_error/>

        {if page.domains.is_empty() {
            view! { <p class="empty">"No domains yet."</p> }.into_any()
        } else {
            page.domains.into_iter().map(|domain| {
                let confirming = domain.hostname.to_string();
                let is_confirming = Signal::derive(move || removing.get().as_deref() == Some(confirming.as_str()));
                let recheck = recheck.clone();
                view! { <DomainPanel domain recheck is_confirming actions/> }
            }).collect_view().into_any()
        }}

        <section class="panel">
            <h2>"Add a domain"</h2>
            {full.then(|| view! {
                <p class="notice">{format!("This workspace has {limit} domains, the most it can have: remove one to add another.")}</p>
            })}
            <ActionForm action=actions.add node_ref=add_element attr:novalidate=true attr:class="inline-form">
                <FormAlert error=add_form.error()/>
                <Field label="Domain" name="domain" autocomplete="off"
                    value=add_form.value("domain") error=add_form.field_error("domain")
                    hint="A name under a domain you own (crm.example.com), or the domain itself (example.com)."/>
                <button type="submit" class="button primary">"Add domain"</button>
            </ActionForm>
        </section>
    }
}

fn state_class(state: DomainState) -> &'static str {
    match state {
        DomainState::Pending => "tag tag-warn",
        DomainState::Verified => "tag tag-ok",
        DomainState::Failed => "tag tag-bad",
    }
}

#[component]
fn DomainPanel(
    domain: DomainView,
    /// How often the TXT record is looked up again, in words.
    recheck: String,
    is_confirming: Signal<bool>,
    actions: Actions,
) -> impl IntoView {
    let name = domain.hostname.to_string();
    let key = name.replace('.', "-");
    let heading_id = format!("domain-{key}-heading");
    let state = domain.state;
    let verified = state == DomainState::Verified;
    let routing = match &domain.routing {
        Routing::Cname { target } => view! {
            <p>"Point the domain at us with a CNAME record:"</p>
            <dl class="dns-record">
                <dt>"Type"</dt><dd><code>"CNAME"</code></dd>
                <dt>"Name"</dt><dd><code>{name.clone()}</code></dd>
                <dt>"Target"</dt><dd><CopyText id=format!("domain-{key}-cname") value=target.clone()
                    copy_label=format!("Copy the CNAME target for {name}")/></dd>
            </dl>
        }
        .into_any(),
        Routing::Address { addresses } if addresses.is_empty() => view! {
            <p>"This is a domain itself, which DNS lets point only by address records (A and AAAA). Ask HREF support for the addresses to use, or add a name under it (such as crm."{name.clone()}") instead."</p>
        }
        .into_any(),
        Routing::Address { addresses } => view! {
            <p>"This is a domain itself, which DNS lets point only by address records: add one for each address."</p>
            <dl class="dns-record">
                {addresses.iter().enumerate().map(|(i, address)| {
                    let kind = if address.contains(':') { "AAAA" } else { "A" };
                    view! {
                        <dt>{kind}</dt>
                        <dd><CopyText id=format!("domain-{key}-address-{i}") value=address.clone()
                            copy_label=format!("Copy address {} for {name}", i + 1)/></dd>
                    }
                }).collect_view()}
            </dl>
        }
        .into_any(),
    };
    let remove_name = name.clone();
    let primary_name = name.clone();
    let verify_name = name.clone();
    let title = name.clone();
    let labelled_by = heading_id.clone();
    let txt_name_id = format!("domain-{key}-txt-name");
    let txt_value_id = format!("domain-{key}-txt-value");
    let copy_txt_name = format!("Copy the TXT record name for {name}");
    let copy_txt_value = format!("Copy the TXT record value for {name}");
    view! {
        <section class="panel domain" aria-labelledby=labelled_by>
            <h2 id=heading_id class="domain-title">
                {title}
                " " <span class=state_class(state)>{state.label()}</span>
                {domain.is_primary.then(|| view! { " " <span class="tag">"Primary"</span> })}
            </h2>
            <p class="domain-check" role="status">
                {domain.message.clone()}
                {domain.checked.clone().map(|at| view! { " " <span class="field-hint">{format!("Looked up {at}.")}</span> })}
            </p>
            {(state == DomainState::Failed).then(|| view! {
                <p class="notice">"The ownership record went missing, so this domain no longer opens the workspace. Publish it again and click Verify."</p>
            })}

            <h3>"1. Prove the domain is yours"</h3>
            <p>"At your DNS host, add this TXT record, and keep it for as long as you use the domain: it is looked up again " {recheck} "."</p>
            <dl class="dns-record">
                <dt>"Type"</dt><dd><code>"TXT"</code></dd>
                <dt>"Name"</dt><dd><CopyText id=txt_name_id value=domain.txt_name.clone() copy_label=copy_txt_name/></dd>
                <dt>"Value"</dt><dd><CopyText id=txt_value_id value=domain.txt_value.clone() copy_label=copy_txt_value/></dd>
            </dl>

            <h3>"2. Send its visitors here"</h3>
            {routing}
            <p class="field-hint">"DNS changes can take a few minutes to appear. HTTPS is set up on the first visit after the domain is proven."</p>

            <div class="row domain-actions">
                <ActionForm action=actions.verify>
                    <input type="hidden" name="domain" value=verify_name/>
                    <button type="submit" class="button primary small">"Verify"</button>
                </ActionForm>
                {(verified && !domain.is_primary).then(|| {
                    let name = primary_name;
                    view! {
                        <ActionForm action=actions.primary>
                            <input type="hidden" name="domain" value=name/>
                            <button type="submit" class="button small">"Make primary"</button>
                        </ActionForm>
                    }
                })}
                {move || if is_confirming.get() {
                    let name = remove_name.clone();
                    let group_label = format!("Remove {name}?");
                    let text = format!("Remove {name}? It stops opening this workspace at once. Adding it again needs a new TXT record.");
                    let confirm_label = format!("Confirm: remove {name}");
                    view! {
                        <ActionForm action=actions.remove attr:class="confirm" attr:role="group" attr:aria-label=group_label>
                            <input type="hidden" name="domain" value=name/>
                            <p class="confirm-text">{text}</p>
                            <button type="submit" class="button small danger">{confirm_label}</button>
                            <a class="button small ghost" href="/settings/domains">"Cancel"</a>
                        </ActionForm>
                    }.into_any()
                } else {
                    let name = remove_name.clone();
                    view! {
                        <form method="get" action="/settings/domains">
                            <input type="hidden" name="remove-domain" value=name/>
                            <button type="submit" class="button small">"Remove"</button>
                        </form>
                    }.into_any()
                }}
            </div>
        </section>
    }
}
