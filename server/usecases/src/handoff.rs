//! The sign-in hand-off from a signup on the apex to the new workspace's host, which works
//! once, for 60 seconds, and only in the browser that signed up (`docs/security.md`,
//! "Signup hand-off"). The door (`server/src/http/handoff.rs`) carries the secrets in
//! cookies; the steps are here.

use db::UserId;
use db::tenants::ResolvedTenant;
use domain::Token;

use crate::{Error, Platform, secrets};

/// Step 2, on the workspace host: binds the link to a fresh secret for this browser's
/// cookie there. `None` if the link is unknown, used, expired or already bound.
pub async fn bind(
    p: &Platform,
    tenant: &ResolvedTenant,
    link: &Token,
) -> Result<Option<Token>, Error> {
    if !tenant.status.can_sign_in() {
        return Ok(None);
    }
    let nonce = secrets::new_token();
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let bound = db::handoffs::bind(&mut tx, &link.hash(), &nonce.hash()).await?;
    tx.commit().await?;
    Ok(bound.then_some(nonce))
}

/// What step 3 is told about step 2's secret: its hash, as a link-safe value.
pub fn nonce_proof(nonce: &Token) -> Token {
    Token::from_bytes(nonce.hash())
}

/// Step 3, on the apex: confirms the link for the browser holding the signup's secret and
/// the proof of step 2's secret.
pub async fn confirm(
    p: &Platform,
    link: &Token,
    browser_secret: &Token,
    proof: &Token,
) -> Result<bool, Error> {
    let Some(proof) = proof.bytes() else {
        return Ok(false);
    };
    Ok(db::handoffs::confirm(&p.db.app, &link.hash(), &browser_secret.hash(), &proof).await?)
}

/// Step 4, on the workspace host: spends a confirmed link for the browser holding step 2's
/// secret; the person to sign in, or `None`.
pub async fn finish(
    p: &Platform,
    tenant: &ResolvedTenant,
    link: &Token,
    nonce: &Token,
) -> Result<Option<UserId>, Error> {
    if !tenant.status.can_sign_in() {
        return Ok(None);
    }
    let mut tx = db::begin_tenant(&p.db.app, tenant.id).await?;
    let user = db::handoffs::consume(&mut tx, &link.hash(), &nonce.hash()).await?;
    if let Some(user) = user {
        db::members::touch_sign_in(&mut tx, user).await?;
    }
    tx.commit().await?;
    Ok(user)
}
