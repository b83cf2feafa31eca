//! Values to copy: a secret shown once in a read-only field, or a DNS record's name and
//! value shown as text, each with a copy button once the page is live.

use leptos::prelude::*;

/// A labelled read-only field holding `value`, with **Copy** (hidden until the page is
/// live) and a line that says whether the copy worked.
#[component]
pub fn CopyField(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    #[prop(into)] value: String,
    #[prop(into)] hint: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let to_copy = value.clone();
    let hint_id = format!("{id}-hint");
    let copied_id = format!("{id}-copied");
    let described_by = format!("{hint_id} {copied_id}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="row">
                <input id=id class="mono" readonly value=value aria-describedby=described_by/>
                <button type="button" class="button copy-button" on:click=move |_| {
                    let text = to_copy.clone();
                    leptos::task::spawn_local(async move {
                        copied.set(Some(copy_to_clipboard(&text).await));
                    });
                }>"Copy"</button>
            </div>
            <p id=hint_id class="field-hint">{hint}</p>
            <p id=copied_id class="field-hint" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied to the clipboard.",
                    Some(false) => "The browser did not allow copying: select the text and copy it.",
                    None => "",
                }}
            </p>
        </div>
    }
}

/// `value` as text (selectable, in a monospace font) with a **Copy** button named
/// `copy_label`, hidden until the page is live, and a line that says whether it worked.
/// `labelled_by`: the id of the element that names the value, if it has one.
#[component]
pub fn CopyText(
    #[prop(into)] id: String,
    #[prop(into)] value: String,
    #[prop(into)] copy_label: String,
    #[prop(optional, into)] labelled_by: Option<String>,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let to_copy = value.clone();
    let copied_id = format!("{id}-copied");
    view! {
        <span class="copy-text">
            <code id=id aria-labelledby=labelled_by>{value}</code>
            <button type="button" class="button small copy-button" aria-label=copy_label
                aria-describedby=copied_id.clone() on:click=move |_| {
                let text = to_copy.clone();
                leptos::task::spawn_local(async move {
                    copied.set(Some(copy_to_clipboard(&text).await));
                });
            }>"Copy"</button>
            <span id=copied_id class="field-hint" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied.",
                    Some(false) => "Select the text and copy it.",
                    None => "",
                }}
            </span>
        </span>
    }
}

/// Copies `text` to the clipboard; false if the browser refused.
async fn copy_to_clipboard(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}
