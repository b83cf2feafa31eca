//! Receiving a lead from a workspace's website through the intake API (`docs/product.md`,
//! "Lead intake"), at the database's speed (`docs/benchmarks.md`, "Intake").
//!
//! Every request becomes an [`Item`](db::intake::Item) on one of this instance's intake
//! queues (its workspace's). Each queue's writer takes what has queued (`recv_many`: no
//! timer, so an idle server adds no latency), admits the batch (the key, so a rotated or
//! revoked key fails at once on every instance, the workspace's status, its rate) and
//! writes the leads of those let through (idempotency keys, leads, audit) in one statement
//! and transaction (`db::intake::receive`), and answers each request once it has
//! committed. Concurrent leads share a commit. A full queue answers 503; a batch that
//! fails is taken again in two steps (`db::intake::admit`, then `db::intake::store`) and
//! its leads written one at a time, so that one bad lead fails alone.

use std::{sync::Arc, time::Duration};

use db::intake::{Admission, Answer, Item};
use domain::{ApiKey, NewLead};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::{
    Error, Platform,
    limits::{Limit, Scope, refused},
};

/// The most requests one transaction takes.
const MAX_BATCH: usize = 256;

/// How many requests may wait, and how many writers take them (`INTAKE_QUEUE`,
/// `INTAKE_WRITERS`), each with its share of the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueSettings {
    pub capacity: usize,
    pub writers: usize,
}

impl Default for QueueSettings {
    fn default() -> QueueSettings {
        QueueSettings {
            capacity: 4096,
            writers: 2,
        }
    }
}

/// A request waiting for its batch, and where its answer goes.
struct Job {
    item: Item,
    answer: Sender,
}

/// This instance's intake queues, one per writer. A workspace's requests always go to the
/// same writer, so that two batches of one workspace never wait on each other's row locks
/// (its counters), while other workspaces' batches run beside them. Cloning it gives
/// another door to the same queues.
#[derive(Clone)]
pub struct Intake {
    senders: Arc<[mpsc::Sender<Job>]>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Intake(…)")
    }
}

impl Intake {
    /// Starts the writers (on the current tokio runtime) against the request pool.
    pub fn start(db: db::PgPool, limit: Limit, settings: QueueSettings) -> Intake {
        let writers = settings.writers.max(1);
        let capacity = (settings.capacity / writers).max(1);
        let senders = (0..writers)
            .map(|_| {
                let (sender, receiver) = mpsc::channel(capacity);
                tokio::spawn(write_batches(db.clone(), limit, receiver));
                sender
            })
            .collect();
        Intake { senders }
    }

    /// The queue of the workspace at `slug`.
    fn queue(&self, slug: &str) -> &mpsc::Sender<Job> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(slug);
        let index = usize::try_from(hash % self.senders.len() as u64).unwrap_or(0);
        &self.senders[index]
    }
}

/// A writer: takes what has queued, writes it, answers; until every door is gone. It keeps
/// one connection of the request pool for as long as that connection works: a batch then
/// pays neither for taking a connection from the pool nor for the pool's check that it is
/// alive (a round trip). A connection that fails is let go; the next batch takes another.
async fn write_batches(db: db::PgPool, limit: Limit, mut queue: mpsc::Receiver<Job>) {
    let mut held = None;
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        if queue.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            return;
        }
        let connection = match held.take() {
            Some(connection) => connection,
            None => match db.acquire().await {
                Ok(connection) => connection,
                Err(e) => {
                    let error = Error::from(db::Error::from(e));
                    fail_all(jobs.into_iter().map(|job| job.answer), &error);
                    continue;
                }
            },
        };
        held = write_batch(connection, limit, jobs).await;
    }
}

/// A connection the writer keeps.
type Connection = db::sqlx::pool::PoolConnection<db::sqlx::Postgres>;

/// Admits a batch and writes the leads of those let through in one statement and one
/// transaction, then answers each request. A batch that fails that way (one bad lead fails
/// it, and nothing of it stays) is taken again in two steps, so that one bad lead fails
/// alone. Gives the connection back unless the database could not be reached on it.
async fn write_batch(mut db: Connection, limit: Limit, jobs: Vec<Job>) -> Option<Connection> {
    metrics::histogram!("hcrm_intake_batch_leads").record(jobs.len() as f64);
    let (items, senders): (Vec<Item>, Vec<_>) =
        jobs.into_iter().map(|job| (job.item, job.answer)).unzip();
    match db::intake::receive(&mut db, &items, limit.count, limit.window).await {
        Ok(answers) => {
            answer_each(senders, answers);
            Some(db)
        }
        Err(e) if e.is_unavailable() || items.len() == 1 => {
            let reachable = !e.is_unavailable();
            fail_all(senders, &Error::from(e));
            reachable.then_some(db)
        }
        Err(e) => {
            tracing::warn!(error = ?e, leads = items.len(), "a batch of leads failed: taking it again in two steps");
            write_in_two_steps(db, limit, items, senders).await
        }
    }
}

/// Where one request's answer goes.
type Sender = oneshot::Sender<Result<Answer, Error>>;

/// Answers each of these requests with its answer, in order.
fn answer_each(senders: Vec<Sender>, answers: Vec<Answer>) {
    for (sender, answer) in senders.into_iter().zip(answers) {
        let _ = sender.send(Ok(answer));
    }
}

/// Answers each of these requests with `error`.
fn fail_all(senders: impl IntoIterator<Item = Sender>, error: &Error) {
    for sender in senders {
        let _ = sender.send(Err(error.clone()));
    }
}

/// Admits a batch (a statement and transaction of its own), then writes the leads of those
/// let through in one transaction, or one lead at a time if that fails, and answers each
/// request. Gives the connection back unless the database could not be reached on it.
async fn write_in_two_steps(
    mut db: Connection,
    limit: Limit,
    items: Vec<Item>,
    senders: Vec<Sender>,
) -> Option<Connection> {
    let mut reachable = true;
    let mut failed = |e: db::Error| {
        reachable &= !e.is_unavailable();
        Error::from(e)
    };
    let admissions = match db::intake::admit(&mut db, &items, limit.count, limit.window).await {
        Ok(admissions) => admissions,
        Err(e) => {
            fail_all(senders, &failed(e));
            return reachable.then_some(db);
        }
    };
    let mut to_store = Vec::new();
    let mut storing = Vec::new();
    for ((sender, item), admission) in senders.into_iter().zip(&items).zip(admissions) {
        match admission {
            Admission::Answered(answer) => {
                let _ = sender.send(Ok(answer));
            }
            Admission::Admitted(to) => {
                to_store.push((item, to));
                storing.push(sender);
            }
        }
    }
    if storing.is_empty() {
        return Some(db);
    }
    match db::intake::store(&mut db, &to_store).await {
        Ok(answers) => answer_each(storing, answers),
        Err(e) if e.is_unavailable() || storing.len() == 1 => {
            fail_all(storing, &failed(e));
        }
        Err(e) => {
            tracing::warn!(error = ?e, leads = storing.len(), "a batch of leads failed: writing them one by one");
            for (sender, alone) in storing.into_iter().zip(&to_store) {
                let answer = match db::intake::store(&mut db, std::slice::from_ref(alone)).await {
                    Ok(mut answers) => answers.pop().ok_or(Error::Internal),
                    Err(e) => Err(failed(e)),
                };
                let _ = sender.send(answer);
            }
        }
    }
    reachable.then_some(db)
}

/// An `Idempotency-Key` and the hash of the request body it came with.
#[derive(Clone, Debug)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: [u8; 32],
}

/// A request to the intake API, as the HTTP door read it.
#[derive(Debug)]
pub struct Request {
    /// The workspace its host names.
    pub slug: String,
    /// The key it presented, if it has the shape of one.
    pub key: Option<ApiKey>,
    pub idempotency: Option<Idempotency>,
    /// The lead; `None` to check the workspace, the key and the rate only (the door refuses
    /// the body, but may say so only once those let the request through).
    pub lead: Option<NewLead>,
}

/// What became of a request that got through.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The lead was stored (or its idempotency key's first answer is replayed).
    Stored(Receipt),
    /// The checks let it through; there was no lead to store.
    Admitted,
}

/// The answer to a request that got through.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub status: u16,
    pub body: Value,
    /// The answer repeats the first request with the same idempotency key.
    pub replayed: bool,
}

/// Receives one request: queued, written with whatever else arrived meanwhile, answered
/// after the commit.
pub async fn receive(p: &Platform, request: Request) -> Result<Outcome, Error> {
    let Request {
        slug,
        key,
        idempotency,
        lead,
    } = request;
    let item = Item {
        slug,
        // A key of the wrong shape matches no workspace's: the batch still says whether
        // the workspace exists (404) before it says the key is wrong (401).
        key_hash: key.map_or([0; 32], |k| k.hash()),
        id: Uuid::now_v7(),
        idempotency: idempotency.map(|i| (i.key, i.request_hash)),
        lead,
    };
    let (answer, answered) = oneshot::channel();
    p.intake
        .queue(&item.slug)
        .try_send(Job { item, answer })
        .map_err(|_| {
            tracing::warn!("the intake queue is full");
            Error::Unavailable
        })?;
    let answer = answered.await.map_err(|_| Error::Unavailable)??;
    outcome(answer)
}

/// What became of a request, from what its batch said of it.
fn outcome(answer: Answer) -> Result<Outcome, Error> {
    let stored = |replayed| {
        Ok(Outcome::Stored(Receipt {
            status: answer.status,
            body: answer.body.clone().unwrap_or(Value::Null),
            replayed,
        }))
    };
    match answer.code.as_str() {
        "created" => {
            metrics::counter!("hcrm_leads_received_total").increment(1);
            // Debug: at intake's rate, one line a lead would be most of the log.
            tracing::debug!(lead = ?answer.body, "lead received");
            stored(false)
        }
        "replayed" => stored(true),
        "admitted" => Ok(Outcome::Admitted),
        "not_found" => Err(Error::NotFound(
            "There is no workspace at this address.".into(),
        )),
        "invalid_api_key" => Err(Error::Unauthorized(
            "The API key is missing or not valid for this workspace.".into(),
        )),
        "tenant_pending" => Err(Error::Forbidden {
            code: "tenant_pending",
            message: "This workspace is awaiting approval and cannot receive leads yet.".into(),
        }),
        "tenant_suspended" => Err(Error::Forbidden {
            code: "tenant_suspended",
            message: "This workspace is suspended and cannot receive leads.".into(),
        }),
        "rate_limited" => Err(refused(
            Scope::Intake,
            "Too many leads from this workspace's key. Slow down and retry.",
            answer.wait.max(Duration::from_secs(1)),
        )),
        "no_active_stage" => Err(Error::Invalid {
            code: "no_active_stage",
            message: "This workspace's pipeline has no active stage to receive leads.".into(),
            fields: Default::default(),
        }),
        "idempotency_in_progress" => Err(Error::Conflict {
            code: "idempotency_in_progress",
            message:
                "A request with this Idempotency-Key is still being handled. Retry in a moment."
                    .into(),
        }),
        "idempotency_key_reused" => Err(Error::Invalid {
            code: "idempotency_key_reused",
            message: "This Idempotency-Key was already used for a different request.".into(),
            fields: [(
                "Idempotency-Key".to_owned(),
                "Use a new key for a different lead.".to_owned(),
            )]
            .into(),
        }),
        other => {
            tracing::error!(code = other, "the intake batch answered an unknown code");
            Err(Error::Internal)
        }
    }
}
