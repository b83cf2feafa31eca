//! Form building blocks: labelled fields tied to their messages, and the form-level alert.
//!
//! A form's errors come from its action's last result when the page is hydrated, or from a
//! [`FormFallback`] when the browser posted it without JavaScript (the server renders the
//! page again with the error and the values typed). Either way every message sits in a
//! live region, tied to its field with `aria-describedby`.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::error::AppError;

/// A form post made without JavaScript that failed, for the page rendered in its place.
#[derive(Clone, Debug)]
pub struct FormFallback {
    /// The server function's URL: which form on the page failed.
    pub action: String,
    pub error: AppError,
    /// What was typed, passwords left out.
    pub values: Vec<(String, String)>,
}

/// The error and typed values of one form.
#[derive(Clone)]
pub struct FormState {
    error: Signal<Option<AppError>>,
    values: Vec<(String, String)>,
}

impl FormState {
    /// The state of the form posting to `action`.
    pub fn new<S>(action: ServerAction<S>) -> FormState
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let value = action.value();
        FormState::of(
            S::url(),
            Signal::derive(move || value.get().map(|result| result.err())),
        )
    }

    /// The state of the form posting to `url`, whose last outcome is `last` (`None` before
    /// any; `Some(None)` after a success): for forms that dispatch their own action.
    pub fn of(url: &str, last: Signal<Option<Option<AppError>>>) -> FormState {
        let fallback = use_context::<FormFallback>().filter(|f| f.action == url);
        let fallback_error = fallback.as_ref().map(|f| f.error.clone());
        let values = fallback.map(|f| f.values).unwrap_or_default();
        let error = Signal::derive(move || match last.get() {
            Some(outcome) => outcome,
            None => fallback_error.clone(),
        });
        FormState { error, values }
    }

    /// The form's current error.
    pub fn error(&self) -> Signal<Option<AppError>> {
        self.error
    }

    /// The message about `field`, if any.
    pub fn field_error(&self, field: &'static str) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || {
            error
                .get()
                .and_then(|e| e.field_message(field).map(str::to_owned))
        })
    }

    /// What was typed into `field` before a failed post without JavaScript.
    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
    }

    /// Every value `field` had (checkboxes sharing a name) before a failed post without
    /// JavaScript.
    pub fn values(&self, field: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// What the person typed into the input `id` before the page hydrated, read while it
/// hydrates (else `None`). With scripting on, the server-rendered form is usable for as
/// long as the wasm takes to load; an input whose value is bound to a signal would be reset
/// to the signal's first value when hydration takes it over, so a signal bound to an input
/// starts from this (`docs/architecture.md`, "Forms").
pub fn typed_before_hydration(id: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
        if !hydrating {
            return None;
        }
        let element = web_sys::window()?.document()?.get_element_by_id(id)?;
        Some(
            element
                .dyn_into::<web_sys::HtmlInputElement>()
                .ok()?
                .value(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        None
    }
}

/// Takes into `value` what the person typed into `input` before the page hydrated, once it
/// is live: for inputs inside a suspended part of the page, whose other parts (a preview,
/// say) hydrate with the server's text and draw the value again only when it changes. So
/// `value` starts from what the server drew, and this sets it to what was typed. A part
/// drawn again later (after a save) has nothing typed early, and this does nothing there.
pub fn adopt_typed(input: NodeRef<leptos::html::Input>, value: RwSignal<String>) {
    let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    if !hydrating {
        return;
    }
    Effect::new(move |_| {
        if let Some(element) = input.get() {
            let typed = element.value();
            if typed != value.get_untracked() {
                value.set(typed);
            }
        }
    });
}

/// Counts an action's successes. A page's data keyed on it loads again after a change went
/// through, but not after a refused one, which would render the form again and lose what
/// was typed.
pub fn successes<I, O>(action: Action<I, Result<O, AppError>>) -> Memo<usize>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let version = action.version();
    let value = action.value();
    Memo::new(move |count: Option<&usize>| {
        version.track();
        let count = count.copied().unwrap_or(0);
        if value.with_untracked(|v| matches!(v, Some(Ok(_)))) && version.get_untracked() > 0 {
            count + 1
        } else {
            count
        }
    })
}

/// The options chosen in a page's selects and not saved yet, by the select's id. A page
/// whose data loads again after a save draws its forms again from the saved values, and a
/// select drawn again shows the option marked `selected` (the browser takes that attribute
/// as the select's choice anew, where a typed input keeps what was typed). So a choice made
/// in another form while a save was on its way would be lost. The page keeps its choices
/// here, above the part drawn again, and draws each select from [`UnsavedChoices::shown`]
/// (`docs/architecture.md`, "Forms").
#[derive(Clone, Copy)]
pub struct UnsavedChoices(StoredValue<std::collections::HashMap<String, String>>);

impl UnsavedChoices {
    pub fn new() -> UnsavedChoices {
        UnsavedChoices(StoredValue::new(Default::default()))
    }

    /// Notes that `value` was chosen in the select `id` (its `change` event).
    pub fn choose(&self, id: &str, value: String) {
        self.0.update_value(|choices| {
            choices.insert(id.to_owned(), value);
        });
    }

    /// Forgets the choice made in the select `id`.
    pub fn forget(&self, id: &str) {
        self.0.update_value(|choices| {
            choices.remove(id);
        });
    }

    /// The option to draw as chosen in the select `id`, whose saved value is `saved`: the
    /// choice made there if it is not saved yet, else `saved`. A choice that the saved
    /// value now matches is forgotten.
    pub fn shown(&self, id: &str, saved: &str) -> String {
        self.0
            .try_update_value(|choices| match choices.get(id) {
                Some(chosen) if chosen != saved => chosen.clone(),
                _ => {
                    choices.remove(id);
                    saved.to_owned()
                }
            })
            .unwrap_or_else(|| saved.to_owned())
    }
}

impl Default for UnsavedChoices {
    fn default() -> UnsavedChoices {
        UnsavedChoices::new()
    }
}

/// The element of a form that adds something (an invite, a stage, a domain), emptied once
/// `action` went through, as the page loaded anew after a post without scripting shows it;
/// a refused post keeps what was typed. The choices of the form's `selects` are forgotten
/// with it. Made once by the page, above the part that is drawn again after a change: a
/// form drawn again keeps its element, and this empties it once per success.
pub fn emptied_on_success<I, O>(
    action: Action<I, Result<O, AppError>>,
    choices: UnsavedChoices,
    selects: &'static [&'static str],
) -> NodeRef<leptos::html::Form>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let form: NodeRef<leptos::html::Form> = NodeRef::new();
    let value = action.value();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            for id in selects {
                choices.forget(id);
            }
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    form
}

/// A labelled input with its hint and its error message.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into, default = "text".into())] kind: String,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(default = None)] value: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, optional)] hint: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = match &hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                aria-describedby=described_by
                aria-invalid=move || error.get().is_some().then_some("true")
            />
            {hint.map(|hint| view! { <p id=hint_id class="field-hint">{hint}</p> })}
            <p id=error_id class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The form's own message: errors that no single field owns, or a summary of several.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || match error.get() {
        Some(AppError::Invalid { fields, .. }) if fields.len() == 1 => None,
        Some(e) => Some(e.to_string()),
        None => None,
    };
    view! { <div class="form-alert" role="alert">{message}</div> }
}
