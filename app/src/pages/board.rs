//! `/leads`: the pipeline board. One column per stage in pipeline order, newest leads
//! first, a **Show more** link per long column (`?stage=…&after=…`, a keyset cursor), and
//! one stage picker for the board: tick cards, pick a stage, **Move**.
//!
//! The board is drawn again in place after a move. Each card keeps its own element, keyed
//! by the lead, so that a tick stays with the lead it was given to (`docs/architecture.md`,
//! "Forms").

use domain::board::{Board, Card, Column, Page};
use leptos::{prelude::*, tachys::view::keyed::keyed};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::{
    api::leads::{MoveLeads, get_board},
    components::{form::FormState, layout::member_view},
    pages::not_found::NotFound,
    site::use_tenant,
};

/// The board's move form; each card's checkbox belongs to it through `form=`.
const MOVE_FORM: &str = "move-leads";
/// The checkboxes' name: `[]` makes the ticked ones a list.
const LEAD_IDS: &str = "lead_ids[]";

#[component]
pub fn BoardPage() -> impl IntoView {
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let move_leads = ServerAction::<MoveLeads>::new();
    let query = use_query_map();
    let board = Resource::new(
        move || {
            let query = query.get();
            let page = Page::from_query(query.get_str("stage"), query.get_str("after"));
            (move_leads.version().get(), page)
        },
        |(_, page)| get_board(page.map(|p| p.stage), page.map(|p| p.after)),
    );
    let form = FormState::new(move_leads);
    view! {
        <Title text="Pipeline"/>
        <Transition fallback=|| view! { <p class="loading">"Loading the pipeline…"</p> }>
            {move || {
                let form = form.clone();
                Suspend::new(async move {
                    member_view(board.await, move |board| view! {
                        <div class="board-header">
                            <h1>"Pipeline"</h1>
                        </div>
                        <BoardColumns board move_leads form/>
                    }.into_any())
                })
            }}
        </Transition>
    }
    .into_any()
}

#[component]
fn BoardColumns(
    board: Board,
    move_leads: ServerAction<MoveLeads>,
    form: FormState,
) -> impl IntoView {
    let empty = board.columns.iter().all(|c| c.total == 0);
    let any_card = board.columns.iter().any(|c| !c.cards.is_empty());
    let ticked = form.values(LEAD_IDS);
    let chosen_stage = form.value("stage_id");
    let error = form.error();
    let stages: Vec<(String, String)> = board
        .columns
        .iter()
        .map(|c| (c.stage_id.to_string(), c.name.clone()))
        .collect();
    view! {
        {empty.then(|| view! {
            <div class="empty-state" role="status">
                <h2>"No leads yet"</h2>
                <p>
                    "Leads posted to your intake API with your workspace’s key land in the first stage. "
                    "New ones appear here at the top of their column."
                </p>
            </div>
        })}
        // The move form has no field of its own to show a message beside: every message
        // of it, a field's too, is the board's alert.
        <div class="form-alert" role="alert">{move || error.get().map(|e| e.to_string())}</div>
        {any_card.then(|| view! {
            <ActionForm action=move_leads attr:id=MOVE_FORM attr:class="move-bar">
                <label for="move-to">"Move selected to"</label>
                <select id="move-to" name="stage_id">
                    {stages
                        .into_iter()
                        .map(|(id, name)| {
                            let selected = chosen_stage.as_deref() == Some(id.as_str());
                            view! { <option value=id selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="button small">"Move"</button>
            </ActionForm>
        })}
        <div class="board">
            {board
                .columns
                .into_iter()
                .map(|column| view! { <StageColumn column ticked=ticked.clone()/> })
                .collect_view()}
        </div>
    }
}

#[component]
fn StageColumn(column: Column, ticked: Vec<String>) -> impl IntoView {
    let heading_id = format!("stage-{}", column.stage_id);
    let labelled_by = heading_id.clone();
    let stage = column.stage_id;
    view! {
        <section class="column" aria-labelledby=labelled_by style=format!("--stage: {}", column.colour)>
            <header class="column-header">
                <h2 id=heading_id>{column.name.clone()}</h2>
                <span class="count" aria-label=format!("{} leads", column.total)>{column.total}</span>
            </header>
            {column.paged.then(|| view! {
                <a class="column-more" href=format!("/leads#stage-{stage}")>"Back to newest"</a>
            })}
            {if column.cards.is_empty() {
                let text = if column.paged { "No older leads in this stage." } else { "No leads in this stage." };
                view! { <p class="column-empty">{text}</p> }.into_any()
            } else {
                view! {
                    <ol class="cards">
                        {keyed(column.cards, |card| card.id, move |_, card| {
                            let checked = ticked.contains(&card.id.to_string());
                            (|_| {}, view! { <li><LeadCard card checked/></li> })
                        })}
                    </ol>
                }.into_any()
            }}
            {column.next.map(|after| view! {
                <a class="column-more" href=Page::href(stage, after)>"Show more"</a>
            })}
        </section>
    }
}

#[component]
fn LeadCard(card: Card, checked: bool) -> impl IntoView {
    let name_id = format!("lead-{}", card.id);
    let labelled_by = name_id.clone();
    let select_id = select_id(card.id);
    let label_for = select_id.clone();
    let name = card.name.clone();
    view! {
        <article class="card" aria-labelledby=labelled_by>
            <div class="card-title">
                <input type="checkbox" id=select_id name=LEAD_IDS value=card.id.to_string()
                    form=MOVE_FORM checked=checked/>
                <label class="visually-hidden" for=label_for>{format!("Select {name}")}</label>
                <h3 id=name_id>{card.name.clone()}</h3>
            </div>
            {card.company.clone().map(|c| view! { <p class="card-company">{c}</p> })}
            // The values speak for themselves on screen; the terms are for screen readers.
            <dl class="card-details">
                {card.email.clone().map(|e| {
                    let href = format!("mailto:{e}");
                    view! {
                        <dt class="visually-hidden">"Email"</dt>
                        <dd><a href=href>{e}</a></dd>
                    }
                })}
                {card.phone.clone().map(|p| {
                    let href = format!("tel:{}", p.replace(' ', ""));
                    view! {
                        <dt class="visually-hidden">"Phone"</dt>
                        <dd><a href=href>{p}</a></dd>
                    }
                })}
                {card.source.clone().map(|s| view! {
                    <dt class="visually-hidden">"Source"</dt>
                    <dd class="card-meta">{format!("From {s}")}</dd>
                })}
                <dt class="visually-hidden">"Received"</dt>
                <dd class="card-meta">{card.received.clone()}</dd>
            </dl>
        </article>
    }
}

fn select_id(lead: Uuid) -> String {
    format!("select-{lead}")
}
