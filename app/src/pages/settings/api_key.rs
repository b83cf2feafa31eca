//! `/settings/api`: the workspace's API key. Rotating asks first (`?rotate=confirm`),
//! optionally keeps the old key working for 24 hours, and shows the new key once.

use domain::settings::ApiKeyInfo;
use leptos::prelude::*;

use crate::{
    api::api_key::{RevokeOldKey, RotateApiKey, get_api_key},
    components::{
        copy::CopyField,
        form::{FormAlert, FormState, successes},
    },
    pages::settings::{all_changes, query_param, settings_page},
};

#[component]
pub fn ApiSettingsPage() -> impl IntoView {
    // It shows a new key once: no cache may keep it.
    crate::components::no_store();
    let rotate = ServerAction::<RotateApiKey>::new();
    let revoke = ServerAction::<RevokeOldKey>::new();
    let changes = all_changes([successes(rotate.into()), successes(revoke.into())]);
    let info = Resource::new(move || changes.get(), |_| get_api_key());
    settings_page("API key", info, move |info| {
        view! { <ApiKeyView info rotate revoke/> }.into_any()
    })
}

#[component]
fn ApiKeyView(
    info: ApiKeyInfo,
    rotate: ServerAction<RotateApiKey>,
    revoke: ServerAction<RevokeOldKey>,
) -> impl IntoView {
    let rotate_error = FormState::new(rotate).error();
    let revoke_error = FormState::new(revoke).error();
    let confirming = query_param("rotate");
    let pending = rotate.pending();
    view! {
        <h1>"API key"</h1>
        <p>"Your website sends leads to " <code>{info.intake_url.clone()}</code> " with this key in the " <code>"X-API-Key"</code> " header."</p>
        {info.new_key.clone().map(|key| view! {
            <section class="panel new-key" aria-labelledby="new-key-heading">
                <h2 id="new-key-heading">"Your new key"</h2>
                <CopyField label="New API key" id="new-api-key" value=key
                    hint="Store it somewhere safe now: it is shown only this once and cannot be retrieved later."/>
            </section>
        })}
        <section class="panel" aria-labelledby="key-heading">
            <h2 id="key-heading">"Current key"</h2>
            <dl class="facts">
                <dt>"Key"</dt><dd><code>{format!("{}…", info.prefix)}</code></dd>
                <dt>"Created"</dt><dd>{info.created.clone()}</dd>
                <dt>"Last used"</dt><dd>{info.last_used.clone().unwrap_or_else(|| "Never".into())}</dd>
            </dl>
            {info.old_key.clone().map(|old| view! {
                <div class="notice" role="status">
                    <p>
                        "The old key " <code>{format!("{}…", old.prefix)}</code> " still works: the old key expires in "
                        {old.expires_in.clone()} "."
                    </p>
                    <FormAlert error=revoke_error/>
                    <ActionForm action=revoke>
                        <button type="submit" class="button small">"Revoke old key now"</button>
                    </ActionForm>
                </div>
            })}
            <FormAlert error=rotate_error/>
            {move || if confirming.get().as_deref() == Some("confirm") {
                view! {
                    <ActionForm action=rotate attr:class="confirm" attr:role="group" attr:aria-label="Rotate the API key?">
                        <p class="confirm-text">
                            "A new key replaces this one. Websites still sending the current key get 401 answers, "
                            "unless it keeps working for a while."
                        </p>
                        <label class="checkbox">
                            <input type="checkbox" name="keep_old" value="1"/>
                            " Keep the old key working for 24 hours"
                        </label>
                        <div class="row">
                            <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>
                                "Confirm: rotate API key"
                            </button>
                            <a class="button ghost" href="/settings/api">"Cancel"</a>
                        </div>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <form method="get" action="/settings/api">
                        <input type="hidden" name="rotate" value="confirm"/>
                        <button type="submit" class="button">"Rotate API key"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}
