//! Settings' rules on a real Postgres, under concurrency where it matters: the seat limit,
//! never zero admins, a dense stage order that loses no lead, one-time reset and invite
//! links, and the API key's overlap.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{PASSWORD, count_all, member, platform, provision, tenant, workspace_with_admin};
use db::{members::Member, sqlx, tenants::ResolvedTenant};
use domain::{
    Email, HexColour, Role, StageName, StageType, Token,
    settings::{BrandingForm, ResetView},
};
use usecases::{
    Error, Platform,
    pipeline::{Direction, StageFields},
};
use uuid::Uuid;

/// A workspace whose admin `admin@<slug>.test` accepted the invite.
async fn workspace(p: &Platform, slug: &str) -> (ResolvedTenant, Member) {
    let tenant = workspace_with_admin(p, slug).await;
    let admin = member(p, &tenant, &format!("admin@{slug}.test")).await;
    (tenant, admin)
}

/// Invites `email` and accepts the invite as a new person.
async fn join(
    p: &Platform,
    tenant: &ResolvedTenant,
    admin: &Member,
    email: &str,
    role: Role,
) -> Member {
    let email = Email::parse(email).unwrap();
    usecases::team::invite(p, tenant, admin, &email, role)
        .await
        .unwrap();
    let token = emailed_token(p, email.as_str(), "/invite/").await;
    usecases::accept_invite::accept(p, tenant, &token, Some("Someone"), PASSWORD.into(), None)
        .await
        .unwrap();
    member(p, tenant, email.as_str()).await
}

/// The token of the newest emailed link to `to` whose path starts with `prefix`.
async fn emailed_token(p: &Platform, to: &str, prefix: &str) -> Token {
    let mail = usecases::outbox::dev_mailbox(p, &Email::parse(to).unwrap())
        .await
        .unwrap();
    let text = mail
        .iter()
        .map(|m| m.text.clone())
        .find(|t| t.contains(prefix))
        .unwrap();
    let start = text.find(prefix).unwrap() + prefix.len();
    Token::parse(text[start..].split_whitespace().next().unwrap()).unwrap()
}

#[tokio::test]
async fn parallel_invites_never_pass_the_plans_seat_limit() {
    // Arrange: the free plan has 5 seats; the admin holds one.
    let (test, p) = platform().await;
    let (tenant, admin) = workspace(&p, "acme").await;

    // Act: twelve invites at once.
    let invites = (0..12).map(|i| {
        let (p, tenant, admin) = (p.clone(), tenant.clone(), admin.clone());
        tokio::spawn(async move {
            let email = Email::parse(&format!("person{i}@acme.test")).unwrap();
            usecases::team::invite(&p, &tenant, &admin, &email, Role::Member).await
        })
    });
    let results: Vec<_> = futures::future::join_all(invites)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    // Assert
    let sent = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(sent, 4, "members plus pending invites stop at 5");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(refused, Error::Conflict { code: "seat_limit", message } if message.contains("5 seats of the Free plan")),
            "{refused:?}"
        );
    }
    assert_eq!(
        count_all(&test.db, "tenant_invites where accepted_at is null").await,
        4
    );
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    // Arrange
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let bob = join(&p, &tenant, &ada, "bob@acme.test", Role::Admin).await;

    // Act: each makes the other a member, at the same moment, many times over.
    for _ in 0..5 {
        let (p1, t1, a1, b1) = (p.clone(), tenant.clone(), ada.clone(), bob.user_id);
        let (p2, t2, b2, a2) = (p.clone(), tenant.clone(), bob.clone(), ada.user_id);
        let (one, two) = tokio::join!(
            tokio::spawn(async move {
                usecases::team::change_role(&p1, &t1, &a1, b1, Role::Member).await
            }),
            tokio::spawn(async move {
                usecases::team::change_role(&p2, &t2, &b2, a2, Role::Member).await
            }),
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        assert!(one.is_ok() || two.is_ok());
        let admins = count_all(&test.db, "tenant_members where role = 'admin'").await;
        assert_eq!(admins, 1, "{one:?} {two:?}");
        // Make both admins again for the next round.
        sqlx::query("update tenant_members set role = 'admin'")
            .execute(&test.db.owner)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_last_admin_can_be_neither_removed_nor_demoted_and_a_member_cannot_change_the_team() {
    let (_test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let carol = join(&p, &tenant, &ada, "carol@acme.test", Role::Member).await;

    let demoted = usecases::team::change_role(&p, &tenant, &ada, ada.user_id, Role::Member).await;
    let removed = usecases::team::remove(&p, &tenant, &ada, ada.user_id).await;
    let by_member = usecases::team::remove(&p, &tenant, &carol, ada.user_id).await;

    assert!(matches!(
        demoted,
        Err(Error::Conflict {
            code: "last_admin",
            ..
        })
    ));
    assert!(matches!(
        removed,
        Err(Error::Conflict {
            code: "last_admin",
            ..
        })
    ));
    assert!(matches!(by_member, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn removing_a_member_ends_their_sessions_here() {
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let carol = join(&p, &tenant, &ada, "carol@acme.test", Role::Member).await;
    sqlx::query("insert into sessions (id_hash, tenant_id, user_id, data, expires_at) values (sha256('c'::bytea), $1, $2, '{}', now() + interval '1 hour')")
        .bind(tenant.id.0)
        .bind(carol.user_id.0)
        .execute(&test.db.owner)
        .await
        .unwrap();

    usecases::team::remove(&p, &tenant, &ada, carol.user_id)
        .await
        .unwrap();

    assert_eq!(count_all(&test.db, "sessions").await, 0);
    assert_eq!(count_all(&test.db, "users").await, 2, "the account stays");
}

#[tokio::test]
async fn the_team_shows_when_each_member_last_signed_in() {
    // Arrange: Ada and Bo joined by accepting their invites, which signs them in.
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    join(&p, &tenant, &ada, "bo@acme.test", Role::Member).await;
    let last_sign_ins = |team: domain::settings::Team| {
        let mut seen: Vec<_> = team
            .members
            .into_iter()
            .map(|m| (m.email, m.last_sign_in.is_some()))
            .collect();
        seen.sort();
        seen
    };
    let joined = usecases::team::view(&p, &tenant, &ada).await.unwrap();
    sqlx::query("update tenant_members set last_signed_in_at = null")
        .execute(&test.db.owner)
        .await
        .unwrap();

    // Act: Ada signs in with her password; Bo does not.
    let email = Email::parse("admin@acme.test").unwrap();
    usecases::sign_in::sign_in(&p, &tenant, &email, PASSWORD, None)
        .await
        .unwrap();

    // Assert
    let team = usecases::team::view(&p, &tenant, &ada).await.unwrap();
    assert_eq!(
        last_sign_ins(joined),
        [
            ("admin@acme.test".into(), true),
            ("bo@acme.test".into(), true)
        ]
    );
    assert_eq!(
        last_sign_ins(team),
        [
            ("admin@acme.test".into(), true),
            ("bo@acme.test".into(), false)
        ]
    );
}

#[tokio::test]
async fn inviting_again_resends_with_a_new_link_and_the_old_link_dies() {
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let email = Email::parse("dan@acme.test").unwrap();
    usecases::team::invite(&p, &tenant, &ada, &email, Role::Member)
        .await
        .unwrap();
    let first = emailed_token(&p, email.as_str(), "/invite/").await;

    let again = usecases::team::invite(&p, &tenant, &ada, &email, Role::Admin)
        .await
        .unwrap();
    let second = emailed_token(&p, email.as_str(), "/invite/").await;

    assert_eq!(again, usecases::team::Invited::Resent);
    assert_ne!(first.expose(), second.expose());
    assert_eq!(
        count_all(&test.db, "tenant_invites where email = 'dan@acme.test'").await,
        1
    );
    let old =
        usecases::accept_invite::accept(&p, &tenant, &first, Some("Dan"), PASSWORD.into(), None)
            .await;
    assert!(matches!(old, Err(Error::NotFound(_))), "{old:?}");
    usecases::accept_invite::accept(&p, &tenant, &second, Some("Dan"), PASSWORD.into(), None)
        .await
        .unwrap();
    assert_eq!(member(&p, &tenant, "dan@acme.test").await.role, Role::Admin);
    let twice =
        usecases::accept_invite::accept(&p, &tenant, &second, Some("Dan"), PASSWORD.into(), None)
            .await;
    assert!(matches!(twice, Err(Error::NotFound(_))), "single use");
    let member_again = usecases::team::invite(&p, &tenant, &ada, &email, Role::Member).await;
    assert!(
        matches!(member_again, Err(e) if e.field_message("email").unwrap().contains("already a member"))
    );
}

#[tokio::test]
async fn an_expired_invite_cannot_be_accepted_and_a_revoked_one_neither() {
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    for address in ["old@acme.test", "gone@acme.test"] {
        usecases::team::invite(
            &p,
            &tenant,
            &ada,
            &Email::parse(address).unwrap(),
            Role::Member,
        )
        .await
        .unwrap();
    }
    let old = emailed_token(&p, "old@acme.test", "/invite/").await;
    let gone = emailed_token(&p, "gone@acme.test", "/invite/").await;
    sqlx::query("update tenant_invites set expires_at = now() - interval '1 second' where email = 'old@acme.test'")
        .execute(&test.db.owner)
        .await
        .unwrap();
    let team = usecases::team::view(&p, &tenant, &ada).await.unwrap();
    let revoking = team
        .invites
        .iter()
        .find(|i| i.email == "gone@acme.test")
        .unwrap()
        .id;
    usecases::team::revoke(&p, &tenant, &ada, revoking)
        .await
        .unwrap();

    let expired =
        usecases::accept_invite::accept(&p, &tenant, &old, Some("Old"), PASSWORD.into(), None)
            .await;
    let revoked =
        usecases::accept_invite::accept(&p, &tenant, &gone, Some("Gone"), PASSWORD.into(), None)
            .await;

    assert!(matches!(expired, Err(Error::NotFound(m)) if m.contains("expired")));
    assert!(matches!(revoked, Err(Error::NotFound(m)) if m.contains("withdrawn")));
}

fn stage(name: &str, kind: StageType) -> StageFields {
    StageFields {
        name: StageName::parse(name).unwrap(),
        colour: HexColour::parse("#123456").unwrap(),
        kind,
    }
}

async fn stage_orders(test: &db::testing::TestDb) -> Vec<(String, i32)> {
    sqlx::query_as("select name, sort_order from pipeline_stages order by sort_order")
        .fetch_all(&test.db.owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_reorders_keep_a_dense_order_and_deleting_a_stage_keeps_every_lead() {
    // Arrange: five stages, leads in each.
    let (test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    sqlx::query(
        "insert into leads (tenant_id, stage_id, email)
         select s.tenant_id, s.id, 'lead' || g || '@x.test' from pipeline_stages s, generate_series(1, 20) g",
    )
    .execute(&test.db.owner)
    .await
    .unwrap();
    let pipeline = usecases::pipeline::view(&p, &tenant, &ada).await.unwrap();
    let ids: Vec<_> = pipeline.stages.iter().map(|s| s.id).collect();

    // Act: forty moves at once, up and down.
    let moves = (0..40).map(|i| {
        let (p, tenant, ada) = (p.clone(), tenant.clone(), ada.clone());
        let id = ids[i % ids.len()];
        let direction = if i % 2 == 0 {
            Direction::Up
        } else {
            Direction::Down
        };
        tokio::spawn(async move {
            usecases::pipeline::move_stage(&p, &tenant, &ada, id, direction).await
        })
    });
    for result in futures::future::join_all(moves).await {
        result.unwrap().unwrap();
    }

    // Assert: 1 to 5, no duplicates.
    let orders: Vec<i32> = stage_orders(&test)
        .await
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(orders, [1, 2, 3, 4, 5]);

    // Deleting a stage with leads needs a target; then its leads move, none lost.
    let doomed = ids[1];
    let refused = usecases::pipeline::delete(&p, &tenant, &ada, doomed, None).await;
    assert!(matches!(refused, Err(e) if e.field_message("move_to").unwrap().contains("20 leads")));
    usecases::pipeline::delete(&p, &tenant, &ada, doomed, Some(ids[0]))
        .await
        .unwrap();
    assert_eq!(count_all(&test.db, "leads").await, 100);
    assert_eq!(count_all(&test.db, "pipeline_stages").await, 4);
    let orders: Vec<i32> = stage_orders(&test)
        .await
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(orders, [1, 2, 3, 4]);

    // The stage counters the page shows follow every insert, move and delete of leads.
    sqlx::query("delete from leads where ctid in (select ctid from leads limit 7)")
        .execute(&test.db.owner)
        .await
        .unwrap();
    let counted: Vec<(Uuid, i64)> = sqlx::query_as(
        "select s.id, (select count(*) from leads l where l.stage_id = s.id)
         from pipeline_stages s order by s.sort_order",
    )
    .fetch_all(&test.db.owner)
    .await
    .unwrap();
    let shown = usecases::pipeline::view(&p, &tenant, &ada).await.unwrap();
    let shown: Vec<(Uuid, i64)> = shown.stages.iter().map(|s| (s.id, s.leads)).collect();
    assert_eq!(shown, counted);
    assert_eq!(shown.iter().map(|(_, n)| n).sum::<i64>(), 93);
}

#[tokio::test]
async fn stage_names_are_unique_ignoring_case_and_one_active_stage_always_stays() {
    let (_test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let pipeline = usecases::pipeline::view(&p, &tenant, &ada).await.unwrap();

    let duplicate = usecases::pipeline::add(&p, &tenant, &ada, &stage("won", StageType::Won)).await;
    assert!(
        matches!(duplicate, Err(e) if e.field_message("name").unwrap().contains("already a stage"))
    );

    // Retype the three active stages as won: the last one is refused.
    let active: Vec<_> = pipeline
        .stages
        .iter()
        .filter(|s| s.stage_type == StageType::Active)
        .collect();
    for (i, s) in active.iter().enumerate() {
        let result = usecases::pipeline::update(
            &p,
            &tenant,
            &ada,
            s.id,
            &stage(&format!("Closed {i}"), StageType::Won),
        )
        .await;
        if i + 1 < active.len() {
            result.unwrap();
        } else {
            assert!(matches!(
                result,
                Err(Error::Conflict {
                    code: "no_active_stage",
                    ..
                })
            ));
        }
    }
}

#[tokio::test]
async fn a_reset_link_works_once_within_its_hour_and_ends_every_session() {
    // Arrange
    let (test, p) = platform().await;
    let (tenant, _ada) = workspace(&p, "acme").await;
    let email = Email::parse("admin@acme.test").unwrap();
    assert!(
        usecases::password_reset::send_link(&p, &tenant, &email)
            .await
            .unwrap()
    );
    assert!(
        !usecases::password_reset::send_link(
            &p,
            &tenant,
            &Email::parse("nobody@acme.test").unwrap()
        )
        .await
        .unwrap()
    );
    let token = emailed_token(&p, email.as_str(), "/reset/").await;
    sqlx::query("insert into sessions (id_hash, tenant_id, user_id, data, expires_at) select sha256('s'::bytea), tenant_id, user_id, '{}', now() + interval '1 hour' from tenant_members")
        .execute(&test.db.owner)
        .await
        .unwrap();
    sqlx::query("update tenant_members set last_signed_in_at = null")
        .execute(&test.db.owner)
        .await
        .unwrap();

    // Act
    let view = usecases::password_reset::view(&p, &tenant, &token)
        .await
        .unwrap();
    usecases::password_reset::reset(&p, &tenant, &token, "a fresh passphrase here".into())
        .await
        .unwrap();
    let again =
        usecases::password_reset::reset(&p, &tenant, &token, "another fresh passphrase".into())
            .await;

    // Assert
    assert_eq!(
        view,
        ResetView::Open {
            email: email.to_string()
        }
    );
    assert!(matches!(again, Err(Error::NotFound(_))));
    assert_eq!(
        count_all(&test.db, "sessions").await,
        0,
        "every session ends"
    );
    assert_eq!(
        count_all(
            &test.db,
            "tenant_members where last_signed_in_at is not null"
        )
        .await,
        1,
        "the reset signs the person in"
    );
    assert!(
        usecases::sign_in::sign_in(&p, &tenant, &email, PASSWORD, None)
            .await
            .is_err(),
        "the old password is dead"
    );
    usecases::sign_in::sign_in(&p, &tenant, &email, "a fresh passphrase here", None)
        .await
        .unwrap();

    // A link older than an hour no longer works.
    usecases::password_reset::send_link(&p, &tenant, &email)
        .await
        .unwrap();
    let late = emailed_token(&p, email.as_str(), "/reset/").await;
    sqlx::query(
        "update password_resets set expires_at = now() - interval '1 second' where used_at is null",
    )
    .execute(&test.db.owner)
    .await
    .unwrap();
    assert_eq!(
        usecases::password_reset::view(&p, &tenant, &late)
            .await
            .unwrap(),
        ResetView::Expired
    );
    assert!(
        usecases::password_reset::reset(&p, &tenant, &late, "yet another passphrase".into())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_rotation_may_keep_the_old_key_working_until_it_is_revoked() {
    let (test, p) = platform().await;
    let provisioned = provision(&p, "acme").await;
    let tenant = tenant(&p, "acme").await;
    let old = provisioned.api_key;
    // A key works if intake lets a request with it through (the checks, no lead written).
    let works = |key: domain::ApiKey| {
        let p = p.clone();
        async move {
            let request = usecases::receive_lead::Request {
                slug: "acme".into(),
                key: Some(key),
                idempotency: None,
                lead: None,
            };
            usecases::receive_lead::receive(&p, request).await.is_ok()
        }
    };

    let kept = usecases::rotate_key::rotate_key(&p, tenant.id, &usecases::Actor::Cli, true)
        .await
        .unwrap();
    assert!(
        works(old.clone()).await && works(kept.clone()).await,
        "both keys work during the overlap"
    );

    sqlx::query("update tenants set old_api_key_expires_at = now() - interval '1 second'")
        .execute(&test.db.owner)
        .await
        .unwrap();
    assert!(
        !works(old.clone()).await,
        "the old key stops when its overlap ends"
    );

    let plain = usecases::rotate_key::rotate_key(&p, tenant.id, &usecases::Actor::Cli, false)
        .await
        .unwrap();
    assert!(
        !works(kept).await && works(plain).await,
        "without the overlap the old key stops at once"
    );
}

#[tokio::test]
async fn a_bad_colour_or_logo_changes_nothing_and_a_good_save_shows_on_the_splash() {
    let (_test, p) = platform().await;
    let (tenant, ada) = workspace(&p, "acme").await;
    let form = |colour: &str| BrandingForm {
        name: "Acme <b>Law</b>".into(),
        tagline: "Family law, done kindly".into(),
        colour: colour.into(),
        colour_picker: "#2563eb".into(),
        colour_was: "#2563eb".into(),
    };

    let bad = usecases::branding::save(
        &p,
        &tenant,
        &ada,
        form("red;}</style>"),
        usecases::branding::LogoChange::Upload(b"<svg/>".to_vec()),
    )
    .await;
    assert!(
        matches!(&bad, Err(e) if e.field_message("colour").is_some() && e.field_message("logo").is_some()),
        "{bad:?}"
    );
    assert_eq!(
        db::tenants::resolve(&p.db.app, "acme")
            .await
            .unwrap()
            .unwrap()
            .name,
        "acme Ltd"
    );

    usecases::branding::save(
        &p,
        &tenant,
        &ada,
        form("#ff5500"),
        usecases::branding::LogoChange::Keep,
    )
    .await
    .unwrap();
    let site = db::tenants::resolve(&p.db.app, "acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (site.name.as_str(), site.brand_colour.as_str()),
        ("Acme <b>Law</b>", "#ff5500")
    );
}
