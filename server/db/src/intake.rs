//! Lead intake in batches (`docs/benchmarks.md`, "Intake"): the requests that arrived
//! together are admitted (workspace, key, status, rate) with `intake_admit`, and the leads
//! of those let through are written with `intake_batch`: both in one statement
//! ([`receive`]), or, for a batch that failed that way, as two ([`admit`], then [`store`]).
//! They keep every rule and answer of the intake API.

use std::time::Duration;

use domain::NewLead;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::Error;

/// One request to the intake API, as the batch takes it.
#[derive(Clone, Debug)]
pub struct Item {
    /// The workspace the request's host names.
    pub slug: String,
    /// The SHA-256 of the API key it presented.
    pub key_hash: [u8; 32],
    /// The new lead's id, made beforehand so that its answer is known before the insert.
    pub id: Uuid,
    /// Its `Idempotency-Key`, and the SHA-256 of its body.
    pub idempotency: Option<(String, [u8; 32])>,
    /// The lead to store, or `None` to check the key, the workspace and its rate only (the
    /// request's body is refused, and only after those checks may the caller say why).
    pub lead: Option<NewLead>,
}

/// What the batch answered for one item.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// `created`, `replayed`, `admitted`, or the error's code.
    pub code: String,
    /// The stored answer (`{"id", "stage"}`) for `created` and `replayed`.
    pub body: Option<serde_json::Value>,
    /// How long to wait, for `rate_limited`.
    pub wait: Duration,
}

/// What admission made of one item.
#[derive(Clone, Debug, PartialEq)]
pub enum Admission {
    /// Its answer is known: refused (no such workspace, not its key, the workspace's
    /// status, its rate), or let through with no lead to store (`admitted`).
    Answered(Answer),
    /// Let through, with where its lead goes.
    Admitted(Destination),
}

/// Where an admitted lead goes: its workspace, at its first active stage (none if the
/// workspace has no active stage).
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    pub tenant: Uuid,
    pub stage_id: Option<Uuid>,
    pub stage: Option<String>,
}

/// Admits `items` under the intake limit of `count` per `window` per workspace: the
/// workspace, the key, the workspace's status and its rate, each exact at this moment.
/// One statement in its own transaction, which writes only the unlogged rate cells (and a
/// key's last use, once a minute): its commit waits for no disk, and it holds no lock that
/// the writing of another batch would wait on. The answers, in the order of `items`.
pub async fn admit(
    db: &mut PgConnection,
    items: &[Item],
    count: u32,
    window: Duration,
) -> Result<Vec<Admission>, Error> {
    let slugs: Vec<String> = items.iter().map(|i| i.slug.clone()).collect();
    let key_hashes: Vec<Vec<u8>> = items.iter().map(|i| i.key_hash.to_vec()).collect();
    let rows = sqlx::query!(
        r#"select n as "n!", status as "status!", code as "code!", wait as "wait!",
                  tenant_id, stage_id, stage
           from intake_admit($1, $2, $3, $4)"#,
        &slugs,
        &key_hashes,
        i32::try_from(count).unwrap_or(i32::MAX),
        window.as_secs_f64(),
    )
    .fetch_all(db)
    .await?;
    let admissions = rows
        .into_iter()
        .map(|row| {
            let stores = usize::try_from(row.n - 1)
                .ok()
                .and_then(|n| items.get(n))
                .is_some_and(|item| item.lead.is_some());
            let admission = match (row.code.as_str(), row.tenant_id) {
                ("ok", Some(tenant)) if stores => Admission::Admitted(Destination {
                    tenant,
                    stage_id: row.stage_id,
                    stage: row.stage,
                }),
                (code, _) => Admission::Answered(Answer {
                    status: status(row.status)?,
                    code: if code == "ok" { "admitted" } else { code }.to_owned(),
                    body: None,
                    wait: Duration::from_secs_f64(row.wait.max(0.0)),
                }),
            };
            Ok((row.n, admission))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    placed(items.len(), admissions)
}

/// Admits `items` and writes the leads of those let through, in one statement and one
/// transaction: `intake_admit`, then `intake_batch` on the items it let through that have
/// a lead. One round trip instead of the two of [`admit`] and [`store`]. If the statement
/// fails (one bad lead fails the batch), nothing of it stays, not even its count against
/// the rate: the caller can take the batch again in two steps. The answers, in the order
/// of `items`.
pub async fn receive(
    db: &mut PgConnection,
    items: &[Item],
    count: u32,
    window: Duration,
) -> Result<Vec<Answer>, Error> {
    let slugs: Vec<String> = items.iter().map(|i| i.slug.clone()).collect();
    let key_hashes: Vec<Vec<u8>> = items.iter().map(|i| i.key_hash.to_vec()).collect();
    let stores: Vec<bool> = items.iter().map(|i| i.lead.is_some()).collect();
    let c = Columns::of(items.iter());
    // `intake_batch` takes the batch's arrays as they came, and skips the items whose
    // workspace is null: those not let through, and those without a lead to write.
    let rows = sqlx::query!(
        r#"with admitted as materialized (
             select a.*, a.code = 'ok' and ($5::boolean[])[a.n] as stores
             from intake_admit($1, $2, $3, $4) a
           ),
           written as materialized (
             select * from intake_batch(
               array(select case when a.stores then a.tenant_id end from admitted a
                     order by a.n),
               array(select a.stage_id from admitted a order by a.n),
               array(select a.stage from admitted a order by a.n),
               $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           )
           select a.n as "n!", a.status as "status!",
                  (case when a.code = 'ok' then 'admitted' else a.code end) as "code!",
                  a.wait as "wait!", null::jsonb as body
           from admitted a where not a.stores
           union all
           select w.n, w.status, w.code, 0::float8, w.body
           from written w"#,
        &slugs,
        &key_hashes,
        i32::try_from(count).unwrap_or(i32::MAX),
        window.as_secs_f64(),
        &stores,
        &c.ids,
        &c.keys as &[Option<String>],
        &c.request_hashes,
        &c.first_names as &[Option<String>],
        &c.last_names as &[Option<String>],
        &c.emails as &[Option<String>],
        &c.phones as &[Option<String>],
        &c.companies as &[Option<String>],
        &c.sources as &[Option<String>],
        &c.messages as &[Option<String>],
        &c.extras as &[Option<serde_json::Value>],
    )
    .fetch_all(db)
    .await?;
    let rows = rows
        .into_iter()
        .map(|row| (row.n, row.status, row.code, row.body, row.wait));
    answers(items.len(), rows)
}

/// Writes the leads of admitted items in one transaction, with one call of
/// `intake_batch`: the idempotency claims, the leads and one audit entry per workspace.
/// Each item comes with its admission's workspace and stage. The answers, in that order.
pub async fn store(
    db: &mut PgConnection,
    admitted: &[(&Item, Destination)],
) -> Result<Vec<Answer>, Error> {
    fn destination<T>(admitted: &[(&Item, Destination)], f: impl Fn(&Destination) -> T) -> Vec<T> {
        admitted.iter().map(|(_, to)| f(to)).collect()
    }
    let c = Columns::of(admitted.iter().map(|(item, _)| *item));
    let rows = sqlx::query!(
        r#"select n as "n!", status as "status!", code as "code!", body
           from intake_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"#,
        &destination(admitted, |to| to.tenant),
        &destination(admitted, |to| to.stage_id) as &[Option<Uuid>],
        &destination(admitted, |to| to.stage.clone()) as &[Option<String>],
        &c.ids,
        &c.keys as &[Option<String>],
        &c.request_hashes,
        &c.first_names as &[Option<String>],
        &c.last_names as &[Option<String>],
        &c.emails as &[Option<String>],
        &c.phones as &[Option<String>],
        &c.companies as &[Option<String>],
        &c.sources as &[Option<String>],
        &c.messages as &[Option<String>],
        &c.extras as &[Option<serde_json::Value>],
    )
    .fetch_all(db)
    .await?;
    let rows = rows
        .into_iter()
        .map(|row| (row.n, row.status, row.code, row.body, 0.0));
    answers(admitted.len(), rows)
}

/// A batch's answers, placed by `n`, from its rows: (n, status, code, body, seconds to
/// wait).
fn answers(
    len: usize,
    rows: impl Iterator<Item = (i32, i32, String, Option<serde_json::Value>, f64)>,
) -> Result<Vec<Answer>, Error> {
    let answers = rows
        .map(|(n, code_status, code, body, wait)| {
            let answer = Answer {
                status: status(code_status)?,
                code,
                body,
                wait: Duration::from_secs_f64(wait.max(0.0)),
            };
            Ok((n, answer))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    placed(len, answers)
}

/// Items as the arrays `intake_batch` takes, one element per item: its id, idempotency
/// key and body hash (empty without a key), and its lead's fields (null without a lead).
struct Columns {
    ids: Vec<Uuid>,
    keys: Vec<Option<String>>,
    request_hashes: Vec<Vec<u8>>,
    first_names: Vec<Option<String>>,
    last_names: Vec<Option<String>>,
    emails: Vec<Option<String>>,
    phones: Vec<Option<String>>,
    companies: Vec<Option<String>>,
    sources: Vec<Option<String>>,
    messages: Vec<Option<String>>,
    extras: Vec<Option<serde_json::Value>>,
}

impl Columns {
    fn of<'a>(items: impl Iterator<Item = &'a Item>) -> Columns {
        let items: Vec<&Item> = items.collect();
        let lead = |f: fn(&NewLead) -> Option<String>| -> Vec<Option<String>> {
            items.iter().map(|i| i.lead.as_ref().and_then(f)).collect()
        };
        Columns {
            ids: items.iter().map(|i| i.id).collect(),
            keys: items
                .iter()
                .map(|i| i.idempotency.as_ref().map(|(key, _)| key.clone()))
                .collect(),
            request_hashes: items
                .iter()
                .map(|i| {
                    i.idempotency
                        .as_ref()
                        .map_or_else(Vec::new, |(_, hash)| hash.to_vec())
                })
                .collect(),
            first_names: lead(|l| l.first_name.clone()),
            last_names: lead(|l| l.last_name.clone()),
            emails: lead(|l| l.email.as_ref().map(|e| e.as_str().to_owned())),
            phones: lead(|l| l.phone.clone()),
            companies: lead(|l| l.company.clone()),
            sources: lead(|l| l.source.clone()),
            messages: lead(|l| l.message.clone()),
            extras: items
                .iter()
                .map(|i| {
                    i.lead
                        .as_ref()
                        .map(|lead| serde_json::Value::Object(lead.extra.clone()))
                })
                .collect(),
        }
    }
}

/// A batch's answers, placed by their 1-based `n`.
fn placed<T: Clone>(len: usize, rows: impl IntoIterator<Item = (i32, T)>) -> Result<Vec<T>, Error> {
    let mut answers: Vec<Option<T>> = vec![None; len];
    for (n, answer) in rows {
        let slot = usize::try_from(n - 1)
            .ok()
            .and_then(|n| answers.get_mut(n))
            .ok_or_else(|| Error::Data(format!("intake answer for item {n}")))?;
        *slot = Some(answer);
    }
    answers
        .into_iter()
        .enumerate()
        .map(|(n, answer)| {
            answer.ok_or_else(|| Error::Data(format!("no intake answer for item {n}")))
        })
        .collect()
}

fn status(status: i32) -> Result<u16, Error> {
    u16::try_from(status).map_err(|_| Error::Data(format!("intake status {status}")))
}
