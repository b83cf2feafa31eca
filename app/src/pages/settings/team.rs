//! `/settings/team`: members with their roles, pending invites, and the invite form.
//! Removing a member asks first (`?remove-member=<id>` shows the confirm step in the member's row,
//! with or without scripting).

use domain::{
    Role,
    settings::{PendingInvite, Team, TeamMember},
};
use leptos::prelude::*;

use crate::{
    api::team::{ChangeRole, RemoveMember, ResendInvite, RevokeInvite, SendInvite, get_team},
    components::form::{
        Field, FormAlert, FormState, UnsavedChoices, emptied_on_success, successes,
    },
    pages::settings::{all_changes, query_param, settings_page},
};

/// The page's actions, shared by its parts.
#[derive(Clone, Copy)]
struct Actions {
    invite: ServerAction<SendInvite>,
    resend: ServerAction<ResendInvite>,
    revoke: ServerAction<RevokeInvite>,
    role: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveMember>,
}

#[component]
pub fn TeamSettingsPage() -> impl IntoView {
    let actions = Actions {
        invite: ServerAction::new(),
        resend: ServerAction::new(),
        revoke: ServerAction::new(),
        role: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let changes = all_changes([
        successes(actions.invite.into()),
        successes(actions.resend.into()),
        successes(actions.revoke.into()),
        successes(actions.role.into()),
        successes(actions.remove.into()),
    ]);
    let team = Resource::new(move || changes.get(), |_| get_team());
    // The invite form's Role, kept while a change elsewhere draws the page again.
    let choices = UnsavedChoices::new();
    let invite_element = emptied_on_success(actions.invite.into(), choices, &[INVITE_ROLE]);
    settings_page("Team", team, move |team| {
        view! { <TeamView team actions choices invite_element/> }.into_any()
    })
}

#[component]
fn TeamView(
    team: Team,
    actions: Actions,
    choices: UnsavedChoices,
    invite_element: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let invite_form = FormState::new(actions.invite);
    let invite_role = choices.shown(
        INVITE_ROLE,
        invite_form.value("role").as_deref().unwrap_or("member"),
    );
    // Errors of the row actions, whichever row they came from.
    let row_errors = [
        FormState::new(actions.resend).error(),
        FormState::new(actions.revoke).error(),
        FormState::new(actions.role).error(),
        FormState::new(actions.remove).error(),
    ];
    let row_error = Signal::derive(move || row_errors.iter().find_map(|e| e.get()));
    let removing = query_param("remove-member");
    let you = team.you;
    let full = !team.seats.has_room();
    view! {
        <h1>"Team"</h1>
        <p class="seats" role="status">{team.seats.describe()}</p>
        <FormAlert error=row_error/>

        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <div class="table-scroll"><table class="table">
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                        <th scope="col">"Joined"</th><th scope="col">"Last sign-in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                </thead>
                <tbody>
                    {team.members.into_iter().map(|member| {
                        let confirming = member.user_id.to_string();
                        let is_confirming = Signal::derive(move || removing.get().as_deref() == Some(confirming.as_str()));
                        let is_you = you == member.user_id;
                        view! { <MemberRow member you=is_you is_confirming actions/> }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>

        <section class="panel" aria-labelledby="invites-heading">
            <h2 id="invites-heading">"Pending invites"</h2>
            {if team.invites.is_empty() {
                view! { <p class="empty">"No pending invites."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table">
                        <thead>
                            <tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Sent"</th>
                                <th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                        </thead>
                        <tbody>
                            {team.invites.into_iter().map(|invite| view! { <InviteRow invite actions/> }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>

        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            {full.then(|| view! {
                <p class="notice">{team.seats.full_message()}</p>
            })}
            <ActionForm action=actions.invite node_ref=invite_element attr:novalidate=true attr:class="inline-form">
                <FormAlert error=invite_form.error()/>
                <Field label="Email" name="email" kind="email" autocomplete="off"
                    value=invite_form.value("email") error=invite_form.field_error("email")/>
                <div class="field">
                    <label for=INVITE_ROLE>"Role"</label>
                    <select id=INVITE_ROLE name="role" on:change=move |ev| choices.choose(INVITE_ROLE, event_target_value(&ev))>
                        <option value="member" selected=invite_role != "admin">"Member"</option>
                        <option value="admin" selected=invite_role == "admin">"Admin"</option>
                    </select>
                </div>
                <button type="submit" class="button primary">"Send invite"</button>
            </ActionForm>
            <p class="field-hint">"Admins run Settings; members work with leads. The invite link works once, for 7 days."</p>
            {team.awaiting_approval.then(|| view! {
                <p class="field-hint" id="invites-held">
                    "This workspace is awaiting approval: invite emails wait in the outbox until HREF approves it, and are sent then. If it is not approved, they are never sent."
                </p>
            })}
        </section>
    }
}

/// The invite form's Role select.
const INVITE_ROLE: &str = "field-role";

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Member => "Member",
    }
}

#[component]
fn MemberRow(
    member: TeamMember,
    you: bool,
    is_confirming: Signal<bool>,
    actions: Actions,
) -> impl IntoView {
    let select_id = format!("role-{}", member.user_id);
    let name = member.name.clone();
    let user = member.user_id.to_string();
    let role = member.role;
    let change = actions.role;
    let user_for_change = member.user_id;
    let role_user = user.clone();
    let role_label_text = format!("Access level of {name}");
    view! {
        <tr>
            <td>{member.name.clone()} {you.then(|| view! { <span class="tag">"you"</span> })}</td>
            <td>{member.email.clone()}</td>
            <td>
                <ActionForm action=actions.role attr:class="row">
                    <input type="hidden" name="user" value=role_user/>
                    <label class="visually-hidden" for=select_id.clone()>{role_label_text}</label>
                    <select id=select_id name="role" on:change=move |ev| {
                        change.dispatch(ChangeRole { user: user_for_change, role: event_target_value(&ev) });
                    }>
                        {[Role::Member, Role::Admin].into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == role>{role_label(r)}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button small">"Change role"</button>
                </ActionForm>
            </td>
            <td>{member.joined.clone()}</td>
            <td>{member.last_sign_in.clone().unwrap_or_else(|| "Never".into())}</td>
            <td>
                {move || if is_confirming.get() {
                    let user = user.clone();
                    let group_label = format!("Remove {name}?");
                    let text = format!("Remove {name}? Their sessions end at once; their account stays.");
                    let confirm_label = format!("Confirm: remove {name}");
                    view! {
                        <ActionForm action=actions.remove attr:class="confirm" attr:role="group" attr:aria-label=group_label>
                            <input type="hidden" name="user" value=user/>
                            <p class="confirm-text">{text}</p>
                            <button type="submit" class="button small danger">{confirm_label}</button>
                            <a class="button small ghost" href="/settings/team">"Cancel"</a>
                        </ActionForm>
                    }.into_any()
                } else {
                    let user = user.clone();
                    view! {
                        <form method="get" action="/settings/team">
                            <input type="hidden" name="remove-member" value=user/>
                            <button type="submit" class="button small">"Remove"</button>
                        </form>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn InviteRow(invite: PendingInvite, actions: Actions) -> impl IntoView {
    let id = invite.id.to_string();
    let resend_id = id.clone();
    view! {
        <tr>
            <td>{invite.email.clone()}</td>
            <td>{role_label(invite.role)}</td>
            <td>{invite.sent.clone()}</td>
            <td>
                {if invite.expired {
                    view! { <span class="tag tag-warn">"expired"</span> " " {invite.expires.clone()} }.into_any()
                } else {
                    view! { {invite.expires.clone()} }.into_any()
                }}
            </td>
            <td class="row">
                <ActionForm action=actions.resend>
                    <input type="hidden" name="invite" value=resend_id/>
                    <button type="submit" class="button small">"Resend"</button>
                </ActionForm>
                <ActionForm action=actions.revoke>
                    <input type="hidden" name="invite" value=id/>
                    <button type="submit" class="button small">"Revoke"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
