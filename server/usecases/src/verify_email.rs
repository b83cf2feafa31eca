//! Following an email verification link.

use db::{tenants::ResolvedTenant, verifications::Verification};
use domain::{Token, welcome::VerifyOutcome};

use crate::{Error, Platform};

/// Spends the verification link `token` of `tenant`.
pub async fn confirm(
    p: &Platform,
    tenant: &ResolvedTenant,
    token: &Token,
) -> Result<VerifyOutcome, Error> {
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let outcome = db::verifications::consume(&mut tx, token).await?;
    tx.commit().await?;
    Ok(match outcome {
        Verification::Verified => VerifyOutcome::Verified,
        Verification::AlreadyUsed => VerifyOutcome::AlreadyUsed,
        Verification::Expired => VerifyOutcome::Expired,
        Verification::Unknown => VerifyOutcome::Invalid,
    })
}
