//! `/leads`: the pipeline board. One column per stage in pipeline order, newest leads
//! first, and a way to move each lead to another stage.

use domain::board::{Board, Card, Column};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::leads::{MoveLead, get_board},
    components::{
        form::{FormAlert, FormState},
        layout::member_view,
    },
    pages::not_found::NotFound,
    site::use_tenant,
};

#[component]
pub fn BoardPage() -> impl IntoView {
    if use_tenant().is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let move_lead = ServerAction::<MoveLead>::new();
    let board = Resource::new(move || move_lead.version().get(), |_| get_board());
    let error = FormState::new(move_lead).error();
    view! {
        <Title text="Pipeline"/>
        <Transition fallback=|| view! { <p class="loading">"Loading the pipeline…"</p> }>
            {move || Suspend::new(async move {
                member_view(board.await, move |board| view! {
                    <div class="board-header">
                        <h1>"Pipeline"</h1>
                    </div>
                    <FormAlert error/>
                    <BoardColumns board move_lead/>
                }.into_any())
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn BoardColumns(board: Board, move_lead: ServerAction<MoveLead>) -> impl IntoView {
    let empty = board.columns.iter().all(|c| c.total == 0);
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
        <div class="board">
            {board
                .columns
                .into_iter()
                .map(|column| view! { <StageColumn column stages=stages.clone() move_lead/> })
                .collect_view()}
        </div>
    }
}

#[component]
fn StageColumn(
    column: Column,
    stages: Vec<(String, String)>,
    move_lead: ServerAction<MoveLead>,
) -> impl IntoView {
    let heading_id = format!("stage-{}", column.stage_id);
    let labelled_by = heading_id.clone();
    let shown = column.cards.len() as i64;
    let more = column.total - shown;
    view! {
        <section class="column" aria-labelledby=labelled_by style=format!("--stage: {}", column.colour)>
            <header class="column-header">
                <h2 id=heading_id>{column.name.clone()}</h2>
                <span class="count" aria-label=format!("{} leads", column.total)>{column.total}</span>
            </header>
            {if column.cards.is_empty() {
                view! { <p class="column-empty">"No leads in this stage."</p> }.into_any()
            } else {
                view! {
                    <ol class="cards">
                        {column
                            .cards
                            .into_iter()
                            .map(|card| view! {
                                <li><LeadCard card stage_id=column.stage_id.to_string() stages=stages.clone() move_lead/></li>
                            })
                            .collect_view()}
                    </ol>
                }.into_any()
            }}
            {(more > 0).then(|| view! { <p class="column-more">{format!("and {more} older")}</p> })}
        </section>
    }
}

#[component]
fn LeadCard(
    card: Card,
    stage_id: String,
    stages: Vec<(String, String)>,
    move_lead: ServerAction<MoveLead>,
) -> impl IntoView {
    let name_id = format!("lead-{}", card.id);
    let labelled_by = name_id.clone();
    let select_id = format!("lead-{}-stage", card.id);
    let label_for = select_id.clone();
    let name = card.name.clone();
    view! {
        <article class="card" aria-labelledby=labelled_by>
            <h3 id=name_id>{card.name.clone()}</h3>
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
            <ActionForm action=move_lead attr:class="move-form">
                <input type="hidden" name="lead_id" value=card.id.to_string()/>
                <label class="visually-hidden" for=label_for>{format!("Stage for {name}")}</label>
                <select id=select_id name="stage_id">
                    {stages
                        .into_iter()
                        .map(|(id, label)| {
                            let selected = id == stage_id;
                            view! { <option value=id selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="button small">"Move"</button>
            </ActionForm>
        </article>
    }
}
