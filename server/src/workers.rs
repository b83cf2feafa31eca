//! Background work: delivering the outbox (when `SMTP_URL` is set) and housekeeping
//! (expired sessions, old sign-in failures and idempotency keys, idle rate-limit keys).

use std::time::Duration;

use app::ssr::AppState;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use tokio::{sync::watch, task::JoinHandle};

const OUTBOX_EVERY: Duration = Duration::from_secs(5);
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(600);
const BATCH: i64 = 20;

/// Where emails go: an SMTP relay and the sender address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `SMTP_URL` (`smtp://`, `smtps://`, `?tls=required`: lettre's URL form).
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("MAIL_FROM {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, email: &db::outbox::QueuedEmail) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(email
                .to_address
                .parse()
                .map_err(|e| format!("recipient: {e}"))?)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                email.text_body.clone(),
                email.html_body.clone(),
            ))
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Starts the workers; they stop when `stop` turns true.
pub fn spawn(
    state: AppState,
    mailer: Option<Mailer>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if mailer.is_none() {
            tracing::info!("SMTP_URL is not set: emails stay in the outbox, undelivered");
        }
        let mut outbox = tokio::time::interval(OUTBOX_EVERY);
        let mut housekeeping = tokio::time::interval(HOUSEKEEPING_EVERY);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = outbox.tick(), if mailer.is_some() => {
                    if let Some(mailer) = &mailer {
                        deliver_outbox(&state, mailer).await;
                    }
                }
                _ = housekeeping.tick() => housekeep(&state).await,
            }
        }
    })
}

/// Sends what is due. A failure backs off (see `db::outbox::mark_failed`) and is retried;
/// an SMTP outage only builds a backlog.
pub async fn deliver_outbox(state: &AppState, mailer: &Mailer) {
    let emails = match db::outbox::claim_due(&state.db.owner, BATCH).await {
        Ok(emails) => emails,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the outbox");
            return;
        }
    };
    for email in emails {
        let outcome = match mailer.send(&email).await {
            Ok(()) => db::outbox::mark_sent(&state.db.owner, email.id).await,
            Err(error) => {
                tracing::warn!(email = %email.id, attempt = email.attempts, %error, "email not delivered");
                db::outbox::mark_failed(&state.db.owner, email.id, &error).await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = ?e, email = %email.id, "cannot record the delivery");
        }
    }
}

async fn housekeep(state: &AppState) {
    let owner = &state.db.owner;
    let results = [
        (
            "expired sessions",
            db::sessions::delete_expired(owner).await,
        ),
        (
            "old sign-in failures",
            db::login_failures::delete_old(owner).await,
        ),
        (
            "expired idempotency keys",
            db::idempotency::delete_expired(owner).await,
        ),
    ];
    for (what, result) in results {
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "housekeeping: {what}"),
            Err(e) => tracing::warn!(error = ?e, "housekeeping failed: {what}"),
        }
    }
    state.limits.forget_idle();
}
