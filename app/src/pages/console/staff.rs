//! `/admin/staff`: HREF's staff accounts, whether two-factor is on, their live sessions,
//! **End sessions**, and **Disable** (asked first: `?disable=<email>` opens the confirm step
//! in the account's row, with or without scripting). A disabled account comes back with a
//! new set-password link (`cargo hcrm create-staff`).

use domain::console::StaffMember;
use leptos::prelude::*;

use crate::{
    api::console::staff::{DisableStaff, EndStaffSessions, get_staff_list},
    components::form::{FormAlert, FormState},
    pages::console::{changes, console_page, counts_as_change, query_param},
};

#[component]
pub fn StaffPage() -> impl IntoView {
    let changes = changes();
    let staff = Resource::new(move || changes.get(), |_| get_staff_list());
    console_page("Staff", staff, move |staff| {
        view! { <StaffView staff/> }.into_any()
    })
}

#[component]
fn StaffView(staff: Vec<StaffMember>) -> impl IntoView {
    let end = ServerAction::<EndStaffSessions>::new();
    let disable = ServerAction::<DisableStaff>::new();
    counts_as_change(end);
    counts_as_change(disable);
    let errors = [FormState::new(end).error(), FormState::new(disable).error()];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    let confirming = query_param("disable");
    view! {
        <h1>"Staff"</h1>
        <p>"Everyone who can sign in to this console. To give a disabled account back, or one that lost its password or device, run "
            <code>"cargo hcrm create-staff <email>"</code> " and send them the link it prints."</p>
        <FormAlert error/>
        <div class="table-scroll"><table class="table">
            <thead>
                <tr><th scope="col">"Email"</th><th scope="col">"Two-factor"</th><th scope="col">"Sessions"</th>
                    <th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {staff.into_iter().map(|member| {
                    let email = member.email.clone();
                    let is_confirming = Signal::derive(move || confirming.get().as_deref() == Some(email.as_str()));
                    view! { <StaffRow member is_confirming end disable/> }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn StaffRow(
    member: StaffMember,
    is_confirming: Signal<bool>,
    end: ServerAction<EndStaffSessions>,
    disable: ServerAction<DisableStaff>,
) -> impl IntoView {
    let email = member.email.clone();
    let end_email = email.clone();
    let end_label = format!("End sessions of {email}");
    view! {
        <tr>
            <td>{member.email.clone()}</td>
            <td>{if member.two_factor_on { "On" } else { "Off" }}</td>
            <td>{member.sessions}</td>
            <td>{if member.disabled { "Disabled" } else { "Active" }}</td>
            <td class="row">
                {(member.sessions > 0).then(|| view! {
                    <ActionForm action=end>
                        <input type="hidden" name="email" value=end_email/>
                        <button type="submit" class="button small" aria-label=end_label>"End sessions"</button>
                    </ActionForm>
                })}
                {(!member.disabled).then(|| view! { <DisableButton email is_confirming disable/> })}
            </td>
        </tr>
    }
}

#[component]
fn DisableButton(
    email: String,
    is_confirming: Signal<bool>,
    disable: ServerAction<DisableStaff>,
) -> impl IntoView {
    move || {
        let email = email.clone();
        if is_confirming.get() {
            let group_label = format!("Disable {email}?");
            let text =
                format!("Disable {email}? Their sessions end at once and they cannot sign in.");
            let confirm_label = format!("Confirm: disable {email}");
            view! {
                <ActionForm action=disable attr:class="confirm" attr:role="group" attr:aria-label=group_label>
                    <input type="hidden" name="email" value=email/>
                    <p class="confirm-text">{text}</p>
                    <button type="submit" class="button small danger">{confirm_label}</button>
                    <a class="button small ghost" href="/admin/staff">"Cancel"</a>
                </ActionForm>
            }
            .into_any()
        } else {
            let label = format!("Disable {email}");
            view! {
                <form method="get" action="/admin/staff">
                    <input type="hidden" name="disable" value=email/>
                    <button type="submit" class="button small" aria-label=label>"Disable"</button>
                </form>
            }
            .into_any()
        }
    }
}
