//! `/settings/pipeline`: the stages in order, each with its name, colour and type, moved
//! up and down by buttons (keyboard and plain form posts alike), and deleted after a
//! confirm step (`?delete-stage=<id>`) that asks where its leads go.
//!
//! The list is drawn again in place after every change. Each stage keeps its own elements
//! (keyed by the stage and what it shows), so that what was typed into one stage's form
//! stays in that form when stages move; the Type chosen is kept by
//! [`UnsavedChoices`] (`docs/architecture.md`, "Forms").

use domain::{
    StageType,
    settings::{Pipeline, PipelineStage},
};
use leptos::{prelude::*, tachys::view::keyed::keyed};

use crate::{
    api::pipeline::{AddStage, DeleteStage, MoveStage, UpdateStage, get_pipeline},
    components::form::{FormAlert, FormState, UnsavedChoices, emptied_on_success, successes},
    pages::settings::{all_changes, query_param, settings_page},
};

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddStage>,
    update: ServerAction<UpdateStage>,
    shift: ServerAction<MoveStage>,
    delete: ServerAction<DeleteStage>,
    /// The Type chosen in each stage's form and not saved yet: the list is drawn again
    /// after every change, and must not take back a choice made in another stage meanwhile.
    choices: UnsavedChoices,
}

#[component]
pub fn PipelineSettingsPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::new(),
        update: ServerAction::new(),
        shift: ServerAction::new(),
        delete: ServerAction::new(),
        choices: UnsavedChoices::new(),
    };
    let changes = all_changes([
        successes(actions.add.into()),
        successes(actions.update.into()),
        successes(actions.shift.into()),
        successes(actions.delete.into()),
    ]);
    let pipeline = Resource::new(move || changes.get(), |_| get_pipeline());
    // Every stage's id and name, for the confirm step's "Move leads to": a stage kept from
    // an earlier draw still lists the others as they are now.
    let names = Signal::derive(move || {
        pipeline
            .get()
            .and_then(Result::ok)
            .map(|p| {
                p.stages
                    .iter()
                    .map(|s| (s.id.to_string(), s.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let add_element = emptied_on_success(actions.add.into(), actions.choices, &[NEW_STAGE_TYPE]);
    settings_page("Pipeline settings", pipeline, move |pipeline| {
        view! { <PipelineView pipeline actions names add_element/> }.into_any()
    })
}

#[component]
fn PipelineView(
    pipeline: Pipeline,
    actions: Actions,
    names: Signal<Vec<(String, String)>>,
    add_element: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let update_form = FormState::new(actions.update);
    let errors = [
        update_form.error(),
        FormState::new(actions.shift).error(),
        FormState::new(actions.delete).error(),
    ];
    let stage_error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    let add_form = FormState::new(actions.add);
    let deleting = query_param("delete-stage");
    let count = pipeline.stages.len();
    // The button that moved a stage keeps the focus, so that a keyboard can move it again:
    // `autofocus` on a page loaded after a plain post, the focus set by hand in place.
    let moved = query_param("moved");
    let moved_direction = query_param("direction");
    let focused = move |id: &str| {
        (moved.get_untracked().as_deref() == Some(id))
            .then(|| moved_direction.get_untracked())
            .flatten()
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let (Some(id), Some(direction)) = (moved.get(), moved_direction.get()) {
            request_animation_frame(move || focus_move_button(&id, &direction));
        }
    });
    // A stage with whether it is first and last: what its elements are kept by.
    let rows: Vec<(PipelineStage, bool, bool)> = pipeline
        .stages
        .into_iter()
        .enumerate()
        .map(|(i, stage)| (stage, i == 0, i + 1 == count))
        .collect();
    view! {
        <h1>"Pipeline"</h1>
        <p class="field-hint">"Stages in the order of the board. New leads land in the first active stage."</p>
        <FormAlert error=stage_error/>
        <ol class="stages">
            {keyed(rows, Clone::clone, move |_, (stage, first, last)| {
                let id = stage.id.to_string();
                let focus = focused(&id);
                let is_deleting = Signal::derive(move || deleting.get().as_deref() == Some(id.as_str()));
                let view = view! {
                    <li>
                        <StageItem stage first last is_deleting names actions update_form=update_form.clone() focus/>
                    </li>
                };
                (|_| {}, view)
            })}
        </ol>

        <section class="panel" aria-labelledby="add-stage-heading">
            <h2 id="add-stage-heading">"Add a stage"</h2>
            <ActionForm action=actions.add node_ref=add_element attr:novalidate=true attr:class="stage-form" attr:aria-labelledby="add-stage-heading">
                <FormAlert error=add_form.error()/>
                <StageFields prefix=NEW_STAGE.into() name=add_form.value("name").unwrap_or_default()
                    colour=add_form.value("colour").unwrap_or_else(|| "#64748b".into())
                    kind=typed_type(&add_form).unwrap_or(StageType::Active) error=add_form.error()
                    choices=actions.choices/>
                <button type="submit" class="button primary">"Add stage"</button>
            </ActionForm>
        </section>
    }
}

/// The fields' prefix in the Add a stage form, and its Type select.
const NEW_STAGE: &str = "new-stage";
const NEW_STAGE_TYPE: &str = "new-stage-type";

/// The Type typed into a form before a refused post without scripting.
fn typed_type(form: &FormState) -> Option<StageType> {
    form.value("stage_type")?.parse().ok()
}

/// The Name, Colour and Type fields of a stage's form.
#[component]
fn StageFields(
    prefix: String,
    name: String,
    colour: String,
    kind: StageType,
    error: Signal<Option<crate::error::AppError>>,
    choices: UnsavedChoices,
) -> impl IntoView {
    let name_id = format!("{prefix}-name");
    let colour_id = format!("{prefix}-colour");
    let type_id = format!("{prefix}-type");
    let name_error_id = format!("{prefix}-name-error");
    let chosen = choices.shown(&type_id, kind.as_str());
    let select_id = type_id.clone();
    let field_message = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field_message(field).map(str::to_owned))
        }
    };
    view! {
        <div class="field">
            <label for=name_id.clone()>"Name"</label>
            <input id=name_id name="name" maxlength="40" value=name aria-describedby=name_error_id.clone()
                aria-invalid=move || field_message("name")().is_some().then_some("true")/>
            <p id=name_error_id class="field-error" role="alert">{field_message("name")}</p>
        </div>
        <div class="field field-narrow">
            <label for=colour_id.clone()>"Colour"</label>
            <input id=colour_id type="color" name="colour" value=colour/>
        </div>
        <div class="field field-narrow">
            <label for=type_id.clone()>"Type"</label>
            <select id=type_id.clone() name="stage_type"
                on:change=move |ev| choices.choose(&select_id, event_target_value(&ev))>
                {StageType::ALL.into_iter().map(|t| view! {
                    <option value=t.as_str() selected=t.as_str() == chosen>{t.label()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn StageItem(
    stage: PipelineStage,
    first: bool,
    last: bool,
    is_deleting: Signal<bool>,
    names: Signal<Vec<(String, String)>>,
    actions: Actions,
    /// The stage forms' state: what was typed before a refused post without scripting.
    update_form: FormState,
    /// The direction this stage was just moved in: that button (or, at an end of the list,
    /// the other one) takes the focus.
    focus: Option<String>,
) -> impl IntoView {
    let id = stage.id.to_string();
    let autofocus = |direction: &str| match focus.as_deref() {
        Some(moved) if moved == direction => {
            !(direction == "up" && first || direction == "down" && last)
        }
        Some(_) => direction == "up" && last || direction == "down" && first,
        None => false,
    };
    let (focus_up, focus_down) = (autofocus("up"), autofocus("down"));
    let legend_id = format!("stage-{id}-legend");
    let leads = stage.leads;
    let name = stage.name.clone();
    let no_error = Signal::derive(|| None);
    let style = format!("--stage: {}", stage.colour);
    let prefix = format!("stage-{id}");
    let lead_count = format!("{leads} lead{}", if leads == 1 { "" } else { "s" });
    let shift = |direction: &'static str, label: &'static str, disabled: bool, autofocus: bool| {
        let id = stage.id.to_string();
        let button_id = move_button_id(&id, direction);
        view! {
            <ActionForm action=actions.shift>
                <input type="hidden" name="stage" value=id/>
                <input type="hidden" name="direction" value=direction/>
                <button type="submit" id=button_id class="button small" disabled=disabled autofocus=autofocus>{label}</button>
            </ActionForm>
        }
    };
    let (up, down) = (
        shift("up", "Move up", first, focus_up),
        shift("down", "Move down", last, focus_down),
    );
    let update_id = id.clone();
    // After a refused post without scripting, this stage's form shows what was typed into it.
    let typed = (update_form.value("stage").as_deref() == Some(id.as_str())).then_some(update_form);
    let typed_name = typed.as_ref().and_then(|t| t.value("name"));
    let typed_colour = typed.as_ref().and_then(|t| t.value("colour"));
    let typed_kind = typed.as_ref().and_then(typed_type);
    let legend_ref = legend_id.clone();
    view! {
        <fieldset class="stage" style=style aria-labelledby=legend_ref>
            <legend id=legend_id>{stage.name.clone()}</legend>
            <p class="stage-meta">{lead_count}</p>
            <ActionForm action=actions.update attr:novalidate=true attr:class="stage-form">
                <input type="hidden" name="stage" value=update_id/>
                <StageFields prefix name=typed_name.unwrap_or_else(|| stage.name.clone())
                    colour=typed_colour.unwrap_or_else(|| stage.colour.clone())
                    kind=typed_kind.unwrap_or(stage.stage_type) error=no_error choices=actions.choices/>
                <button type="submit" class="button small">"Save"</button>
            </ActionForm>
            <div class="row stage-actions">
                {up}
                {down}
                {move || if is_deleting.get() {
                    let (id, name) = (id.clone(), name.clone());
                    let others: Vec<(String, String)> = names
                        .get()
                        .into_iter()
                        .filter(|(other, _)| *other != id)
                        .collect();
                    let group_label = "Delete this stage?";
                    let confirm_label = format!("Confirm: delete {name}");
                    let moving = format!("{name} holds {leads} lead{}; they move in the same step.", if leads == 1 { "" } else { "s" });
                    let empty = format!("Delete {name}? It holds no leads.");
                    view! {
                        <ActionForm action=actions.delete attr:class="confirm" attr:role="group" attr:aria-label=group_label>
                            <input type="hidden" name="stage" value=id.clone()/>
                            {if leads > 0 {
                                let select_id = format!("stage-{id}-move-to");
                                view! {
                                    <div class="field">
                                        <label for=select_id.clone()>"Move leads to"</label>
                                        <select id=select_id name="move_to">
                                            {others.into_iter().map(|(other, label)| view! {
                                                <option value=other>{label}</option>
                                            }).collect_view()}
                                        </select>
                                        <p class="field-hint">{moving}</p>
                                    </div>
                                }.into_any()
                            } else {
                                view! { <p class="confirm-text">{empty}</p> }.into_any()
                            }}
                            <button type="submit" class="button small danger">{confirm_label}</button>
                            <a class="button small ghost" href="/settings/pipeline">"Cancel"</a>
                        </ActionForm>
                    }.into_any()
                } else {
                    let id = id.clone();
                    view! {
                        <form method="get" action="/settings/pipeline">
                            <input type="hidden" name="delete-stage" value=id/>
                            <button type="submit" class="button small">"Delete"</button>
                        </form>
                    }.into_any()
                }}
            </div>
        </fieldset>
    }
}

/// The element id of a stage's Move up or Move down button.
fn move_button_id(stage: &str, direction: &str) -> String {
    format!("stage-{stage}-{direction}")
}

/// Focuses the button that moved `stage`, or the stage's other one when that is disabled
/// (the stage reached an end of the list).
#[cfg(feature = "hydrate")]
fn focus_move_button(stage: &str, direction: &str) {
    use wasm_bindgen::JsCast;
    let other = if direction == "up" { "down" } else { "up" };
    let document = document();
    let button = [direction, other]
        .into_iter()
        .filter_map(|d| document.get_element_by_id(&move_button_id(stage, d)))
        .find(|b| !b.has_attribute("disabled"))
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}
