//! `/settings/branding`: the workspace's name, tagline, colour and logo, with a live
//! preview of the splash as the admin types.

use domain::{HexColour, settings::Branding};
use leptos::{prelude::*, server_fn::ServerFn};

#[cfg(feature = "hydrate")]
use crate::api::branding::save_branding;

use crate::{
    api::branding::{SaveBranding, get_branding},
    components::form::{FormAlert, FormState, adopt_typed, successes},
    error::AppError,
    pages::settings::settings_page,
};

#[component]
pub fn BrandingSettingsPage() -> impl IntoView {
    // The form posts multipart (for the logo): hydrated, it sends its FormData itself.
    let save = Action::new_local(|data: &BrowserForm| {
        let data = data.clone();
        async move {
            #[cfg(feature = "hydrate")]
            {
                save_branding(data.0.into()).await
            }
            // The server never sends the form: a browser without scripting posts it itself.
            #[cfg(not(feature = "hydrate"))]
            {
                let _ = data;
                Err(AppError::Internal)
            }
        }
    });
    let saved = successes(save);
    let branding = Resource::new(move || saved.get(), |_| get_branding());
    let last = save.value();
    let form = FormState::of(
        SaveBranding::url(),
        Signal::derive(move || last.get().map(|result: Result<(), AppError>| result.err())),
    );
    settings_page("Branding", branding, move |branding| {
        let form = form.clone();
        let after_save = saved.get_untracked() > 0;
        view! { <BrandingForm branding form save after_save/> }.into_any()
    })
}

/// The browser's form data, to send to the server function (nothing on the server).
#[derive(Clone)]
struct BrowserForm(#[cfg(feature = "hydrate")] web_sys::FormData);

#[component]
fn BrandingForm(
    branding: Branding,
    form: FormState,
    save: Action<BrowserForm, Result<(), AppError>>,
    /// Drawn again after a save went through: the file chosen for it is sent, so let go.
    after_save: bool,
) -> impl IntoView {
    let typed = |field: &str, saved: &str| form.value(field).unwrap_or_else(|| saved.to_owned());
    let name = RwSignal::new(typed("name", &branding.name));
    let tagline = RwSignal::new(typed("tagline", &branding.tagline));
    let colour = RwSignal::new(typed("colour", &branding.colour));
    let (name_input, tagline_input, colour_input) =
        (NodeRef::new(), NodeRef::new(), NodeRef::new());
    adopt_typed(name_input, name);
    adopt_typed(tagline_input, tagline);
    adopt_typed(colour_input, colour);
    let logo_input = NodeRef::<leptos::html::Input>::new();
    if after_save {
        Effect::new(move |_| {
            if let Some(input) = logo_input.get() {
                input.set_value("");
            }
        });
    }
    let parsed = Memo::new(move |_| HexColour::parse(&colour.get()).ok());
    let saved = branding.colour.clone();
    let picker = Signal::derive(move || {
        parsed
            .get()
            .map_or_else(|| saved.clone(), |c| c.as_str().to_owned())
    });
    let warning = move || parsed.get().and_then(|c| c.contrast_warning());
    let preview_style = move || {
        let c = parsed.get().unwrap_or_else(HexColour::default_brand);
        format!(
            "--brand: {}; --brand-text: {}",
            c.as_str(),
            c.readable_text()
        )
    };
    let error = form.error();
    let field_error = |field: &'static str| form.field_error(field);
    let (name_error, tagline_error, colour_error, logo_error) = (
        field_error("name"),
        field_error("tagline"),
        field_error("colour"),
        field_error("logo"),
    );
    let pending = save.pending();
    let logo_src = branding
        .logo
        .as_ref()
        .map(|etag| format!("/brand/logo?v={etag}"));
    let has_logo = branding.logo.is_some();
    let saved_colour = branding.colour.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            if let Ok(data) = web_sys::FormData::new_with_form(&form) {
                ev.prevent_default();
                save.dispatch_local(BrowserForm(data));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <h1>"Branding"</h1>
        <div class="settings-split">
            <form method="post" action=SaveBranding::url()
                enctype="multipart/form-data" novalidate on:submit=on_submit class="panel">
                <FormAlert error/>
                <div class="field" class:has-error=move || name_error.get().is_some()>
                    <label for="field-name">"Display name"</label>
                    <input id="field-name" node_ref=name_input name="name" maxlength="80" autocomplete="organization"
                        value=name.get_untracked() prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                        aria-describedby="field-name-hint field-name-error"
                        aria-invalid=move || name_error.get().is_some().then_some("true")/>
                    <p id="field-name-hint" class="field-hint">"1 to 80 characters, shown on the splash, in the header and in emails."</p>
                    <p id="field-name-error" class="field-error" role="alert">{move || name_error.get()}</p>
                </div>
                <div class="field" class:has-error=move || tagline_error.get().is_some()>
                    <label for="field-tagline">"Tagline"</label>
                    <input id="field-tagline" node_ref=tagline_input name="tagline" maxlength="140"
                        value=tagline.get_untracked() prop:value=move || tagline.get()
                        on:input=move |ev| tagline.set(event_target_value(&ev))
                        aria-describedby="field-tagline-hint field-tagline-error"
                        aria-invalid=move || tagline_error.get().is_some().then_some("true")/>
                    <p id="field-tagline-hint" class="field-hint">"Optional, up to 140 characters."</p>
                    <p id="field-tagline-error" class="field-error" role="alert">{move || tagline_error.get()}</p>
                </div>
                <div class="field" class:has-error=move || colour_error.get().is_some()>
                    <label for="field-colour">"Primary colour"</label>
                    <div class="row colour-row">
                        <input type="color" name="colour_picker" aria-label="Colour picker"
                            value=picker prop:value=picker
                            on:input=move |ev| colour.set(event_target_value(&ev))/>
                        <input id="field-colour" node_ref=colour_input name="colour" class="mono colour-hex" spellcheck="false"
                            autocomplete="off" value=colour.get_untracked() prop:value=move || colour.get()
                            on:input=move |ev| colour.set(event_target_value(&ev))
                            aria-describedby="field-colour-hint field-colour-contrast field-colour-error"
                            aria-invalid=move || colour_error.get().is_some().then_some("true")/>
                    </div>
                    <input type="hidden" name="colour_was" value=saved_colour/>
                    <p id="field-colour-hint" class="field-hint">"A hex colour like #2563eb. Text on it turns white or dark by itself, whichever reads better."</p>
                    <p id="field-colour-contrast" class="field-warning" role="status">{warning}</p>
                    <p id="field-colour-error" class="field-error" role="alert">{move || colour_error.get()}</p>
                </div>
                <div class="field" class:has-error=move || logo_error.get().is_some()>
                    <label for="field-logo">"Logo"</label>
                    {logo_src.clone().map(|src| view! {
                        <img class="logo-current" src=src alt="The current logo" width="64" height="64"/>
                    })}
                    <input id="field-logo" node_ref=logo_input name="logo" type="file" accept="image/png,image/jpeg,image/webp"
                        aria-describedby="field-logo-hint field-logo-error"
                        aria-invalid=move || logo_error.get().is_some().then_some("true")/>
                    <p id="field-logo-hint" class="field-hint">
                        {if has_logo { "Choose a file to replace it. " } else { "" }}
                        "PNG, JPEG or WebP, at most 2 MB and 4096 × 4096 pixels. It is stored as a PNG of at most 512 × 512."
                    </p>
                    <p id="field-logo-error" class="field-error" role="alert">{move || logo_error.get()}</p>
                    {has_logo.then(|| view! {
                        <label class="checkbox">
                            <input type="checkbox" name="remove_logo" value="1"/>
                            " Remove the current image"
                        </label>
                    })}
                </div>
                <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>
                    {move || if pending.get() { "Saving…" } else { "Save branding" }}
                </button>
            </form>
            <section class="preview" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Preview of the splash"</h2>
                <div class="preview-splash" style=preview_style>
                    <div class="splash-card">
                        <img class="splash-logo" src=logo_src.unwrap_or_else(|| "/brand/logo".into()) alt="" width="72" height="72"/>
                        <p class="preview-name">{move || name.get()}</p>
                        <p class="tagline">{move || tagline.get()}</p>
                        <span class="button primary">"Sign in"</span>
                    </div>
                </div>
                <p class="field-hint">"Changes show here as you type; they are saved with the form."</p>
            </section>
        </div>
    }
}
