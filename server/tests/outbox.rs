//! The outbox worker against a real SMTP server (an embedded one, on a random port).

mod common;

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use common::TestApp;
use mailin_embedded::{Handler, Response, Server, response::OK};
use server::workers::{Mailer, deliver_outbox};

/// One received message: its recipients and raw content.
#[derive(Clone, Debug, Default)]
struct Message {
    to: Vec<String>,
    data: Vec<u8>,
}

/// An SMTP handler that keeps every message it receives.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Message>>>,
    current: Message,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Message {
            to: to.to_vec(),
            data: Vec::new(),
        };
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        OK
    }
}

/// Starts an SMTP server on a free port; returns its inbox and port.
fn smtp_server() -> (Arc<Mutex<Vec<Message>>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    std::thread::spawn(move || {
        let mut server = Server::new(inbox);
        server
            .with_name("test.localhost")
            .with_tcp_listener(listener);
        // Runs until the test process ends.
        let _ = server.serve();
    });
    (received, port)
}

async fn outbox_row(app: &TestApp) -> (bool, i64, bool) {
    let owner = &app.state.db.owner;
    (
        db::testing::scalar_i64(
            owner,
            "select count(*) from email_outbox where sent_at is not null",
        )
        .await
            == 1,
        db::testing::scalar_i64(owner, "select attempts::bigint from email_outbox").await,
        db::testing::scalar_i64(
            owner,
            "select count(*) from email_outbox where last_error is not null",
        )
        .await
            == 1,
    )
}

#[tokio::test]
async fn a_queued_email_is_delivered_and_marked_sent() {
    let app = TestApp::spawn().await;
    let acme = app.provision("acme").await;
    let (received, port) = smtp_server();
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "HREF CRM <no-reply@localhost>",
    )
    .unwrap();

    deliver_outbox(&app.state, &mailer).await;

    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec!["admin@acme.test".to_owned()]);
    let raw = String::from_utf8_lossy(&messages[0].data);
    assert!(
        raw.contains("Subject: You're invited to acme Ltd on HREF CRM"),
        "{raw}"
    );
    assert!(
        raw.contains(&acme.invite_path),
        "the invite link is in the email"
    );
    assert_eq!(outbox_row(&app).await, (true, 1, false));

    deliver_outbox(&app.state, &mailer).await;
    assert_eq!(
        received.lock().unwrap().len(),
        1,
        "a sent email is not sent again"
    );
}

#[tokio::test]
async fn an_unreachable_relay_keeps_the_email_for_a_later_attempt() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = Mailer::new(
        &format!("smtp://127.0.0.1:{closed_port}"),
        "no-reply@localhost",
    )
    .unwrap();

    deliver_outbox(&app.state, &down).await;

    assert_eq!(
        outbox_row(&app).await,
        (false, 1, true),
        "kept, one attempt, error recorded"
    );
    let later = db::testing::scalar_i64(
        &app.state.db.owner,
        "select count(*) from email_outbox where next_attempt_at > now()",
    )
    .await;
    assert_eq!(later, 1, "retried later, not at once");

    // When the relay is back and the retry is due, the email goes out.
    app.owner_sql("update email_outbox set next_attempt_at = now()")
        .await;
    let (received, port) = smtp_server();
    let up = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "no-reply@localhost").unwrap();
    deliver_outbox(&app.state, &up).await;
    assert_eq!(received.lock().unwrap().len(), 1);
    assert!(outbox_row(&app).await.0);
}
