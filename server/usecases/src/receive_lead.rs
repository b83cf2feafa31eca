//! Receiving a lead from a workspace's website through the intake API (`docs/product.md`,
//! "Lead intake"). The HTTP door checks, cheapest first: the key ([`authenticate`]), the
//! workspace's status and rate ([`admit`]), then the body's type and size, then parses the
//! lead and calls [`receive`].

use db::{idempotency::Claim, tenants::ResolvedTenant};
use domain::{ApiKey, NewLead, TenantStatus};
use serde_json::{Value, json};

use crate::{Actor, Error, Platform, actor::audit};

/// The answer to a missing, malformed, unknown, rotated or other workspace's key: alike.
fn invalid_key() -> Error {
    Error::Unauthorized("The API key is missing or not valid for this workspace.".into())
}

/// Checks the key presented to `tenant`'s intake. Its shape is checked before any look-up.
pub async fn authenticate(
    p: &Platform,
    tenant: &ResolvedTenant,
    presented: Option<&str>,
) -> Result<(), Error> {
    let key = presented
        .and_then(|k| ApiKey::parse(k).ok())
        .ok_or_else(invalid_key)?;
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let matches = db::tenants::check_api_key(&mut tx, &key).await?;
    tx.commit().await?;
    if matches { Ok(()) } else { Err(invalid_key()) }
}

/// Whether `tenant` takes leads right now: only an active workspace does, and within its
/// rate.
pub async fn admit(p: &Platform, tenant: &ResolvedTenant) -> Result<(), Error> {
    if !tenant.status.accepts_intake() {
        return Err(match tenant.status {
            TenantStatus::Pending => Error::Forbidden {
                code: "tenant_pending",
                message: "This workspace is awaiting approval and cannot receive leads yet.".into(),
            },
            _ => Error::Forbidden {
                code: "tenant_suspended",
                message: "This workspace is suspended and cannot receive leads.".into(),
            },
        });
    }
    p.limits.count_intake(&p.db.app, tenant.id.0).await
}

/// An `Idempotency-Key` and the hash of the request body it came with.
#[derive(Clone, Debug)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: [u8; 32],
}

/// What intake answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub status: u16,
    pub body: Value,
    /// The answer repeats the first request with the same idempotency key.
    pub replayed: bool,
}

/// Stores `lead` in the workspace's first active stage. With an idempotency key, the first
/// answer for that key is replayed instead for 24 hours; a retry while the first is still
/// in flight is told so at once.
pub async fn receive(
    p: &Platform,
    tenant: &ResolvedTenant,
    lead: &NewLead,
    idempotency: Option<&Idempotency>,
) -> Result<Receipt, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    if let Some(idempotency) = idempotency {
        match db::idempotency::claim(
            &mut tx,
            tenant.id,
            &idempotency.key,
            &idempotency.request_hash,
        )
        .await?
        {
            Claim::New => {}
            Claim::Replay { status, body } => {
                return Ok(Receipt {
                    status,
                    body,
                    replayed: true,
                });
            }
            Claim::Mismatch => {
                return Err(Error::Invalid {
                    code: "idempotency_key_reused",
                    message: "This Idempotency-Key was already used for a different request."
                        .into(),
                    fields: [(
                        "Idempotency-Key".to_owned(),
                        "Use a new key for a different lead.".to_owned(),
                    )]
                    .into(),
                });
            }
            Claim::InProgress => {
                return Err(Error::Conflict {
                    code: "idempotency_in_progress",
                    message: "A request with this Idempotency-Key is still being handled. Retry in a moment.".into(),
                });
            }
        }
    }
    let Some(stage) = db::stages::first_active(&mut tx).await? else {
        return Err(Error::Invalid {
            code: "no_active_stage",
            message: "This workspace's pipeline has no active stage to receive leads.".into(),
            fields: Default::default(),
        });
    };
    let id = db::leads::insert(&mut tx, tenant.id, stage.id, lead).await?;
    let answer = json!({ "id": id, "stage": stage.name });
    if let Some(idempotency) = idempotency {
        db::idempotency::complete(&mut tx, &idempotency.key, 201, &answer).await?;
    }
    audit(
        &mut tx,
        Some(tenant.id),
        &Actor::Api,
        "lead.received",
        json!({ "lead_id": id, "stage": stage.name, "source": lead.source }),
    )
    .await?;
    tx.commit().await?;
    metrics::counter!("hcrm_leads_received_total").increment(1);
    tracing::info!(lead = %id, "lead received");
    Ok(Receipt {
        status: 201,
        body: answer,
        replayed: false,
    })
}
