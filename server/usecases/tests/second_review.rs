//! What the second security review found, each shut, on a real Postgres: invite emails
//! that could flood an inbox (and went out before a workspace was approved), password
//! guesses sprayed across accounts from one network, staff sessions that outlived a reset or
//! a change of two-factor, two-factor secrets stored in clear, a staff account that a
//! stranger could lock, and a removed admin's invites left working.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{net::IpAddr, sync::Arc, time::Duration};

use common::{PASSWORD, platform, provision, tenant, workspace_with_admin};
use db::{members::Member, sqlx, tenants::ResolvedTenant, testing::TestDb};
use domain::{Email, Role, Slug, StatusAction, Token, console::TwoFactor};
use totp_rs::{Algorithm, Secret, TOTP};
use usecases::{
    Actor, Error, Platform,
    limits::{LimitSettings, Limits},
    staff_sign_in::{Current, LOCKED, Staff, current, sign_in},
    team::Invited,
    two_factor,
};

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

/// The member with `address` in `tenant`.
async fn member(p: &Platform, tenant: &ResolvedTenant, address: &str) -> Member {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await.unwrap();
    let found = db::members::find_by_email(&mut tx, &email(address))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    found
}

/// A platform on a fresh database with `limits` in place of the defaults.
async fn platform_with_limits(limits: LimitSettings) -> (TestDb, Platform) {
    let (test, mut p) = platform().await;
    p.limits = Arc::new(Limits::new(limits));
    (test, p)
}

/// `(status, has a body)` of each email queued to `to`, oldest first.
async fn queued_to(p: &Platform, to: &str) -> Vec<(String, bool)> {
    sqlx::query_as(
        "select status, sealed_body is not null from email_outbox
         where to_address = $1 order by created_at, id",
    )
    .bind(to)
    .fetch_all(&p.db.owner)
    .await
    .unwrap()
}

async fn owner_sql(p: &Platform, sql: &str) {
    db::testing::execute(&p.db.owner, sql).await;
}

// ---------------------------------------------------------------------------------------
// Invite emails
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_address_gets_at_most_three_invite_emails_an_hour_and_a_refused_resend_sends_nothing() {
    // Arrange
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    let ada = member(&p, &acme, "admin@acme.test").await;
    let stranger = email("stranger@example.com");

    // Act: the invite, then resends until refused.
    let first = usecases::team::invite(&p, &acme, &ada, &stranger, Role::Member).await;
    let pending = usecases::team::view(&p, &acme, &ada).await.unwrap().invites[0].id;
    let second = usecases::team::resend(&p, &acme, &ada, pending).await;
    let third = usecases::team::invite(&p, &acme, &ada, &stranger, Role::Member).await;
    let fourth = usecases::team::resend(&p, &acme, &ada, pending).await;

    // Assert
    assert_eq!(first.unwrap(), Invited::Sent);
    assert!(second.is_ok());
    assert_eq!(third.unwrap(), Invited::Resent);
    let Err(Error::RateLimited {
        message,
        retry_after,
    }) = fourth
    else {
        panic!("the fourth email is refused: {fourth:?}");
    };
    assert!(
        message.contains("Try again in 60 minutes.")
            || message.contains("Try again in 59 minutes."),
        "{message}"
    );
    assert!(retry_after > Duration::from_secs(3500), "{retry_after:?}");
    assert_eq!(queued_to(&p, "stranger@example.com").await.len(), 3);
    // Another address is not held back by it.
    usecases::team::invite(&p, &acme, &ada, &email("colleague@acme.test"), Role::Member)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_workspace_sends_at_most_its_daily_number_of_invite_emails() {
    // Arrange: a daily limit of 2.
    let limits = LimitSettings {
        invite_daily: "2/1d".parse().unwrap(),
        ..LimitSettings::default()
    };
    let (_db, p) = platform_with_limits(limits).await;
    let acme = workspace_with_admin(&p, "acme").await;
    let ada = member(&p, &acme, "admin@acme.test").await;

    // Act
    let mut answers = Vec::new();
    for who in ["a@example.com", "b@example.com", "c@example.com"] {
        answers.push(usecases::team::invite(&p, &acme, &ada, &email(who), Role::Member).await);
    }

    // Assert: the workspace's own invite at provisioning is not its admin's sending.
    assert!(answers[0].is_ok() && answers[1].is_ok(), "{answers:?}");
    let refused = answers[2].as_ref().unwrap_err();
    assert!(
        matches!(refused, Error::RateLimited { message, .. } if message.contains("This workspace sent 2 invite emails in the last 24 hours.")),
        "{refused:?}"
    );
    assert!(queued_to(&p, "c@example.com").await.is_empty());
    // Nothing of the refused invite was written.
    let team = usecases::team::view(&p, &acme, &ada).await.unwrap();
    assert_eq!(team.invites.len(), 2);
}

/// `acme` awaiting approval, whose admin invited `x@example.com`.
async fn pending_workspace_with_an_invite(p: &Platform) -> (ResolvedTenant, Member) {
    workspace_with_admin(p, "acme").await;
    owner_sql(
        p,
        "update tenants set status = 'pending' where slug = 'acme'",
    )
    .await;
    let acme = tenant(p, "acme").await;
    let ada = member(p, &acme, "admin@acme.test").await;
    usecases::team::invite(p, &acme, &ada, &email("x@example.com"), Role::Member)
        .await
        .unwrap();
    (acme, ada)
}

#[tokio::test]
async fn invites_of_a_workspace_awaiting_approval_wait_until_staff_approve_it() {
    // Arrange: a workspace waiting for approval, whose admin invited someone.
    let (_db, p) = platform().await;
    let (acme, ada) = pending_workspace_with_an_invite(&p).await;

    // Act
    let before = queued_to(&p, "x@example.com").await;
    let mailbox_before = usecases::outbox::dev_mailbox(&p, &email("x@example.com"))
        .await
        .unwrap();
    let team = usecases::team::view(&p, &acme, &ada).await.unwrap();
    usecases::change_status::change_status(
        &p,
        &Slug::parse("acme").unwrap(),
        StatusAction::Approve,
        None,
        &Actor::Cli,
    )
    .await
    .unwrap();

    // Assert
    assert_eq!(before, vec![("held".to_owned(), true)]);
    assert!(mailbox_before.is_empty(), "nothing was sent yet");
    assert!(team.awaiting_approval);
    assert_eq!(
        queued_to(&p, "x@example.com").await,
        vec![("pending".to_owned(), true)]
    );
    assert_eq!(
        usecases::outbox::dev_mailbox(&p, &email("x@example.com"))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn invites_of_a_rejected_workspace_are_dropped_with_their_bodies() {
    // Arrange
    let (_db, p) = platform().await;
    pending_workspace_with_an_invite(&p).await;

    // Act
    usecases::change_status::change_status(
        &p,
        &Slug::parse("acme").unwrap(),
        StatusAction::Reject,
        Some(&domain::Reason::parse("Not a real company").unwrap()),
        &Actor::Cli,
    )
    .await
    .unwrap();

    // Assert
    assert_eq!(
        queued_to(&p, "x@example.com").await,
        vec![("dropped".to_owned(), false)]
    );
}

#[tokio::test]
async fn removing_an_admin_revokes_the_invites_they_sent() {
    // Arrange: Bob, an admin, invites someone, and is removed.
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    let ada = member(&p, &acme, "admin@acme.test").await;
    usecases::team::invite(&p, &acme, &ada, &email("bob@acme.test"), Role::Admin)
        .await
        .unwrap();
    let bob_token = emailed_token(&p, "bob@acme.test").await;
    usecases::accept_invite::accept(&p, &acme, &bob_token, Some("Bob"), PASSWORD.into(), None)
        .await
        .unwrap();
    let bob = member(&p, &acme, "bob@acme.test").await;
    usecases::team::invite(&p, &acme, &bob, &email("eve@example.com"), Role::Admin)
        .await
        .unwrap();
    let eve_token = emailed_token(&p, "eve@example.com").await;

    // Act
    usecases::team::remove(&p, &acme, &ada, bob.user_id)
        .await
        .unwrap();

    // Assert: Bob's invite no longer works, and frees its seat.
    let accepted =
        usecases::accept_invite::accept(&p, &acme, &eve_token, Some("Eve"), PASSWORD.into(), None)
            .await;
    assert!(matches!(accepted, Err(Error::NotFound(_))), "{accepted:?}");
    assert!(
        usecases::team::view(&p, &acme, &ada)
            .await
            .unwrap()
            .invites
            .is_empty()
    );
}

async fn emailed_token(p: &Platform, to: &str) -> Token {
    let mail = usecases::outbox::dev_mailbox(p, &email(to)).await.unwrap();
    let text = mail
        .iter()
        .map(|m| m.text.clone())
        .find(|t| t.contains("/invite/"))
        .unwrap();
    let start = text.find("/invite/").unwrap() + "/invite/".len();
    Token::parse(text[start..].split_whitespace().next().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Password guesses per client network
// ---------------------------------------------------------------------------------------

/// Fails `count` sign-ins to `acme` from `client`, each for another address.
async fn spray(p: &Platform, acme: &ResolvedTenant, client: Option<IpAddr>, count: u32) {
    for i in 0..count {
        let guess = email(&format!("person{i}@acme.test"));
        let answer = usecases::sign_in::sign_in(p, acme, &guess, PASSWORD, client).await;
        assert!(
            matches!(&answer, Err(e) if e.field_message("password").is_some()),
            "guess {i}: {answer:?}"
        );
    }
}

async fn attempts_of(p: &Platform, key: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from password_attempts where account = sha256(convert_to(lower($1), 'UTF8'))",
    )
    .bind(key)
    .fetch_one(&p.db.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn one_network_gets_fifty_password_checks_whatever_the_accounts_and_another_is_not_affected()
{
    // Arrange
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    let admin = email("admin@acme.test");
    let sprayer = ip("203.0.113.7");

    // Act: 50 failures across 50 addresses, then the right password of a real account.
    spray(&p, &acme, sprayer, 50).await;
    let stopped = usecases::sign_in::sign_in(&p, &acme, &admin, PASSWORD, sprayer).await;
    let elsewhere =
        usecases::sign_in::sign_in(&p, &acme, &admin, PASSWORD, ip("198.51.100.1")).await;

    // Assert: refused before the account's own counter (or a hash) was touched.
    assert!(
        matches!(&stopped, Err(Error::RateLimited { message, .. }) if message.starts_with("Too many wrong passwords from your network.")),
        "{stopped:?}"
    );
    assert!(elsewhere.is_ok(), "{elsewhere:?}");
    assert_eq!(attempts_of(&p, "admin@acme.test").await, 0);
}

#[tokio::test]
async fn an_ipv6_network_is_counted_by_its_64_block() {
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;

    for i in 0..50u32 {
        let guess = email(&format!("person{i}@acme.test"));
        let client = ip(&format!("2001:db8:1:2::{:x}", i + 1));
        usecases::sign_in::sign_in(&p, &acme, &guess, PASSWORD, client)
            .await
            .unwrap_err();
    }
    let stopped = usecases::sign_in::sign_in(
        &p,
        &acme,
        &email("admin@acme.test"),
        PASSWORD,
        ip("2001:db8:1:2:ffff::9"),
    )
    .await;

    assert!(
        matches!(stopped, Err(Error::RateLimited { .. })),
        "{stopped:?}"
    );
}

#[tokio::test]
async fn a_right_password_does_not_wipe_its_networks_failures() {
    // Arrange: 49 failures, then a success from the same network.
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    let client = ip("203.0.113.8");
    spray(&p, &acme, client, 49).await;
    usecases::sign_in::sign_in(&p, &acme, &email("admin@acme.test"), PASSWORD, client)
        .await
        .unwrap();

    // Act: one more failure fills the allowance; the next check is refused.
    spray(&p, &acme, client, 1).await;
    let stopped =
        usecases::sign_in::sign_in(&p, &acme, &email("admin@acme.test"), PASSWORD, client).await;

    // Assert
    assert!(
        matches!(stopped, Err(Error::RateLimited { .. })),
        "{stopped:?}"
    );
}

#[tokio::test]
async fn signing_up_with_an_existing_account_counts_against_the_network_too() {
    // Arrange: Ada has an account; a network spends its allowance on sign-ins, and a new
    // workspace's admin invite waits for a new person.
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    provision(&p, "other").await;
    let other = tenant(&p, "other").await;
    let new_person = emailed_token(&p, "admin@other.test").await;
    let client = ip("203.0.113.9");
    spray(&p, &acme, client, 50).await;

    // Act
    let signup = usecases::signup::sign_up(
        &p,
        client,
        domain::signup::SignupRequest::parse(domain::signup::SignupForm {
            company: "Ada Again".into(),
            subdomain: "ada-again".into(),
            name: "Ada".into(),
            email: "admin@acme.test".into(),
            password: PASSWORD.into(),
        })
        .unwrap(),
    )
    .await;
    let fresh = usecases::accept_invite::accept(
        &p,
        &other,
        &new_person,
        Some("Olga"),
        PASSWORD.into(),
        client,
    )
    .await;

    // Assert
    assert!(
        matches!(&signup, Err(Error::RateLimited { message, .. }) if message.starts_with("Too many wrong passwords from your network.")),
        "{signup:?}"
    );
    assert!(fresh.is_ok(), "a new account checks no password: {fresh:?}");
}

#[tokio::test]
async fn accepting_an_invite_with_an_existing_account_is_refused_once_the_network_is_spent() {
    // Arrange: Ada (an account of acme) is invited to `other`.
    let (_db, p) = platform().await;
    let acme = workspace_with_admin(&p, "acme").await;
    let other = workspace_with_admin(&p, "other").await;
    let olga = member(&p, &other, "admin@other.test").await;
    usecases::team::invite(&p, &other, &olga, &email("admin@acme.test"), Role::Member)
        .await
        .unwrap();
    let token = emailed_token(&p, "admin@acme.test").await;
    let client = ip("203.0.113.10");
    spray(&p, &acme, client, 50).await;

    // Act
    let refused =
        usecases::accept_invite::accept(&p, &other, &token, None, PASSWORD.into(), client).await;
    let elsewhere = usecases::accept_invite::accept(
        &p,
        &other,
        &token,
        None,
        PASSWORD.into(),
        ip("192.0.2.44"),
    )
    .await;

    // Assert
    assert!(
        matches!(refused, Err(Error::RateLimited { .. })),
        "{refused:?}"
    );
    assert!(elsewhere.is_ok(), "{elsewhere:?}");
}

// ---------------------------------------------------------------------------------------
// Staff accounts
// ---------------------------------------------------------------------------------------

const STAFF_PASSWORD: &str = "quiet harbour lantern";

/// A staff account with its password set through its link.
async fn staff_account(p: &Platform, address: &str) -> Email {
    let address = email(address);
    let (_, token) = usecases::staff_accounts::create_staff(p, &address, &Actor::Cli)
        .await
        .unwrap();
    usecases::staff_accounts::set_password(p, &token, STAFF_PASSWORD.into())
        .await
        .unwrap();
    address
}

/// A signed-in session (two-factor off): its cookie and who it is.
async fn session(p: &Platform, address: &Email, client: &str) -> (Token, Staff) {
    let started = sign_in(p, address, STAFF_PASSWORD, None, ip(client))
        .await
        .unwrap();
    let Some(Current::SignedIn(staff)) = current(p, &started.cookie).await.unwrap() else {
        panic!("signed in");
    };
    (started.cookie, staff)
}

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

/// Turns two-factor on for `staff` with a code of this step: the app's generator.
async fn turn_on_two_factor(p: &Platform, staff: &Staff) -> (TOTP, Token) {
    let TwoFactor::SettingUp { secret, .. } =
        two_factor::account(p, staff).await.unwrap().two_factor
    else {
        panic!("two-factor is off at first");
    };
    let bytes = Secret::Encoded(secret).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, staff.email.clone()).unwrap();
    let fresh = two_factor::turn_on(p, staff, &totp.generate(now()))
        .await
        .unwrap();
    (totp, fresh)
}

/// Lets every code of the coming steps be used again (a test needs more codes than the
/// clock gives it).
async fn forget_used_codes(p: &Platform) {
    owner_sql(p, "update staff_users set totp_last_step = 0").await;
}

async fn is_alive(p: &Platform, cookie: &Token) -> bool {
    current(p, cookie).await.unwrap().is_some()
}

#[tokio::test]
async fn setting_a_password_with_a_staff_link_ends_every_session_of_the_account() {
    // Arrange: two sessions, then a recovery link.
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (first, _) = session(&p, &ops, "192.0.2.1").await;
    let (second, _) = session(&p, &ops, "192.0.2.2").await;
    let (_, link) = usecases::staff_accounts::create_staff(&p, &ops, &Actor::Cli)
        .await
        .unwrap();

    // Act
    usecases::staff_accounts::set_password(&p, &link, "a brand new staff phrase".into())
        .await
        .unwrap();

    // Assert
    assert!(!is_alive(&p, &first).await);
    assert!(!is_alive(&p, &second).await);
}

#[tokio::test]
async fn turning_two_factor_on_ends_the_other_sessions_and_renews_this_one() {
    // Arrange
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (here, staff) = session(&p, &ops, "192.0.2.1").await;
    let (elsewhere, _) = session(&p, &ops, "192.0.2.2").await;

    // Act
    let (_, fresh) = turn_on_two_factor(&p, &staff).await;

    // Assert
    assert!(!is_alive(&p, &elsewhere).await, "the other session ended");
    assert!(!is_alive(&p, &here).await, "this one has a new id");
    assert!(matches!(
        current(&p, &fresh).await.unwrap(),
        Some(Current::SignedIn(s)) if s.two_factor_on
    ));
}

#[tokio::test]
async fn turning_two_factor_off_needs_the_password_and_a_code_and_ends_the_other_sessions() {
    // Arrange: two-factor on, a second session signed in with a code.
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (_, staff) = session(&p, &ops, "192.0.2.1").await;
    let (totp, here) = turn_on_two_factor(&p, &staff).await;
    forget_used_codes(&p).await;
    let half = sign_in(&p, &ops, STAFF_PASSWORD, None, ip("192.0.2.2"))
        .await
        .unwrap();
    let elsewhere = usecases::staff_sign_in::enter_code(&p, &half.cookie, &totp.generate(now()))
        .await
        .unwrap();
    forget_used_codes(&p).await;
    let Some(Current::SignedIn(staff)) = current(&p, &here).await.unwrap() else {
        panic!("signed in");
    };

    // Act
    let wrong = two_factor::turn_off(&p, &staff, "not my password", &totp.generate(now())).await;
    let fresh = two_factor::turn_off(&p, &staff, STAFF_PASSWORD, &totp.generate(now()))
        .await
        .unwrap();

    // Assert
    assert!(wrong.unwrap_err().field_message("password").is_some());
    assert!(!is_alive(&p, &elsewhere).await);
    assert!(!is_alive(&p, &here).await);
    assert!(matches!(
        current(&p, &fresh).await.unwrap(),
        Some(Current::SignedIn(s)) if !s.two_factor_on
    ));
}

#[tokio::test]
async fn two_factor_cannot_be_turned_off_where_the_platform_requires_it() {
    let (_db, mut p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (_, staff) = session(&p, &ops, "192.0.2.1").await;
    let (totp, _) = turn_on_two_factor(&p, &staff).await;
    forget_used_codes(&p).await;
    p.settings = Arc::new(usecases::Settings {
        staff_two_factor_required: true,
        ..usecases::Settings::default()
    });

    let refused = two_factor::turn_off(&p, &staff, STAFF_PASSWORD, &totp.generate(now())).await;

    assert!(
        matches!(refused, Err(Error::Forbidden { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_disabled_staff_account_loses_its_sessions_and_cannot_sign_in_until_a_new_link() {
    // Arrange
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (cookie, _) = session(&p, &ops, "192.0.2.1").await;

    // Act
    usecases::staff_accounts::disable(&p, &ops, &Actor::Cli)
        .await
        .unwrap();
    let refused = sign_in(&p, &ops, STAFF_PASSWORD, None, ip("192.0.2.1")).await;
    let (_, link) = usecases::staff_accounts::create_staff(&p, &ops, &Actor::Cli)
        .await
        .unwrap();
    usecases::staff_accounts::set_password(&p, &link, STAFF_PASSWORD.into())
        .await
        .unwrap();
    let back = sign_in(&p, &ops, STAFF_PASSWORD, None, ip("192.0.2.1")).await;

    // Assert
    assert!(!is_alive(&p, &cookie).await);
    assert!(
        matches!(refused, Err(Error::Forbidden { .. })),
        "{refused:?}"
    );
    assert!(back.is_ok(), "{back:?}");
}

#[tokio::test]
async fn staff_cannot_disable_themselves_and_an_unknown_account_is_named() {
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;

    let own =
        usecases::staff_accounts::disable(&p, &ops, &Actor::Staff("ops@href.test".into())).await;
    let unknown =
        usecases::staff_accounts::disable(&p, &email("nobody@href.test"), &Actor::Cli).await;

    assert!(matches!(own, Err(Error::Conflict { .. })), "{own:?}");
    assert!(
        matches!(&unknown, Err(Error::NotFound(m)) if m.contains("nobody@href.test")),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn ending_a_staff_accounts_sessions_ends_them_all() {
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (first, _) = session(&p, &ops, "192.0.2.1").await;
    let (second, _) = session(&p, &ops, "192.0.2.2").await;

    let ended = usecases::staff_accounts::end_sessions(&p, &ops, &Actor::Cli)
        .await
        .unwrap();

    assert_eq!(ended, 2);
    assert!(!is_alive(&p, &first).await && !is_alive(&p, &second).await);
}

// ---------------------------------------------------------------------------------------
// Two-factor secrets at rest
// ---------------------------------------------------------------------------------------

/// A staff account's four two-factor columns: clear, clear pending, sealed, sealed pending.
type SecretColumns = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// The two-factor columns of `staff`, as a dump would show them.
async fn stored_secrets(p: &Platform, staff: &Staff) -> (Vec<Option<Vec<u8>>>, Vec<u8>) {
    let row: SecretColumns = sqlx::query_as(
        "select totp_secret, totp_pending_secret, totp_sealed_secret, totp_pending_sealed
         from staff_users where id = $1",
    )
    .bind(staff.id)
    .fetch_one(&p.db.owner)
    .await
    .unwrap();
    let all = vec![row.0, row.1, row.2, row.3];
    let bytes = all.iter().flatten().flatten().copied().collect();
    (all, bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_two_factor_secret_is_stored_sealed_never_in_clear() {
    // Arrange
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let (_, staff) = session(&p, &ops, "192.0.2.1").await;

    // Act: set up (the secret drawn), then on.
    let TwoFactor::SettingUp { secret, .. } =
        two_factor::account(&p, &staff).await.unwrap().two_factor
    else {
        panic!("off at first");
    };
    let raw = Secret::Encoded(secret).to_bytes().unwrap();
    let (pending, pending_bytes) = stored_secrets(&p, &staff).await;
    turn_on_two_factor(&p, &staff).await;
    let (on, on_bytes) = stored_secrets(&p, &staff).await;

    // Assert
    assert!(
        pending[0].is_none() && pending[1].is_none(),
        "no clear column"
    );
    assert!(pending[3].is_some(), "the pending secret is sealed");
    assert!(!contains(&pending_bytes, &raw));
    assert!(on[0].is_none() && on[1].is_none() && on[3].is_none());
    assert!(on[2].is_some(), "the secret in use is sealed");
    assert!(!contains(&on_bytes, &raw));
    // Another key cannot open it.
    let other_key = usecases::sealing::SealingKey::generate();
    assert!(other_key.open_bytes(b"", on[2].as_ref().unwrap()).is_err());
}

#[tokio::test]
async fn secrets_stored_in_clear_by_an_earlier_version_are_sealed_and_still_work() {
    // Arrange: a secret in the clear column, as the previous release stored it.
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    let raw = b"12345678901234567890".to_vec();
    sqlx::query(
        "update staff_users set totp_secret = $1, totp_enabled_at = now(), totp_last_step = 0
         where email = 'ops@href.test'",
    )
    .bind(&raw)
    .execute(&p.db.owner)
    .await
    .unwrap();

    // Act
    let sealed = two_factor::seal_stored_secrets(&p.db.owner, &p.sealing_key)
        .await
        .unwrap();
    let again = two_factor::seal_stored_secrets(&p.db.owner, &p.sealing_key)
        .await
        .unwrap();

    // Assert: sealed once, and a code from the same secret signs in.
    assert_eq!((sealed, again), (1, 0));
    let half = sign_in(&p, &ops, STAFF_PASSWORD, None, ip("192.0.2.1"))
        .await
        .unwrap();
    assert!(half.needs_code);
    let Some(Current::NeedsCode(staff)) = current(&p, &half.cookie).await.unwrap() else {
        panic!("waits for the code");
    };
    let (columns, bytes) = stored_secrets(&p, &staff).await;
    assert!(columns[0].is_none());
    assert!(!contains(&bytes, &raw));
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, raw, None, "ops@href.test".into()).unwrap();
    usecases::staff_sign_in::enter_code(&p, &half.cookie, &totp.generate(now()))
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// A staff account locked by a stranger
// ---------------------------------------------------------------------------------------

/// A staff account with two-factor on, locked by ten failures from `attacker`.
async fn locked_staff(p: &Platform, attacker: &str) -> (Email, TOTP) {
    let ops = staff_account(p, "ops@href.test").await;
    let (_, staff) = session(p, &ops, "192.0.2.1").await;
    let (totp, _) = turn_on_two_factor(p, &staff).await;
    forget_used_codes(p).await;
    for _ in 0..10 {
        sign_in(p, &ops, "a wrong guess here", None, ip(attacker))
            .await
            .unwrap_err();
    }
    let locked = sign_in(p, &ops, STAFF_PASSWORD, None, ip("192.0.2.50")).await;
    assert!(
        matches!(&locked, Err(Error::RateLimited { message, .. }) if message.starts_with(LOCKED)),
        "{locked:?}"
    );
    (ops, totp)
}

#[tokio::test]
async fn a_locked_staff_account_lets_its_owner_in_with_password_and_code_from_a_clean_network() {
    let (_db, p) = platform().await;
    let (ops, totp) = locked_staff(&p, "203.0.113.66").await;

    let started = sign_in(
        &p,
        &ops,
        STAFF_PASSWORD,
        Some(&totp.generate(now())),
        ip("192.0.2.77"),
    )
    .await
    .unwrap();

    assert!(!started.needs_code);
    assert!(matches!(
        current(&p, &started.cookie).await.unwrap(),
        Some(Current::SignedIn(_))
    ));
}

#[tokio::test]
async fn past_a_lock_a_wrong_password_or_code_answers_as_the_lock_and_spends_the_networks_try() {
    let (_db, p) = platform().await;
    let (ops, totp) = locked_staff(&p, "203.0.113.66").await;
    let locked = |answer: &Result<_, Error>| matches!(answer, Err(Error::RateLimited { message, .. }) if message.starts_with(LOCKED));

    let wrong_password = sign_in(
        &p,
        &ops,
        "not it at all",
        Some(&totp.generate(now())),
        ip("192.0.2.80"),
    )
    .await;
    let then_right = sign_in(
        &p,
        &ops,
        STAFF_PASSWORD,
        Some(&totp.generate(now())),
        ip("192.0.2.80"),
    )
    .await;
    let wrong_code = sign_in(&p, &ops, STAFF_PASSWORD, Some("000000"), ip("192.0.2.81")).await;
    let attacker = sign_in(
        &p,
        &ops,
        STAFF_PASSWORD,
        Some(&totp.generate(now())),
        ip("203.0.113.66"),
    )
    .await;

    assert!(locked(&wrong_password), "{wrong_password:?}");
    assert!(
        locked(&then_right),
        "that network failed for this account: {then_right:?}"
    );
    if totp.generate(now()) != "000000" {
        assert!(locked(&wrong_code), "{wrong_code:?}");
    }
    assert!(
        locked(&attacker),
        "the network that locked it: {attacker:?}"
    );
}

#[tokio::test]
async fn a_locked_account_without_two_factor_stays_locked() {
    let (_db, p) = platform().await;
    let ops = staff_account(&p, "ops@href.test").await;
    for _ in 0..10 {
        sign_in(&p, &ops, "a wrong guess here", None, ip("203.0.113.66"))
            .await
            .unwrap_err();
    }

    let answer = sign_in(&p, &ops, STAFF_PASSWORD, Some("123456"), ip("192.0.2.90")).await;

    assert!(
        matches!(answer, Err(Error::RateLimited { .. })),
        "{answer:?}"
    );
}
