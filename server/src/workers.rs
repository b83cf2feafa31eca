//! Background work: delivering the outbox (when `SMTP_URL` is set), re-checking custom
//! domains' records, and housekeeping.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use tokio::{sync::watch, task::JoinHandle};
use usecases::{
    Platform,
    outbox::{Backoff, Sender},
    sealing::Body,
};

const OUTBOX_EVERY: Duration = Duration::from_secs(5);
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(600);
/// How often due custom domains are looked for (more often when `DOMAIN_RECHECK` is
/// shorter than this).
const DOMAINS_EVERY: Duration = Duration::from_secs(60);
/// Custom domains re-checked per tick at most.
const DOMAINS_BATCH: i64 = 100;
/// Emails handled per tick at most (a backlog of thousands drains in a minute or so).
const BATCH: usize = 500;
/// An SMTP conversation that takes longer than this has failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

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
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("MAIL_FROM {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }
}

impl Sender for Mailer {
    async fn send(&self, to: &str, subject: &str, body: &Body) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().map_err(|e| format!("recipient: {e}"))?)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                body.text.clone(),
                body.html.clone(),
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
    platform: Platform,
    mailer: Option<Mailer>,
    backoff: Backoff,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if mailer.is_none() {
            tracing::info!("SMTP_URL is not set: emails stay in the outbox, undelivered");
        }
        let mut outbox = tokio::time::interval(OUTBOX_EVERY);
        let mut housekeeping = tokio::time::interval(HOUSEKEEPING_EVERY);
        let mut domains =
            tokio::time::interval(DOMAINS_EVERY.min(platform.settings.domains.recheck));
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = outbox.tick(), if mailer.is_some() => {
                    if let Some(mailer) = &mailer {
                        deliver_outbox(&platform, mailer, backoff).await;
                    }
                }
                _ = housekeeping.tick() => usecases::housekeeping::sweep(&platform).await,
                _ = domains.tick() => recheck_domains(&platform).await,
            }
        }
    })
}

/// Re-checks the custom domains that are due; a failure is logged and retried later.
async fn recheck_domains(platform: &Platform) {
    match usecases::domains::recheck_due(platform, DOMAINS_BATCH).await {
        Ok(done) if done != Default::default() => {
            tracing::info!(?done, "custom domains re-checked")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "cannot re-check custom domains"),
    }
}

/// Sends what is due; a failure is logged and retried on a later tick.
pub async fn deliver_outbox(platform: &Platform, mailer: &Mailer, backoff: Backoff) {
    if let Err(e) = usecases::outbox::deliver_due(platform, mailer, backoff, BATCH).await {
        tracing::warn!(error = ?e, "cannot deliver the outbox");
    }
}
