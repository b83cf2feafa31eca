//! `/admin/account`: two-factor (the **Secret key** and its QR code until a **Code** turns
//! it on) and changing the password, which ends the account's other sessions.

use domain::console::{StaffAccount, TwoFactor};
use leptos::prelude::*;

use crate::{
    api::console::account::{
        ChangeStaffPassword, TurnOffTwoFactor, TurnOnTwoFactor, get_staff_account,
    },
    components::form::{Field, FormAlert, FormState},
    pages::console::{changes, console_page, counts_as_change},
};

#[component]
pub fn StaffAccountPage() -> impl IntoView {
    let changes = changes();
    let turn_on = ServerAction::<TurnOnTwoFactor>::new();
    counts_as_change(turn_on);
    let account = Resource::new(move || changes.get(), |_| get_staff_account());
    console_page("Account", account, move |account| {
        view! { <AccountView account turn_on/> }.into_any()
    })
}

#[component]
fn AccountView(account: StaffAccount, turn_on: ServerAction<TurnOnTwoFactor>) -> impl IntoView {
    view! {
        <h1>"Your staff account"</h1>
        <p>"Signed in as " <strong>{account.email}</strong> "."</p>
        <section class="panel" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            {match account.two_factor {
                TwoFactor::On => view! {
                    <p class="notice">"Two-factor is on: every sign-in asks for a code from your authenticator app."</p>
                    {(!account.two_factor_required).then(|| view! { <TurnOff/> })}
                }.into_any(),
                TwoFactor::SettingUp { secret, qr_svg } => view! {
                    {account.two_factor_required.then(|| view! {
                        <p class="notice notice-error" role="alert">
                            "HREF staff must sign in with two-factor: the rest of the console opens once it is on."
                        </p>
                    })}
                    <SetUp secret qr_svg turn_on/>
                }.into_any(),
            }}
        </section>
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <ChangePassword/>
        </section>
    }
}

#[component]
fn SetUp(secret: String, qr_svg: String, turn_on: ServerAction<TurnOnTwoFactor>) -> impl IntoView {
    let form = FormState::new(turn_on);
    let pending = turn_on.pending();
    let code_error = form.field_error("code");
    view! {
        <p>"Two-factor is off. Scan this code with an authenticator app (or type the secret key into it), then enter the 6-digit code it shows."</p>
        // The SVG is drawn by the qrcode crate from our own otpauth URL: no user text in it.
        <div class="qr" role="img" aria-label="Scan this with your authenticator app" inner_html=qr_svg></div>
        <p>
            <span id="secret-key-label" class="label">"Secret key"</span> " "
            <code id="secret-key" class="mono secret" aria-labelledby="secret-key-label">{secret}</code>
        </p>
        <p class="field-hint">"Base32, TOTP (RFC 6238): SHA-1, 6 digits, every 30 seconds."</p>
        <ActionForm action=turn_on attr:novalidate=true>
            <FormAlert error=form.error()/>
            <div class="field" class:has-error=move || code_error.get().is_some()>
                <label for="field-code">"Code"</label>
                <input id="field-code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="7" aria-describedby="field-code-error"
                    aria-invalid=move || code_error.get().is_some().then_some("true")/>
                <p id="field-code-error" class="field-error" role="alert">{move || code_error.get()}</p>
            </div>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Checking…" } else { "Turn on two-factor" }}
            </button>
        </ActionForm>
    }
}

/// Turns two-factor off (only where the platform lets staff go without it): the password
/// and a current code.
#[component]
fn TurnOff() -> impl IntoView {
    let action = ServerAction::<TurnOffTwoFactor>::new();
    counts_as_change(action);
    let form = FormState::new(action);
    let pending = action.pending();
    view! {
        <ActionForm action attr:novalidate=true>
            <FormAlert error=form.error()/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"
                error=form.field_error("password")/>
            <Field label="Code from your app" name="code_off" autocomplete="one-time-code"
                error=form.field_error("code_off")/>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Turning off…" } else { "Turn off two-factor" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let action = ServerAction::<ChangeStaffPassword>::new();
    counts_as_change(action);
    let form = FormState::new(action);
    let pending = action.pending();
    view! {
        <ActionForm action attr:novalidate=true>
            <FormAlert error=form.error()/>
            <Field label="Current password" name="current_password" kind="password"
                autocomplete="current-password" error=form.field_error("current_password")/>
            <Field label="New password" name="new_password" kind="password" autocomplete="new-password"
                hint="At least 8 characters. Your other sessions end when it changes."
                error=form.field_error("new_password")/>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Change password" }}
            </button>
        </ActionForm>
    }
}
