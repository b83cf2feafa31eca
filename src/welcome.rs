//! A new workspace's first steps: the welcome page and email verification.

use serde::{Deserialize, Serialize};

use crate::TenantStatus;

/// What the welcome page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub workspace: String,
    pub status: TenantStatus,
    pub workspace_url: String,
    pub email: String,
    pub email_verified: bool,
    /// The API key, on the first view after signup only (it is never stored in clear).
    pub api_key: Option<String>,
    pub intake_url: String,
    pub has_leads: bool,
}

/// What following a verification link did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyOutcome {
    Verified,
    AlreadyUsed,
    Expired,
    Invalid,
}
