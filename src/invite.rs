//! Invitations to join a workspace, as the invite page shows them.

use serde::{Deserialize, Serialize};

use crate::Role;

/// What an invite link leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteView {
    /// Can be accepted. `has_account`: the address already has a verified HREF CRM account,
    /// whose password proves it is the same person. An account that never verified its
    /// email does not count: the invite's own link proves the address (`docs/product.md`).
    Open {
        email: String,
        role: Role,
        has_account: bool,
    },
    Accepted,
    Revoked,
    Expired,
    /// No such invite here (or a malformed link).
    NotFound,
    /// The workspace is suspended or was not approved: the sentence to show.
    WorkspaceClosed(String),
}
