//! `POST /api/leads/intake`: every answer of `docs/product.md`, "Lead intake", over real HTTP.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::cli::Command;

async fn lead_count(app: &TestApp) -> i64 {
    db::testing::scalar_i64(&app.state.platform.db.owner, "select count(*) from leads").await
}

#[tokio::test]
async fn a_valid_lead_is_created_in_the_first_active_stage() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .post_lead("acme", &acme.api_key, json!({ "first_name": "Test", "email": "test@example.com", "source": "manual-test", "utm": "x" }))
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["stage"], "New");
    assert!(body["id"].as_str().unwrap().parse::<uuid::Uuid>().is_ok());
    let extra = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select extra::text from leads",
    )
    .await;
    assert_eq!(
        extra, r#"{"utm": "x"}"#,
        "unknown fields are kept as extra data"
    );
}

#[tokio::test]
async fn a_bearer_token_works_like_the_api_key_header() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
        .bearer_auth(&acme.api_key)
        .json(&json!({ "phone": "+1 555 0100" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn missing_malformed_unknown_and_other_tenants_keys_all_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let other = app.provision("other").await;
    let lead = json!({ "email": "a@example.com" });
    let unknown = format!("hcrm_{}", "A".repeat(43));

    let mut bodies = Vec::new();
    for key in [
        None,
        Some("hcrm_short"),
        Some(unknown.as_str()),
        Some(other.api_key.as_str()),
    ] {
        let mut request = app
            .request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
            .json(&lead);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "key {key:?}");
        bodies.push(response.json::<Value>().await.unwrap());
    }

    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "all alike: {bodies:?}"
    );
    assert_eq!(bodies[0]["error"], "invalid_api_key");
    assert_eq!(lead_count(&app).await, 0);
}

#[tokio::test]
async fn a_rotated_key_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let other = app.provision("other").await;

    let out = app
        .cli(Command::RotateKey {
            slug: "acme".into(),
        })
        .await
        .unwrap();
    let new_key = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("hcrm_"))
        .unwrap();

    let lead = json!({ "email": "a@example.com" });
    assert_eq!(
        app.post_lead("acme", &acme.api_key, lead.clone())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_lead("acme", new_key, lead.clone()).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.post_lead("other", &other.api_key, lead).await.status(),
        StatusCode::CREATED,
        "rotating one tenant's key leaves the others' alone"
    );
}

#[tokio::test]
async fn a_pending_tenant_answers_403_tenant_pending() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.owner_sql("update tenants set status = 'pending'").await;

    let response = app
        .post_lead("acme", &acme.api_key, json!({ "email": "a@example.com" }))
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "tenant_pending"
    );
}

#[tokio::test]
async fn a_suspended_tenant_answers_403_but_only_to_its_own_key() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    app.cli(Command::Suspend {
        slug: "acme".into(),
        reason: "Unpaid".into(),
    })
    .await
    .unwrap();

    let with_key = app
        .post_lead("acme", &acme.api_key, json!({ "email": "a@example.com" }))
        .await;
    let without_key = app
        .post_lead("acme", "nope", json!({ "email": "a@example.com" }))
        .await;

    assert_eq!(with_key.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        with_key.json::<Value>().await.unwrap()["error"],
        "tenant_suspended"
    );
    assert_eq!(
        without_key.status(),
        StatusCode::UNAUTHORIZED,
        "no status leaks without a key"
    );
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let big = json!({ "email": "a@example.com", "message": "x".repeat(70 * 1024) });

    let response = app.post_lead("acme", &acme.api_key, big).await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "payload_too_large"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
        .header("X-API-Key", &acme.api_key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=a%40example.com")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn invalid_fields_are_422_with_a_message_per_field() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .post_lead(
            "acme",
            &acme.api_key,
            json!({ "email": "not-an-email", "first_name": 42 }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "validation_failed");
    assert!(body["fields"]["email"].as_str().unwrap().contains("email"));
    assert_eq!(body["fields"]["first_name"], "Must be a string.");
    assert_eq!(lead_count(&app).await, 0);
}

#[tokio::test]
async fn a_lead_without_email_or_phone_is_422() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .post_lead("acme", &acme.api_key, json!({ "first_name": "Nobody" }))
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["fields"]["email"].is_string() && body["fields"]["phone"].is_string());
}

#[tokio::test]
async fn malformed_json_is_422() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
        .header("X-API-Key", &acme.api_key)
        .header("Content-Type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json::<Value>().await.unwrap()["fields"]["body"],
        "Send a JSON object."
    );
}

#[tokio::test]
async fn too_many_leads_get_429_with_retry_after() {
    let app = TestApp::spawn_with(&[("INTAKE_LIMIT", "2/1m")]).await;
    let acme = app.provision("acme").await;
    let lead = json!({ "email": "a@example.com" });

    for _ in 0..2 {
        assert_eq!(
            app.post_lead("acme", &acme.api_key, lead.clone())
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let response = app.post_lead("acme", &acme.api_key, lead).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_instead_of_a_duplicate() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let send = || {
        app.request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
            .header("X-API-Key", &acme.api_key)
            .header("Idempotency-Key", "order-42")
            .json(&json!({ "email": "a@example.com" }))
            .send()
    };

    let first = send().await.unwrap();
    let second = send().await.unwrap();

    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let (a, b): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(lead_count(&app).await, 1);
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_create_one_lead() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let sends = (0..8).map(|_| {
        app.request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
            .header("X-API-Key", &acme.api_key)
            .header("Idempotency-Key", "same")
            .json(&json!({ "email": "a@example.com" }))
            .send()
    });
    let responses = futures::future::join_all(sends).await;

    // Each answer is the first request's (201, replayed or not), or, for a retry that
    // arrived while the first was still in flight, 409 at once.
    let mut ids: Vec<Value> = Vec::new();
    for response in responses {
        let response = response.unwrap();
        match response.status() {
            StatusCode::CREATED => ids.push(response.json::<Value>().await.unwrap()["id"].clone()),
            StatusCode::CONFLICT => {
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["error"], "idempotency_in_progress");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id == &ids[0]));
    assert_eq!(lead_count(&app).await, 1);
}

#[tokio::test]
async fn a_retry_while_the_first_request_is_in_flight_is_told_so_at_once() {
    // Arrange: the first request has claimed the key and not committed yet.
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let tenant = db::tenants::resolve(&app.state.platform.db.app, "acme")
        .await
        .unwrap()
        .unwrap();
    let mut first = db::begin_tenant(&app.state.platform.db.app, tenant.id)
        .await
        .unwrap();
    // What the intake batch takes while it handles a key: its (tenant, key) lock.
    db::sqlx::query("select pg_advisory_xact_lock(727276, hashtext($1::text || ':in-flight'))")
        .bind(tenant.id.0)
        .execute(&mut *first)
        .await
        .unwrap();

    // Act
    let retry = app
        .request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
        .header("X-API-Key", &acme.api_key)
        .header("Idempotency-Key", "in-flight")
        .json(&json!({ "email": "a@example.com" }))
        .send()
        .await
        .unwrap();
    first.rollback().await.unwrap();

    // Assert: answered while the first request still held its row (waiting on it would
    // have ended in the statement timeout's error), and nothing was created.
    assert_eq!(retry.status(), StatusCode::CONFLICT);
    let body: Value = retry.json().await.unwrap();
    assert_eq!(body["error"], "idempotency_in_progress");
    assert_eq!(lead_count(&app).await, 0);
}

#[tokio::test]
async fn an_idempotency_key_reused_for_a_different_lead_is_422() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let send = |email: &str| {
        app.request(Method::POST, &app.tenant_host("acme"), "/api/leads/intake")
            .header("X-API-Key", &acme.api_key)
            .header("Idempotency-Key", "k1")
            .json(&json!({ "email": email }))
            .send()
    };

    assert_eq!(
        send("a@example.com").await.unwrap().status(),
        StatusCode::CREATED
    );
    let reused = send("b@example.com").await.unwrap();

    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["error"],
        "idempotency_key_reused"
    );
    assert_eq!(lead_count(&app).await, 1);
}

#[tokio::test]
async fn idempotency_keys_belong_to_one_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let other = app.provision("other").await;
    for (slug, key) in [("acme", &acme.api_key), ("other", &other.api_key)] {
        let response = app
            .request(Method::POST, &app.tenant_host(slug), "/api/leads/intake")
            .header("X-API-Key", key)
            .header("Idempotency-Key", "shared")
            .json(&json!({ "email": "a@example.com" }))
            .send()
            .await
            .unwrap();
        assert!(
            response.headers().get("idempotent-replayed").is_none(),
            "{slug} got its own answer"
        );
    }
    assert_eq!(lead_count(&app).await, 2);
}

#[tokio::test]
async fn the_apex_has_no_intake() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;

    let response = app
        .request(Method::POST, &app.apex, "/api/leads/intake")
        .header("X-API-Key", &acme.api_key)
        .json(&json!({ "email": "a@example.com" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// Batches: each instance writes the leads that arrive together in one transaction.

/// Posts a lead in the background; its status once answered.
fn post_in_background(
    app: &std::sync::Arc<TestApp>,
    slug: &'static str,
    key: &str,
    lead: Value,
) -> tokio::task::JoinHandle<StatusCode> {
    let (app, key) = (app.clone(), key.to_owned());
    tokio::spawn(async move { app.post_lead(slug, &key, lead).await.status() })
}

/// Waits until `n` requests have reached the server (and so its queue or its writer).
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

/// Keeps the writer busy with `slug`'s batch: a first lead (so that its limit row exists),
/// that row locked by a transaction of the test's own, then one more lead, posted in the
/// background, which the writer takes and waits on. Rolling back the transaction lets it
/// go; the lead it waited on answers through the handle.
async fn busy_writer(
    app: &std::sync::Arc<TestApp>,
    slug: &'static str,
    key: &str,
) -> (db::Tx, tokio::task::JoinHandle<StatusCode>) {
    let first = app
        .post_lead(slug, key, json!({ "email": "first@example.com" }))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let mut held = app.state.platform.db.owner.begin().await.unwrap();
    db::sqlx::query(
        "select r.tat from rate_limits r join tenants t on r.key = t.id::text
         where r.scope = 'intake' and t.slug = $1 for update of r",
    )
    .bind(slug)
    .fetch_one(&mut *held)
    .await
    .unwrap();
    let blocked = post_in_background(app, slug, key, json!({ "email": "blocked@example.com" }));
    settle().await;
    (held, blocked)
}

#[tokio::test]
async fn a_batch_that_fails_part_way_writes_its_leads_again_one_by_one() {
    // Arrange: one writer; a lead that the database refuses (a trigger of the test's own);
    // the writer held on a first lead while four more queue up behind it, the bad one
    // among them, so that they make one batch.
    let app = std::sync::Arc::new(TestApp::spawn_with(&[("INTAKE_WRITERS", "1")]).await);
    let acme = app.provision("acme").await;

    // Act
    let statuses = batch_with_a_bad_lead(&app, &acme.api_key).await;

    // Assert: the bad lead alone failed; the others were written.
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::CREATED,
            StatusCode::CREATED
        ]
    );
    assert_eq!(lead_count(&app).await, 5);
}

#[tokio::test]
async fn a_batch_taken_again_counts_each_request_once_against_the_limit() {
    // Arrange: room for 7 leads a minute; 6 of them used by a first lead, a held one, and
    // a batch of four that fails in one statement and is taken again in two steps.
    let app = std::sync::Arc::new(
        TestApp::spawn_with(&[("INTAKE_WRITERS", "1"), ("INTAKE_LIMIT", "7/1m")]).await,
    );
    let acme = app.provision("acme").await;
    let statuses = batch_with_a_bad_lead(&app, &acme.api_key).await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        4
    );

    // Act
    let seventh = app
        .post_lead("acme", &acme.api_key, json!({ "email": "7@example.com" }))
        .await;
    let eighth = app
        .post_lead("acme", &acme.api_key, json!({ "email": "8@example.com" }))
        .await;

    // Assert: the failed attempt counted nothing; the retry counted each request once.
    assert_eq!(seventh.status(), StatusCode::CREATED);
    assert_eq!(eighth.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// With the database refusing any lead named Explosive (a trigger of the test's own),
/// holds the writer on a first batch while four leads queue up behind it, the bad one
/// among them, so that they make one batch; then lets it go. The statuses: the held lead's,
/// then those four's in order.
async fn batch_with_a_bad_lead(app: &std::sync::Arc<TestApp>, key: &str) -> Vec<StatusCode> {
    app.owner_sql(
        "create function refuse_explosive() returns trigger language plpgsql as $$
         begin
           if exists (select 1 from new_rows where first_name = 'Explosive') then
             raise exception 'refused by the test';
           end if;
           return null;
         end $$;
         create trigger refuse_explosive after insert on leads referencing new table as new_rows
           for each statement execute function refuse_explosive();",
    )
    .await;
    let (held, blocked) = busy_writer(app, "acme", key).await;
    let mut batch = Vec::new();
    for name in ["Good1", "Explosive", "Good2", "Good3"] {
        batch.push(post_in_background(
            app,
            "acme",
            key,
            json!({ "first_name": name, "email": "x@example.com" }),
        ));
    }
    settle().await;
    held.rollback().await.unwrap();
    let mut statuses = vec![blocked.await.unwrap()];
    for post in batch {
        statuses.push(post.await.unwrap());
    }
    statuses
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_and_drops_nothing_it_took() {
    // Arrange: a queue of two, its one writer held.
    let app = std::sync::Arc::new(
        TestApp::spawn_with(&[("INTAKE_WRITERS", "1"), ("INTAKE_QUEUE", "2")]).await,
    );
    let acme = app.provision("acme").await;
    let (held, blocked) = busy_writer(&app, "acme", &acme.api_key).await;
    let mut taken = vec![blocked];
    for _ in 0..2 {
        taken.push(post_in_background(
            &app,
            "acme",
            &acme.api_key,
            json!({ "email": "b@example.com" }),
        ));
    }
    settle().await;

    // Act
    let refused = app
        .post_lead("acme", &acme.api_key, json!({ "email": "c@example.com" }))
        .await;
    held.rollback().await.unwrap();

    // Assert
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    for post in taken {
        assert_eq!(post.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(lead_count(&app).await, 4);
}

#[tokio::test]
async fn a_key_rotated_while_leads_wait_in_the_queue_refuses_them() {
    // Arrange: the one writer held on another workspace's batch, acme's leads queued
    // behind it with the key that is about to be rotated.
    let app = std::sync::Arc::new(TestApp::spawn_with(&[("INTAKE_WRITERS", "1")]).await);
    let acme = app.provision("acme").await;
    let other = app.provision("other").await;
    let (held, blocked) = busy_writer(&app, "other", &other.api_key).await;
    let mut queued = Vec::new();
    for _ in 0..3 {
        queued.push(post_in_background(
            &app,
            "acme",
            &acme.api_key,
            json!({ "email": "q@example.com" }),
        ));
    }
    settle().await;

    // Act
    let rotated = app
        .cli(Command::RotateKey {
            slug: "acme".into(),
        })
        .await
        .unwrap();
    held.rollback().await.unwrap();

    // Assert: checked in the batch, after the rotation: refused, every one.
    assert_eq!(blocked.await.unwrap(), StatusCode::CREATED);
    for post in queued {
        assert_eq!(post.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let new_key = rotated
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("hcrm_"))
        .unwrap();
    let with_new = app
        .post_lead("acme", new_key, json!({ "email": "n@example.com" }))
        .await;
    assert_eq!(with_new.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn leads_that_arrive_together_share_a_batch_and_each_gets_its_own_answer() {
    let app = std::sync::Arc::new(TestApp::spawn_with(&[("INTAKE_WRITERS", "1")]).await);
    let acme = app.provision("acme").await;
    let other = app.provision("other").await;
    let (held, blocked) = busy_writer(&app, "acme", &acme.api_key).await;
    let posts = vec![
        post_in_background(
            &app,
            "acme",
            &acme.api_key,
            json!({ "email": "ok@example.com" }),
        ),
        post_in_background(
            &app,
            "acme",
            &other.api_key,
            json!({ "email": "wrong-key@example.com" }),
        ),
        post_in_background(
            &app,
            "other",
            &other.api_key,
            json!({ "email": "other@example.com" }),
        ),
        post_in_background(
            &app,
            "nobody",
            &acme.api_key,
            json!({ "email": "nobody@example.com" }),
        ),
    ];
    settle().await;

    held.rollback().await.unwrap();

    assert_eq!(blocked.await.unwrap(), StatusCode::CREATED);
    let mut statuses = Vec::new();
    for post in posts {
        statuses.push(post.await.unwrap());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::UNAUTHORIZED,
            StatusCode::CREATED,
            StatusCode::NOT_FOUND
        ]
    );
    // Each lead went to its own workspace with its own fields, though refused requests
    // sat between them in the batch.
    let stored = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select string_agg(t.slug || ' ' || l.email, ', ' order by t.slug)
         from leads l join tenants t on t.id = l.tenant_id
         where l.email not in ('first@example.com', 'blocked@example.com')",
    )
    .await;
    assert_eq!(stored, "acme ok@example.com, other other@example.com");
    let entries = db::testing::scalar_i64(
        &app.state.platform.db.owner,
        "select count(*) from audit_log where action = 'leads.received'",
    )
    .await;
    assert!(
        entries <= 4,
        "one audit entry per workspace per batch, not per lead: {entries}"
    );
}
