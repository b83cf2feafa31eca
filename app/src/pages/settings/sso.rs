//! `/settings/sso`: the workspace's OpenID Connect provider (Issuer URL, Client ID, Client
//! secret, Email domains, Default role), the Redirect URI to register there, each email
//! domain's proof, and **Require SSO** (`docs/sso.md`).

use domain::sso::{EmailDomainView, SsoPage};
use leptos::prelude::*;

use crate::{
    api::sso::{SaveSso, SetRequireSso, VerifySsoDomain, get_sso},
    components::{
        copy::CopyText,
        form::{Field, FormAlert, FormState, successes},
    },
    pages::settings::{all_changes, settings_page},
};

#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SaveSso>,
    verify: ServerAction<VerifySsoDomain>,
    require: ServerAction<SetRequireSso>,
}

#[component]
pub fn SsoSettingsPage() -> impl IntoView {
    let actions = Actions {
        save: ServerAction::new(),
        verify: ServerAction::new(),
        require: ServerAction::new(),
    };
    let changes = all_changes([
        successes(actions.save.into()),
        successes(actions.verify.into()),
        successes(actions.require.into()),
    ]);
    let sso = Resource::new(move || changes.get(), |_| get_sso());
    settings_page("Single sign-on", sso, move |page| {
        view! { <SsoView page actions/> }.into_any()
    })
}

#[component]
fn SsoView(page: SsoPage, actions: Actions) -> impl IntoView {
    let form = FormState::new(actions.save);
    let verify_error = FormState::new(actions.verify).error();
    let require_error = FormState::new(actions.require).error();
    let value =
        |field: &str, stored: &str| Some(form.value(field).unwrap_or_else(|| stored.to_owned()));
    let (issuer, client_id, domains) = (
        value("issuer", &page.issuer),
        value("client_id", &page.client_id),
        value(
            "email_domains",
            &page
                .email_domains
                .iter()
                .map(|d| d.domain.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    let (form_error, issuer_error, client_id_error, secret_error, domains_error) = (
        form.error(),
        form.field_error("issuer"),
        form.field_error("client_id"),
        form.field_error("client_secret"),
        form.field_error("email_domains"),
    );
    let secret_hint = if page.secret_set {
        "A secret is set. Leave this empty to keep it; it is never shown again."
    } else {
        "Stored sealed, never shown again."
    };
    view! {
        <h1>"Single sign-on"</h1>
        <p class="field-hint">
            "Let your people sign in with your company's identity provider (Okta, Entra ID, Google Workspace, Keycloak, …) over OpenID Connect."
        </p>

        <section class="panel" aria-labelledby="redirect-heading">
            <h2 id="redirect-heading">"At your provider"</h2>
            <p>"Create an OpenID Connect web application (authorization code flow) and register this redirect URI:"</p>
            <dl class="dns-record">
                <dt id="sso-redirect-uri-label">"Redirect URI"</dt>
                <dd><CopyText id="sso-redirect-uri" value=page.redirect_uri.clone() copy_label="Copy the callback URI"
                    labelled_by="sso-redirect-uri-label"/></dd>
            </dl>
            <p>"If your provider offers back-channel logout, register this too: when it disables an account or signs it out, that person's sessions here end at once."</p>
            <dl class="dns-record">
                <dt id="sso-back-channel-logout-uri-label">"Back-channel logout URI"</dt>
                <dd><CopyText id="sso-back-channel-logout-uri" value=page.back_channel_logout_uri.clone() copy_label="Copy the logout URI"
                    labelled_by="sso-back-channel-logout-uri-label"/></dd>
            </dl>
        </section>

        <section class="panel" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection"</h2>
            <ActionForm action=actions.save attr:novalidate=true>
                <FormAlert error=form_error/>
                <Field label="Issuer URL" name="issuer" kind="url" autocomplete="off"
                    value=issuer error=issuer_error
                    hint="For example https://login.example.com. Its /.well-known/openid-configuration is read when you save."/>
                <Field label="Client ID" name="client_id" autocomplete="off"
                    value=client_id error=client_id_error/>
                <Field label="Client secret" name="client_secret" kind="password" autocomplete="off"
                    error=secret_error hint=secret_hint/>
                <Field label="Email domains" name="email_domains" autocomplete="off"
                    value=domains error=domains_error
                    hint="The domains whose addresses may sign in this way, separated by commas. Each is proven by a DNS record below."/>
                <div class="field">
                    <label for="field-default-role">"Default role"</label>
                    <select id="field-default-role" name="default_role" aria-describedby="field-default-role-hint">
                        <option value="member" selected>"Member"</option>
                    </select>
                    <p id="field-default-role-hint" class="field-hint">"The role of people who join by signing in for the first time. Invited people get their invite's role; nobody joins as an admin."</p>
                </div>
                <button type="submit" class="button primary">"Save"</button>
            </ActionForm>
        </section>

        {page.configured.then(|| view! {
            <section class="panel">
                <h2>"Email domains"</h2>
                <p>"Prove each domain with a TXT record at your DNS host. Until then, nobody with an address there can sign in with SSO."</p>
                <FormAlert error=verify_error/>
                <ul class="plain-list">
                    {page.email_domains.clone().into_iter().map(|d| view! { <EmailDomainItem domain=d actions/> }).collect_view()}
                </ul>
            </section>
        })}

        {page.configured.then(|| {
            let on = page.require_sso;
            view! {
                <section class="panel" aria-labelledby="require-heading">
                    <h2 id="require-heading">"Require SSO"</h2>
                    <p>{if on {
                        "Required: members sign in only with SSO; password sign-in, password resets and new password accounts are refused to them. Admins keep their password as the way back in, and each use is in Activity."
                    } else {
                        "When required, members sign in only with SSO. Admins keep their password as the way back in."
                    }}</p>
                    {(!on && !page.admin_signed_in).then(|| view! {
                        <p class="field-hint">"Sign in with SSO as an admin once first, so that you know the connection works."</p>
                    })}
                    <FormAlert error=require_error/>
                    <ActionForm action=actions.require>
                        <input type="hidden" name="on" value=if on { "0" } else { "1" }/>
                        <button type="submit" class="button">{if on { "Stop requiring SSO" } else { "Require SSO" }}</button>
                    </ActionForm>
                </section>
            }
        })}
    }
}

#[component]
fn EmailDomainItem(domain: EmailDomainView, actions: Actions) -> impl IntoView {
    let key = domain.domain.replace('.', "-");
    let name = domain.domain.clone();
    let heading_id = format!("email-domain-{key}");
    let labelled_by = heading_id.clone();
    view! {
        <li class="domain" aria-labelledby=labelled_by>
            <h3 id=heading_id class="domain-title">
                {name.clone()} " "
                {if domain.verified {
                    view! { <span class="tag tag-ok">"Verified"</span> }.into_any()
                } else {
                    view! { <span class="tag tag-warn">"Pending"</span> }.into_any()
                }}
            </h3>
            {(!domain.verified).then(|| {
                let name = name.clone();
                view! {
                    <dl class="dns-record">
                        <dt>"Type"</dt><dd><code>"TXT"</code></dd>
                        <dt>"Name"</dt><dd><CopyText id=format!("sso-{key}-txt-name") value=domain.txt_name.clone()
                            copy_label=format!("Copy the TXT record name for {name}")/></dd>
                        <dt>"Value"</dt><dd><CopyText id=format!("sso-{key}-txt-value") value=domain.txt_value.clone()
                            copy_label=format!("Copy the TXT record value for {name}")/></dd>
                    </dl>
                    <ActionForm action=actions.verify>
                        <input type="hidden" name="domain" value=name.clone()/>
                        <button type="submit" class="button small" aria-label=format!("Verify {name}")>"Verify"</button>
                    </ActionForm>
                }
            })}
        </li>
    }
}
