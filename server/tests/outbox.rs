//! The outbox worker against a real SMTP server (an embedded one, on a random port).

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use common::{
    TestApp,
    smtp::{Message, smtp_server},
};
use server::workers::{Mailer, deliver_outbox};

async fn outbox_row(app: &TestApp) -> (bool, i64, bool) {
    let owner = &app.state.platform.db.owner;
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

    deliver_outbox(
        &app.state.platform,
        &mailer,
        usecases::outbox::Backoff::default(),
    )
    .await;

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

    deliver_outbox(
        &app.state.platform,
        &mailer,
        usecases::outbox::Backoff::default(),
    )
    .await;
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

    deliver_outbox(
        &app.state.platform,
        &down,
        usecases::outbox::Backoff::default(),
    )
    .await;

    assert_eq!(
        outbox_row(&app).await,
        (false, 1, true),
        "kept, one attempt, error recorded"
    );
    let later = db::testing::scalar_i64(
        &app.state.platform.db.owner,
        "select count(*) from email_outbox where next_attempt_at > now()",
    )
    .await;
    assert_eq!(later, 1, "retried later, not at once");

    // When the relay is back and the retry is due, the email goes out.
    app.owner_sql("update email_outbox set next_attempt_at = now()")
        .await;
    let (received, port) = smtp_server();
    let up = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "no-reply@localhost").unwrap();
    deliver_outbox(
        &app.state.platform,
        &up,
        usecases::outbox::Backoff::default(),
    )
    .await;
    assert_eq!(received.lock().unwrap().len(), 1);
    assert!(outbox_row(&app).await.0);
}

/// A relay of the test's own: counts what it is asked to send, takes `delay` per email,
/// and fails every time when `failing`.
#[derive(Default)]
struct Relay {
    sent: Mutex<Vec<String>>,
    delay: std::time::Duration,
    failing: bool,
}

impl usecases::outbox::Sender for Relay {
    async fn send(
        &self,
        to: &str,
        _subject: &str,
        _body: &usecases::sealing::Body,
    ) -> Result<(), String> {
        tokio::time::sleep(self.delay).await;
        if self.failing {
            return Err("550 relay says no".into());
        }
        self.sent.lock().unwrap().push(to.to_owned());
        Ok(())
    }
}

fn no_wait(max_attempts: i32) -> usecases::outbox::Backoff {
    usecases::outbox::Backoff {
        base: std::time::Duration::ZERO,
        cap: std::time::Duration::ZERO,
        max_attempts,
    }
}

#[tokio::test]
async fn after_its_last_attempt_an_email_is_marked_failed_and_kept() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    let relay = Relay {
        failing: true,
        ..Relay::default()
    };

    for _ in 0..5 {
        usecases::outbox::deliver_due(&app.state.platform, &relay, no_wait(3), 10)
            .await
            .unwrap();
    }

    let owner = &app.state.platform.db.owner;
    assert_eq!(
        db::testing::scalar_string(
            owner,
            "select status || ' ' || attempts || ' ' || last_error from email_outbox"
        )
        .await,
        "failed 3 550 relay says no",
        "three attempts, then failed, not tried again"
    );
    assert_eq!(
        db::testing::scalar_i64(
            owner,
            "select count(*) from email_outbox where failed_at is not null"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn two_workers_never_send_one_email_twice_even_when_a_send_outlasts_its_retry_time() {
    // Arrange: five emails, and a relay that takes its time.
    let app = TestApp::spawn().await;
    for slug in ["a1", "a2", "a3", "a4", "a5"] {
        app.provision(slug).await;
    }
    let relay = Relay {
        delay: std::time::Duration::from_millis(300),
        ..Relay::default()
    };
    let platform = app.state.platform.clone();

    // Act: one worker starts; while it is sending, every email becomes due again (as a
    // lease that ran out would make it), and a second worker starts too.
    let first = usecases::outbox::deliver_due(&platform, &relay, no_wait(10), 10);
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        app.owner_sql("update email_outbox set next_attempt_at = now() - interval '1 hour' where status = 'pending'")
            .await;
        usecases::outbox::deliver_due(&platform, &relay, no_wait(10), 10).await
    };
    let (a, b) = tokio::join!(first, second);

    // Assert
    let sent = relay.sent.lock().unwrap().clone();
    assert_eq!(a.unwrap() + b.unwrap(), 5);
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(sent.len(), 5, "five sends: {sent:?}");
    assert_eq!(unique.len(), 5, "each email once: {sent:?}");
    assert_eq!(
        db::testing::scalar_i64(
            &app.state.platform.db.owner,
            "select count(*) from email_outbox where status = 'sent' and sealed_body is null"
        )
        .await,
        5,
        "sent, and the bodies dropped"
    );
}

/// A real SMTP server that can be taken down and brought back on the same port. The
/// embedded server runs on a port of its own; the port the mailer is given forwards to it
/// while it is up. While it is down nothing listens there (the port is held bound but not
/// listening, so nothing else takes it): connections are refused, as by a relay that is off.
struct SwitchableSmtp {
    port: u16,
    received: Arc<Mutex<Vec<Message>>>,
    backend: u16,
    /// While down: the port, bound, not listening.
    reserved: Option<tokio::net::TcpSocket>,
    /// While up: the task that accepts and forwards (its connections end with it).
    forwarding: Option<tokio::task::JoinHandle<()>>,
}

/// Binds `port` on 127.0.0.1 (0: any free one) without listening.
fn reserve_port(port: u16) -> tokio::net::TcpSocket {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    // Connections forwarded earlier may still be in TIME_WAIT on the port.
    socket.set_reuseaddr(true).unwrap();
    socket.bind(([127, 0, 0, 1], port).into()).unwrap();
    socket
}

impl SwitchableSmtp {
    /// A server that is down until [`SwitchableSmtp::start`].
    fn stopped() -> SwitchableSmtp {
        let (received, backend) = smtp_server();
        let reserved = reserve_port(0);
        SwitchableSmtp {
            port: reserved.local_addr().unwrap().port(),
            received,
            backend,
            reserved: Some(reserved),
            forwarding: None,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Brings the server up on its port.
    fn start(&mut self) {
        assert!(self.forwarding.is_none(), "already up");
        let socket = self
            .reserved
            .take()
            .unwrap_or_else(|| reserve_port(self.port));
        let listener = socket.listen(64).unwrap();
        let backend = self.backend;
        self.forwarding = Some(tokio::spawn(async move {
            // Dropped with this task, which aborts every connection still open.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                connections.spawn(async move {
                    let mut server = tokio::net::TcpStream::connect(("127.0.0.1", backend))
                        .await
                        .unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        }));
    }

    /// Takes the server down: its port stops listening, open connections are cut.
    async fn stop(&mut self) {
        if let Some(task) = self.forwarding.take() {
            task.abort();
            let _ = task.await;
        }
        self.reserved = Some(reserve_port(self.port));
    }

    /// How many messages each recipient received.
    fn per_recipient(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for message in self.received.lock().unwrap().iter() {
            for to in &message.to {
                *counts.entry(to.clone()).or_insert(0) += 1;
            }
        }
        counts
    }
}

#[tokio::test]
async fn an_smtp_outage_builds_a_backlog_that_is_delivered_once_when_the_server_is_back() {
    // Arrange: five queued emails (each workspace's admin invite), and the relay down.
    let app = TestApp::spawn().await;
    let slugs = ["a1", "a2", "a3", "a4", "a5"];
    for slug in slugs {
        app.provision(slug).await;
    }
    let mut smtp = SwitchableSmtp::stopped();
    let mailer = Mailer::new(&smtp.url(), "HREF CRM <no-reply@localhost>").unwrap();
    let platform = &app.state.platform;
    let owner = &platform.db.owner;
    let rows = |sql: &'static str| db::testing::scalar_i64(owner, sql);

    // Act: two rounds while it is down; fewer attempts than the three allowed.
    let mut sent_while_down = 0;
    for round in 1..=2 {
        sent_while_down += usecases::outbox::deliver_due(platform, &mailer, no_wait(3), 5)
            .await
            .unwrap();

        // Assert: nothing sent, every email tried once more, still pending.
        assert_eq!(
            rows(
                "select count(*) from email_outbox
                 where status = 'pending' and sent_at is null and last_error ilike '%refused%'"
            )
            .await,
            5,
            "round {round}: kept, the refused connection recorded"
        );
        assert_eq!(
            db::testing::scalar_i64(
                owner,
                &format!("select count(*) from email_outbox where attempts = {round}")
            )
            .await,
            5,
            "round {round}: one attempt each"
        );
    }
    assert_eq!(sent_while_down, 0);
    assert!(smtp.received.lock().unwrap().is_empty());
    assert_eq!(
        rows("select count(*) from email_outbox where status = 'failed'").await,
        0
    );

    // Act: the server comes back on the same port.
    smtp.start();
    let sent = usecases::outbox::deliver_due(platform, &mailer, no_wait(3), 10)
        .await
        .unwrap();
    let again = usecases::outbox::deliver_due(platform, &mailer, no_wait(3), 10)
        .await
        .unwrap();

    // Assert: each email arrived exactly once, all marked sent, nothing sent twice.
    assert_eq!((sent, again), (5, 0));
    let expected: std::collections::BTreeMap<String, usize> = slugs
        .iter()
        .map(|slug| (format!("admin@{slug}.test"), 1))
        .collect();
    assert_eq!(smtp.per_recipient(), expected);
    for message in smtp.received.lock().unwrap().iter() {
        let raw = String::from_utf8_lossy(&message.data);
        assert!(raw.contains("Subject: You're invited to"), "{raw}");
    }
    assert_eq!(
        rows(
            "select count(*) from email_outbox
             where status = 'sent' and sent_at is not null and sealed_body is null
               and attempts = 3 and last_error is null"
        )
        .await,
        5,
        "sent on the third attempt, the outage's error cleared"
    );

    // And a further outage sends nothing again and changes no sent email.
    smtp.stop().await;
    let after = usecases::outbox::deliver_due(platform, &mailer, no_wait(3), 10)
        .await
        .unwrap();
    assert_eq!(after, 0);
    assert_eq!(smtp.received.lock().unwrap().len(), 5);
    assert_eq!(
        rows("select count(*) from email_outbox where status = 'sent'").await,
        5
    );
}
