//! Lead intake in batches (`docs/benchmarks.md`, "Intake"): the requests that arrived
//! together are admitted (workspace, key, status, rate) and their leads written in one
//! transaction, with one call of `intake_receive`, which keeps every rule and answer of the
//! intake API.

use std::time::Duration;

use domain::NewLead;
use sqlx::PgPool;
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

/// Admits `items` under the intake limit of `count` per `window` per workspace, and writes
/// the leads of those that get through: one statement, so one transaction. The answers, in
/// the order of `items`.
pub async fn write(
    db: &PgPool,
    items: &[Item],
    count: u32,
    window: Duration,
) -> Result<Vec<Answer>, Error> {
    fn column<T>(items: &[Item], f: impl Fn(&Item) -> T) -> Vec<T> {
        items.iter().map(f).collect()
    }
    fn lead_column(items: &[Item], f: impl Fn(&NewLead) -> Option<String>) -> Vec<Option<String>> {
        items.iter().map(|i| i.lead.as_ref().and_then(&f)).collect()
    }
    let rows = sqlx::query!(
        r#"select n as "n!", status as "status!", code as "code!", body, wait as "wait!"
           from intake_receive($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                               $15, $16)"#,
        &column(items, |i| i.slug.clone()),
        &column(items, |i| i.key_hash.to_vec()),
        &column(items, |i| i.lead.is_some()),
        &column(items, |i| i.id),
        &column(items, |i| i
            .idempotency
            .as_ref()
            .map(|(key, _)| key.clone())) as &[Option<String>],
        &column(items, |i| i
            .idempotency
            .as_ref()
            .map_or_else(Vec::new, |(_, hash)| hash.to_vec())),
        &lead_column(items, |l| l.first_name.clone()) as &[Option<String>],
        &lead_column(items, |l| l.last_name.clone()) as &[Option<String>],
        &lead_column(items, |l| l.email.as_ref().map(|e| e.as_str().to_owned()))
            as &[Option<String>],
        &lead_column(items, |l| l.phone.clone()) as &[Option<String>],
        &lead_column(items, |l| l.company.clone()) as &[Option<String>],
        &lead_column(items, |l| l.source.clone()) as &[Option<String>],
        &lead_column(items, |l| l.message.clone()) as &[Option<String>],
        &column(items, |i| i
            .lead
            .as_ref()
            .map(|lead| serde_json::Value::Object(lead.extra.clone())))
            as &[Option<serde_json::Value>],
        i32::try_from(count).unwrap_or(i32::MAX),
        window.as_secs_f64(),
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
                    wait: Duration::from_secs_f64(row.wait.max(0.0)),
                },
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    placed(items.len(), answers)
}

/// The answers of the batch, placed by their 1-based `n`.
fn placed(len: usize, rows: impl IntoIterator<Item = (i32, Answer)>) -> Result<Vec<Answer>, Error> {
    let mut answers: Vec<Option<Answer>> = vec![None; len];
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
