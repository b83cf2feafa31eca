//! Lead intake in batches (`docs/benchmarks.md`, "Intake"): the requests that arrived
//! together are admitted (workspace, key, status, rate) with one call of `intake_admit`,
//! then the leads of those let through are written in one transaction with one call of
//! `intake_batch`. The two keep every rule and answer of the intake API.

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

/// Writes the leads of admitted items in one transaction, with one call of
/// `intake_batch`: the idempotency claims, the leads and one audit entry per workspace.
/// Each item comes with its admission's workspace and stage. The answers, in that order.
pub async fn store(
    db: &mut PgConnection,
    admitted: &[(&Item, Destination)],
) -> Result<Vec<Answer>, Error> {
    fn column<T>(admitted: &[(&Item, Destination)], f: impl Fn(&Item) -> T) -> Vec<T> {
        admitted.iter().map(|(item, _)| f(item)).collect()
    }
    fn lead_column(
        admitted: &[(&Item, Destination)],
        f: impl Fn(&NewLead) -> Option<String>,
    ) -> Vec<Option<String>> {
        column(admitted, |i| i.lead.as_ref().and_then(&f))
    }
    fn destination<T>(admitted: &[(&Item, Destination)], f: impl Fn(&Destination) -> T) -> Vec<T> {
        admitted.iter().map(|(_, to)| f(to)).collect()
    }
    let rows = sqlx::query!(
        r#"select n as "n!", status as "status!", code as "code!", body
           from intake_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"#,
        &destination(admitted, |to| to.tenant),
        &destination(admitted, |to| to.stage_id) as &[Option<Uuid>],
        &destination(admitted, |to| to.stage.clone()) as &[Option<String>],
        &column(admitted, |i| i.id),
        &column(admitted, |i| i
            .idempotency
            .as_ref()
            .map(|(key, _)| key.clone())) as &[Option<String>],
        &column(admitted, |i| i
            .idempotency
            .as_ref()
            .map_or_else(Vec::new, |(_, hash)| hash.to_vec())),
        &lead_column(admitted, |l| l.first_name.clone()) as &[Option<String>],
        &lead_column(admitted, |l| l.last_name.clone()) as &[Option<String>],
        &lead_column(admitted, |l| l
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())) as &[Option<String>],
        &lead_column(admitted, |l| l.phone.clone()) as &[Option<String>],
        &lead_column(admitted, |l| l.company.clone()) as &[Option<String>],
        &lead_column(admitted, |l| l.source.clone()) as &[Option<String>],
        &lead_column(admitted, |l| l.message.clone()) as &[Option<String>],
        &column(admitted, |i| i
            .lead
            .as_ref()
            .map(|lead| serde_json::Value::Object(lead.extra.clone())))
            as &[Option<serde_json::Value>],
    )
    .fetch_all(db)
    .await?;
    let answers = rows
        .into_iter()
        .map(|row| {
            Ok((
                row.n,
                Answer {
                    status: status(row.status)?,
                    code: row.code,
                    body: row.body,
                    wait: Duration::ZERO,
                },
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    placed(admitted.len(), answers)
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
