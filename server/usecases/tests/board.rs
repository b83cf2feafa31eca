//! The board at any size on a real Postgres: each column pages by a keyset cursor that
//! visits every lead once (also leads of one intake batch, which share their time), and a
//! move takes all the ticked leads or none.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use common::{count_all, platform, workspace_with_admin};
use db::{UserId, sqlx, tenants::ResolvedTenant};
use domain::board::{Board, Page};
use usecases::{Error, Platform};
use uuid::Uuid;

/// The stages of `tenant`, in pipeline order.
async fn stages(p: &Platform, tenant: &ResolvedTenant) -> Vec<Uuid> {
    let board = usecases::board::board(p, tenant.id, None).await.unwrap();
    board.columns.iter().map(|c| c.stage_id).collect()
}

/// Adds `n` leads to `stage`, all in one statement: one shared `created_at`, as a batch has.
async fn add_leads(p: &Platform, tenant: &ResolvedTenant, stage: Uuid, n: i32) {
    sqlx::query(
        "insert into leads (id, tenant_id, stage_id, email)
         select gen_random_uuid(), $1, $2, 'lead' || g || '@x.test' from generate_series(1, $3) g",
    )
    .bind(tenant.id.0)
    .bind(stage)
    .bind(n)
    .execute(&p.db.owner)
    .await
    .unwrap();
}

async fn admin(p: &Platform, slug: &str) -> UserId {
    let id: Uuid = sqlx::query_scalar("select id from users where email = $1")
        .bind(format!("admin@{slug}.test"))
        .fetch_one(&p.db.owner)
        .await
        .unwrap();
    UserId(id)
}

fn column(board: &Board, stage: Uuid) -> &domain::board::Column {
    board.columns.iter().find(|c| c.stage_id == stage).unwrap()
}

#[tokio::test]
async fn show_more_visits_every_lead_of_a_column_once_newest_first() {
    let (_db, p) = platform().await;
    let tenant = workspace_with_admin(&p, "acme").await;
    let ids = stages(&p, &tenant).await;
    add_leads(&p, &tenant, ids[0], 45).await;
    add_leads(&p, &tenant, ids[1], 3).await;

    let mut seen = Vec::new();
    let mut page = None;
    let mut pages = 0;
    loop {
        let board = usecases::board::board(&p, tenant.id, page).await.unwrap();
        let first = column(&board, ids[0]);
        assert_eq!(first.total, 45, "the count is the whole stage's");
        assert_eq!(first.paged, page.is_some());
        assert!(first.cards.len() <= db::leads::CARDS_PER_STAGE as usize);
        assert_eq!(
            column(&board, ids[1]).cards.len(),
            3,
            "the other columns show their newest"
        );
        seen.extend(first.cards.iter().map(|c| c.id));
        pages += 1;
        match first.next {
            Some(after) => {
                assert_eq!(Some(&after), seen.last(), "more goes on from the last card");
                page = Some(Page {
                    stage: ids[0],
                    after,
                });
            }
            None => break,
        }
    }

    assert_eq!(pages, 3, "20 + 20 + 5");
    assert_eq!(seen.len(), 45);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        45,
        "no lead twice"
    );
}

#[tokio::test]
async fn a_cursor_whose_lead_moved_on_shows_the_column_from_its_newest() {
    let (_db, p) = platform().await;
    let tenant = workspace_with_admin(&p, "acme").await;
    let ids = stages(&p, &tenant).await;
    add_leads(&p, &tenant, ids[0], 25).await;
    let board = usecases::board::board(&p, tenant.id, None).await.unwrap();
    let after = column(&board, ids[0]).next.unwrap();
    let by = admin(&p, "acme").await;
    usecases::board::move_leads(&p, tenant.id, by, &[after], ids[2])
        .await
        .unwrap();

    let page = Page {
        stage: ids[0],
        after,
    };
    let board = usecases::board::board(&p, tenant.id, Some(page))
        .await
        .unwrap();

    let first = column(&board, ids[0]);
    assert!(!first.paged);
    assert_eq!(first.cards.len(), 20);
    assert_eq!(first.total, 24);
}

#[tokio::test]
async fn a_move_takes_every_ticked_lead_or_none() {
    let (_db, p) = platform().await;
    let tenant = workspace_with_admin(&p, "acme").await;
    let other = workspace_with_admin(&p, "other").await;
    let ids = stages(&p, &tenant).await;
    let other_ids = stages(&p, &other).await;
    add_leads(&p, &tenant, ids[0], 3).await;
    add_leads(&p, &other, other_ids[0], 1).await;
    let board = usecases::board::board(&p, tenant.id, None).await.unwrap();
    let mine: Vec<Uuid> = column(&board, ids[0]).cards.iter().map(|c| c.id).collect();
    let theirs = usecases::board::board(&p, other.id, None).await.unwrap();
    let foreign = column(&theirs, other_ids[0]).cards[0].id;
    let by = admin(&p, "acme").await;
    let audit_before = count_all(&p.db, "audit_log").await;

    // Another workspace's lead among mine: nothing moves.
    let refused = usecases::board::move_leads(&p, tenant.id, by, &[mine[0], foreign], ids[1]).await;
    assert!(matches!(refused, Err(Error::NotFound(_))), "{refused:?}");
    // Another workspace's stage: a field error.
    let refused = usecases::board::move_leads(&p, tenant.id, by, &[mine[0]], other_ids[1]).await;
    assert!(matches!(refused, Err(Error::Invalid { .. })), "{refused:?}");
    // Nothing ticked: a field error.
    let refused = usecases::board::move_leads(&p, tenant.id, by, &[], ids[1]).await;
    assert!(matches!(refused, Err(Error::Invalid { .. })), "{refused:?}");
    let board = usecases::board::board(&p, tenant.id, None).await.unwrap();
    assert_eq!(column(&board, ids[0]).total, 3, "nothing moved");
    assert_eq!(count_all(&p.db, "audit_log").await, audit_before);

    usecases::board::move_leads(&p, tenant.id, by, &mine[..2], ids[1])
        .await
        .unwrap();

    let board = usecases::board::board(&p, tenant.id, None).await.unwrap();
    assert_eq!(column(&board, ids[0]).total, 1);
    let moved: HashSet<Uuid> = column(&board, ids[1]).cards.iter().map(|c| c.id).collect();
    assert_eq!(moved, mine[..2].iter().copied().collect());
    assert_eq!(
        count_all(&p.db, "audit_log").await,
        audit_before + 2,
        "one activity entry per lead"
    );
    let theirs = usecases::board::board(&p, other.id, None).await.unwrap();
    assert_eq!(column(&theirs, other_ids[0]).total, 1, "their lead stayed");
}
