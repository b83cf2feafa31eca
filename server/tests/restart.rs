//! Postgres restarted under load: every request that meets the restart answers 503 with
//! `Retry-After` (pages, server functions, the API, and session saves), never a 500, and
//! the server recovers by itself once Postgres is back.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{sync::Arc, time::Duration};

use app::api::auth::GetViewer;
use common::TestApp;
use db::embedded::{Embedded, Tuning};
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn a_postgres_restart_mid_request_answers_503_with_retry_after_and_then_recovers() {
    // Arrange: a cluster of this test's own, which it may restart.
    let dir = std::env::temp_dir().join(format!("hcrm-restart-{}", uuid::Uuid::new_v4().simple()));
    let cluster = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || Embedded::start(&dir, "pg", Tuning::Tests))
            .await
            .unwrap()
            .unwrap()
    };
    let url = cluster.ensure_database("hcrm").await.unwrap();
    let database = db::connect(&url, None, db::PoolSizes::default())
        .await
        .unwrap();
    let app = Arc::new(TestApp::spawn_on(database, None, &[]).await);
    let acme = app.provision("acme").await;
    let cookie = app.accept_invite(&acme, "violet tugboat orchard").await;
    let host = app.tenant_host("acme");

    // Act: requests of every kind keep coming while Postgres restarts.
    let load = {
        let (app, cookie, host, key) = (
            app.clone(),
            cookie.clone(),
            host.clone(),
            acme.api_key.clone(),
        );
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for round in 0..60 {
                let page = app
                    .request(Method::GET, &host, "/leads")
                    .header("Cookie", &cookie)
                    .send();
                let server_fn = app
                    .post_from_page(&host, GetViewer::url())
                    .header("Cookie", &cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send();
                let lead = app.post_lead(
                    "acme",
                    &key,
                    serde_json::json!({ "email": format!("l{round}@x.test") }),
                );
                let sign_in = app
                    .post_from_page(&host, app::api::auth::SignIn::url())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body("email=admin%40acme.test&password=violet+tugboat+orchard")
                    .send();
                let (page, server_fn, lead, sign_in) = tokio::join!(page, server_fn, lead, sign_in);
                for (what, response) in [
                    ("page", page.unwrap()),
                    ("server function", server_fn.unwrap()),
                    ("sign-in", sign_in.unwrap()),
                ] {
                    answers.push((
                        what,
                        response.status(),
                        response.headers().contains_key("retry-after"),
                    ));
                }
                answers.push((
                    "intake",
                    lead.status(),
                    lead.headers().contains_key("retry-after"),
                ));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.restart().unwrap();
        cluster
    })
    .await
    .unwrap();
    let answers = load.await.unwrap();

    // Assert
    let unavailable = answers
        .iter()
        .filter(|(_, status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    for (what, status, retry_after) in &answers {
        assert!(
            status.is_success()
                || status.is_redirection()
                || *status == StatusCode::SERVICE_UNAVAILABLE,
            "{what} answered {status} during the restart"
        );
        if *status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(retry_after, "{what}'s 503 says when to retry");
        }
    }
    eprintln!("{unavailable} of {} answers were 503", answers.len());
    let after = app
        .request(Method::GET, &host, "/leads")
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "recovered without a restart of the server"
    );
    drop(app);
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap()
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
