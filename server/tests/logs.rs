//! Passwords, API keys and tokens never appear in the logs, even at debug level.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use common::TestApp;
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_stay_out_of_the_logs() {
    // Arrange: capture everything the server logs (this test binary has no other test).
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("debug"))
        .with_writer(captured.clone())
        .init();
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let host = app.tenant_host("acme");
    let token = acme.invite_path.trim_start_matches("/invite/").to_owned();
    let password = "violet tugboat orchard";

    // Act: the invite page, accepting it, signing in, a lead, a failed sign-in.
    let page = app
        .request(Method::GET, &host, &acme.invite_path)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let accepted = app
        .post_from_page(&host, <app::api::invites::AcceptInvite as ServerFn>::url())
        .form(&[
            ("token", token.as_str()),
            ("name", "Ada"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.status(),
        StatusCode::OK,
        "{}",
        accepted.text().await.unwrap()
    );
    for attempt in [password, "wrong password here"] {
        app.post_from_page(&host, <app::api::auth::SignIn as ServerFn>::url())
            .form(&[("email", "admin@acme.test"), ("password", attempt)])
            .send()
            .await
            .unwrap();
    }
    let lead = app
        .post_lead(
            "acme",
            &acme.api_key,
            json!({ "email": "lead@example.com" }),
        )
        .await;
    assert_eq!(lead.status(), StatusCode::CREATED);

    // Assert
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("lead received"), "the capture works:\n{logs}");
    for secret in [
        token.as_str(),
        acme.api_key.as_str(),
        password,
        "wrong password here",
    ] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs");
    }
}
