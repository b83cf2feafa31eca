//! The shared rate limits on a real Postgres (`docs/scale.md`, "Limits"): a burst of the
//! limit's count, then refusals that say how long to wait, a refill at the limit's pace, and
//! one count however many callers count at once.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::platform;

#[tokio::test]
async fn a_key_gets_its_burst_then_waits_for_a_refill() {
    let (_db, p) = platform().await;
    let db = &p.db.app;

    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(
            db::rate_limits::take(db, "test", "k", 3, Duration::from_secs(60))
                .await
                .unwrap(),
        );
    }
    let other = db::rate_limits::take(db, "test", "other", 3, Duration::from_secs(60))
        .await
        .unwrap();
    let other_scope = db::rate_limits::take(db, "else", "k", 3, Duration::from_secs(60))
        .await
        .unwrap();

    assert_eq!(answers[..3], [None, None, None]);
    let wait = answers[3].expect("the fourth is refused");
    // One event refills every 20 seconds.
    assert!(
        wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
        "{wait:?}"
    );
    assert_eq!(other, None, "another key has its own allowance");
    assert_eq!(other_scope, None, "another scope too");
}

#[tokio::test]
async fn an_event_is_allowed_again_once_its_share_of_the_window_has_passed() {
    let (_db, p) = platform().await;
    let db = &p.db.app;
    let window = Duration::from_millis(800);
    for _ in 0..2 {
        assert_eq!(
            db::rate_limits::take(db, "t", "k", 2, window)
                .await
                .unwrap(),
            None
        );
    }
    assert!(
        db::rate_limits::take(db, "t", "k", 2, window)
            .await
            .unwrap()
            .is_some()
    );

    tokio::time::sleep(Duration::from_millis(450)).await;

    assert_eq!(
        db::rate_limits::take(db, "t", "k", 2, window)
            .await
            .unwrap(),
        None
    );
    assert!(
        db::rate_limits::take(db, "t", "k", 2, window)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn callers_counting_at_once_are_counted_one_after_the_other() {
    let (_db, p) = platform().await;

    let answers = futures::future::join_all((0..40).map(|_| {
        let db = p.db.app.clone();
        async move {
            db::rate_limits::take(&db, "race", "k", 10, Duration::from_secs(60))
                .await
                .unwrap()
        }
    }))
    .await;

    assert_eq!(answers.iter().filter(|a| a.is_none()).count(), 10);
}

#[tokio::test]
async fn housekeeping_forgets_keys_back_to_full_allowance() {
    let (_db, p) = platform().await;
    db::rate_limits::take(&p.db.app, "t", "short", 1, Duration::from_millis(50))
        .await
        .unwrap();
    db::rate_limits::take(&p.db.app, "t", "long", 1, Duration::from_secs(600))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let forgotten = db::rate_limits::delete_idle(&p.db.owner).await.unwrap();

    assert_eq!(forgotten, 1);
}
