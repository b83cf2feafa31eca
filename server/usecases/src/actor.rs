//! Who did something, as the audit log records it.

use db::UserId;

/// The actor of an audited change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in member of the workspace.
    User(UserId),
    /// An HREF staff member, by email.
    Staff(String),
    /// The staff CLI.
    Cli,
    /// Self-service signup.
    Signup,
    /// The intake API, with the workspace's key.
    Api,
    /// The platform itself: a background job (a custom domain's re-check).
    System,
}

impl Actor {
    /// The name stored in `audit_log.actor`: `user:<id>`, `staff:<email>`, `cli`, `signup`,
    /// `api` or `system`.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::User(user) => format!("user:{user}"),
            Actor::Staff(email) => format!("staff:{email}"),
            Actor::Cli => "cli".to_owned(),
            Actor::Signup => "signup".to_owned(),
            Actor::Api => "api".to_owned(),
            Actor::System => "system".to_owned(),
        }
    }
}

/// Records one audit entry in `tx`.
pub(crate) async fn audit(
    tx: &mut db::Tx,
    tenant: Option<db::TenantId>,
    actor: &Actor,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), db::Error> {
    db::audit::record(tx, tenant, &actor.audit_name(), action, detail).await
}

/// The actor of a Settings change, who must be an admin of the workspace.
pub(crate) fn admin(member: &db::members::Member) -> Result<Actor, crate::Error> {
    if member.role == domain::Role::Admin {
        Ok(Actor::User(member.user_id))
    } else {
        Err(crate::Error::forbidden(
            "Only the workspace's admins can change its settings.",
        ))
    }
}
