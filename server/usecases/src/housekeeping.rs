//! Housekeeping: what expires is swept (sessions, password attempts, idempotency keys,
//! hand-off, verification and reset links, invite email records, idle rate-limit keys).

use crate::Platform;

/// Runs every sweep once, logging what each removed.
pub async fn sweep(p: &Platform) {
    let owner = &p.db.owner;
    let results = [
        (
            "expired sessions",
            db::sessions::delete_expired(owner).await,
        ),
        (
            "old password attempts",
            db::password_attempts::delete_old(owner).await,
        ),
        (
            "expired idempotency keys",
            db::idempotency::delete_expired(owner).await,
        ),
        (
            "expired hand-off links",
            db::handoffs::delete_expired(owner).await,
        ),
        (
            "expired verification links",
            db::verifications::delete_expired(owner).await,
        ),
        (
            "expired reset links",
            db::password_resets::delete_expired(owner).await,
        ),
        (
            "expired staff sessions",
            db::staff_sessions::delete_expired(owner).await,
        ),
        (
            "old invite email records",
            db::invite_emails::delete_old(owner).await,
        ),
        (
            "rate-limit keys back to full allowance",
            db::rate_limits::delete_idle(owner).await,
        ),
    ];
    for (what, result) in results {
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "housekeeping: {what}"),
            Err(e) => tracing::warn!(error = ?e, "housekeeping failed: {what}"),
        }
    }
}
