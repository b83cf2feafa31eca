//! Password checks: counted per account before anything is hashed, in every flow that
//! checks one (sign-in, signup with an existing account, invites), and an invite that
//! claims an account nobody ever verified.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{PASSWORD, count_all, platform, tenant};
use db::{sqlx, tenants::ResolvedTenant, testing::TestDb};
use domain::{
    Email, Token,
    invite::InviteView,
    signup::{SignupForm, SignupRequest},
};
use usecases::{Error, Platform};

/// A workspace whose admin accepted the invite, and the admin's address.
async fn workspace_with_admin(p: &Platform, slug: &str) -> (ResolvedTenant, Email) {
    let tenant = common::workspace_with_admin(p, slug).await;
    (tenant, Email::parse(&format!("admin@{slug}.test")).unwrap())
}

async fn checks_made(test: &TestDb) -> i64 {
    count_all(&test.db, "password_attempts where checked_at is not null").await
}

fn is_rate_limited<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::RateLimited { .. }))
}

#[tokio::test]
async fn two_hundred_parallel_wrong_passwords_get_at_most_the_limit_of_checks() {
    // Arrange
    let (test, p) = platform().await;
    let (tenant, email) = workspace_with_admin(&p, "acme").await;

    // Act
    let attempts = (0..200).map(|i| {
        let (p, tenant, email) = (p.clone(), tenant.clone(), email.clone());
        tokio::spawn(async move {
            usecases::sign_in::sign_in(
                &p,
                &tenant,
                &email,
                &format!("wrong guess number {i}"),
                None,
            )
            .await
        })
    });
    let results = futures::future::join_all(attempts).await;

    // Assert
    let results: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    let limited = results.iter().filter(|r| is_rate_limited(r)).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Invalid { .. })))
        .count();
    assert_eq!(limited + refused, 200);
    assert_eq!(
        refused, 10,
        "the limit (10 per 15 minutes) of answers about the password"
    );
    assert_eq!(checks_made(&test).await, 10, "and of password checks");
    // The account stays locked for its window, even against its own password.
    assert!(is_rate_limited(
        &usecases::sign_in::sign_in(&p, &tenant, &email, PASSWORD, None).await
    ));
}

#[tokio::test]
async fn signing_up_with_an_existing_email_counts_against_its_accounts_limit() {
    // Arrange: a verified account, and guesses from many networks (the per-network limit
    // alone would let every one of them through).
    let (_test, p) = platform().await;
    let (_tenant, email) = workspace_with_admin(&p, "acme").await;
    let guess = |i: u32| {
        SignupRequest::parse(SignupForm {
            company: format!("Guess {i}"),
            subdomain: format!("guess-{i}"),
            name: "Mallory".into(),
            email: email.to_string(),
            password: format!("wrong guess number {i}"),
        })
        .unwrap()
    };

    // Act
    let mut answers = Vec::new();
    for i in 0..11 {
        let network = Some(format!("198.51.100.{i}").parse().unwrap());
        answers.push(usecases::signup::sign_up(&p, network, guess(i)).await);
    }

    // Assert
    assert!(
        answers[..10]
            .iter()
            .all(|a| matches!(a, Err(e) if e.field_message("password").is_some()))
    );
    assert!(is_rate_limited(&answers[10]), "{:?}", answers[10]);
}

#[tokio::test]
async fn accepting_an_invite_with_an_existing_accounts_password_counts_against_its_limit() {
    // Arrange: the admin of acme is invited to beta too.
    let (_test, p) = platform().await;
    let (_acme, email) = workspace_with_admin(&p, "acme").await;
    let beta = usecases::provision::provision(
        &p,
        domain::Slug::parse("beta").unwrap(),
        domain::TenantName::parse("Beta").unwrap(),
        email.clone(),
        &usecases::Actor::Cli,
    )
    .await
    .unwrap();
    let beta_tenant = tenant(&p, "beta").await;
    let token = beta.admin_invite.unwrap();
    assert!(matches!(
        usecases::accept_invite::view(&p, &beta_tenant, &token)
            .await
            .unwrap(),
        InviteView::Open {
            has_account: true,
            ..
        }
    ));

    // Act
    let mut answers = Vec::new();
    for i in 0..11 {
        answers.push(
            usecases::accept_invite::accept(
                &p,
                &beta_tenant,
                &token,
                None,
                format!("wrong guess {i}"),
                None,
            )
            .await,
        );
    }

    // Assert
    assert!(
        answers[..10]
            .iter()
            .all(|a| matches!(a, Err(e) if e.field_message("password").is_some()))
    );
    assert!(is_rate_limited(&answers[10]));
}

#[tokio::test]
async fn an_invite_claims_an_account_that_never_verified_its_email() {
    // Arrange: someone signs up with an address that is not theirs and never verifies it.
    let (test, p) = platform().await;
    let squatted = SignupRequest::parse(SignupForm {
        company: "Squat".into(),
        subdomain: "squat".into(),
        name: "Squatter".into(),
        email: "owner@real.test".into(),
        password: "squatters own phrase".into(),
    })
    .unwrap();
    usecases::signup::sign_up(&p, None, squatted).await.unwrap();
    let squat = tenant(&p, "squat").await;
    sqlx::query("insert into sessions (id_hash, tenant_id, user_id, data, expires_at) select sha256('s'::bytea), tenant_id, user_id, '{}', now() + interval '1 hour' from tenant_members")
        .execute(&test.db.owner)
        .await
        .unwrap();
    // Then the address's real owner is invited to a workspace of their own.
    let real = usecases::provision::provision(
        &p,
        domain::Slug::parse("real").unwrap(),
        domain::TenantName::parse("Real").unwrap(),
        Email::parse("owner@real.test").unwrap(),
        &usecases::Actor::Cli,
    )
    .await
    .unwrap();
    let real_tenant = tenant(&p, "real").await;
    let token: Token = real.admin_invite.unwrap();

    // Act
    let view = usecases::accept_invite::view(&p, &real_tenant, &token)
        .await
        .unwrap();
    let user = usecases::accept_invite::accept(
        &p,
        &real_tenant,
        &token,
        Some("Rightful Owner"),
        PASSWORD.into(),
        None,
    )
    .await
    .unwrap();

    // Assert: no password of the squatter's was asked for; the account is the owner's now.
    assert!(
        matches!(
            view,
            InviteView::Open {
                has_account: false,
                ..
            }
        ),
        "{view:?}"
    );
    let email = Email::parse("owner@real.test").unwrap();
    assert_eq!(
        usecases::sign_in::sign_in(&p, &real_tenant, &email, PASSWORD, None)
            .await
            .unwrap(),
        user
    );
    assert!(
        usecases::sign_in::sign_in(&p, &squat, &email, "squatters own phrase", None)
            .await
            .is_err(),
        "the squatter's password is dead"
    );
    assert_eq!(
        count_all(&test.db, "users").await,
        1,
        "one account, taken over"
    );
    assert_eq!(
        count_all(
            &test.db,
            "users where email_verified_at is not null and name = 'Rightful Owner'"
        )
        .await,
        1
    );
    assert_eq!(
        count_all(&test.db, "sessions").await,
        0,
        "the squatter is signed out"
    );
    assert_eq!(count_all(&test.db, "handoff_tokens").await, 0);
    assert_eq!(count_all(&test.db, "email_verifications").await, 0);
}

#[tokio::test]
async fn an_invite_to_a_verified_account_asks_for_its_password_and_takes_nothing_over() {
    let (test, p) = platform().await;
    let (_acme, email) = workspace_with_admin(&p, "acme").await;
    let beta = usecases::provision::provision(
        &p,
        domain::Slug::parse("beta").unwrap(),
        domain::TenantName::parse("Beta").unwrap(),
        email.clone(),
        &usecases::Actor::Cli,
    )
    .await
    .unwrap();
    let beta_tenant = tenant(&p, "beta").await;

    let taken_over = usecases::accept_invite::accept(
        &p,
        &beta_tenant,
        beta.admin_invite.as_ref().unwrap(),
        Some("Someone Else"),
        "a brand new passphrase".into(),
        None,
    )
    .await;

    assert!(matches!(taken_over, Err(e) if e.field_message("password").is_some()));
    assert_eq!(count_all(&test.db, "users where name = 'Ada'").await, 1);
}
