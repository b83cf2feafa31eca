//! Delivering the outbox, and reading it back in the dev mailbox.
//!
//! Each email is locked while it is sent (`db::outbox::lock_next_due`), so two server
//! instances never send one email twice; a failed attempt is retried with exponential
//! backoff and marked failed after [`Backoff::max_attempts`]; an SMTP outage only builds a
//! backlog that drains once the relay is back.

use std::{future::Future, time::Duration};

use domain::Email;
use time::OffsetDateTime;

use crate::{Error, Platform, sealing::Body};

/// Where emails go (the server's SMTP relay, or a test's).
pub trait Sender: Sync {
    /// Sends one email; the error is kept as the attempt's last error.
    fn send(
        &self,
        to: &str,
        subject: &str,
        body: &Body,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// When to try a failed email again.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// The wait after the first failure; it doubles with each further one.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// Attempts before an email is marked failed.
    pub max_attempts: i32,
}

impl Default for Backoff {
    /// 1, 2, 4 … minutes up to an hour; failed after 10 attempts (about 8 hours).
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_secs(60),
            cap: Duration::from_secs(3600),
            max_attempts: 10,
        }
    }
}

/// Sends up to `batch` due emails, one at a time; how many were sent.
pub async fn deliver_due(
    p: &Platform,
    sender: &impl Sender,
    backoff: Backoff,
    batch: usize,
) -> Result<usize, Error> {
    let mut sent = 0;
    for _ in 0..batch {
        let mut tx = p.db.owner.begin().await?;
        let Some(email) = db::outbox::lock_next_due(&mut tx).await? else {
            break;
        };
        let outcome = match p.sealing_key.open(&email.sealed_body) {
            Ok(body) => sender.send(&email.to_address, &email.subject, &body).await,
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(()) => {
                db::outbox::mark_sent(&mut tx, email.id).await?;
                sent += 1;
            }
            Err(error) => {
                let failed = db::outbox::mark_attempt_failed(
                    &mut tx,
                    email.id,
                    &error,
                    backoff.max_attempts,
                    backoff.base,
                    backoff.cap,
                )
                .await?;
                tracing::warn!(email = %email.id, attempt = email.attempts + 1, failed, %error, "email not delivered");
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// An email as the dev mailbox shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub created_at: OffsetDateTime,
}

/// The emails to `to` whose bodies are still kept (not sent yet), newest first.
pub async fn dev_mailbox(p: &Platform, to: &Email) -> Result<Vec<DevMail>, Error> {
    let kept = db::outbox::list_kept_for_address(&p.db.owner, to).await?;
    Ok(kept
        .into_iter()
        .filter_map(|e| {
            let body = p.sealing_key.open(&e.sealed_body).ok()?;
            Some(DevMail {
                to: e.to_address,
                subject: e.subject,
                text: body.text,
                html: body.html,
                created_at: e.created_at,
            })
        })
        .collect())
}
