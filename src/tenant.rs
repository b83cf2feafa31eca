//! Workspace lifecycle and membership roles.

use std::fmt;
use std::str::FromStr;

/// Where a workspace is in its lifecycle.
///
/// ```text
/// pending ──approve──▶ active ──suspend──▶ suspended
///    │                   ▲                    │
///    └──reject──▶ rejected └────reactivate────┘
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    /// Signed up, waiting for staff review.
    Pending,
    /// Approved and in use.
    Active,
    /// Turned off by staff; can be reactivated.
    Suspended,
    /// Refused at review; final.
    Rejected,
}

/// A staff decision that moves a workspace between statuses.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusAction {
    /// Pending → active.
    Approve,
    /// Pending → rejected.
    Reject,
    /// Active → suspended.
    Suspend,
    /// Suspended → active.
    Reactivate,
}

/// A status change that the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Can't {action} a workspace that is {from}.")]
pub struct TransitionError {
    /// The status the workspace was in.
    pub from: TenantStatus,
    /// The action that was attempted.
    pub action: StatusAction,
}

/// A status, action or role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown value “{0}”.")]
pub struct UnknownName(pub String);

impl TenantStatus {
    /// Every status, for listings and tests.
    pub const ALL: [TenantStatus; 4] = [
        TenantStatus::Pending,
        TenantStatus::Active,
        TenantStatus::Suspended,
        TenantStatus::Rejected,
    ];

    /// The lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Pending => "pending",
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
            TenantStatus::Rejected => "rejected",
        }
    }

    /// The status after `action`, or an error if the lifecycle forbids it.
    pub fn apply(self, action: StatusAction) -> Result<TenantStatus, TransitionError> {
        use StatusAction::*;
        use TenantStatus::*;
        match (self, action) {
            (Pending, Approve) => Ok(Active),
            (Pending, Reject) => Ok(Rejected),
            (Active, Suspend) => Ok(Suspended),
            (Suspended, Reactivate) => Ok(Active),
            (from, action) => Err(TransitionError { from, action }),
        }
    }

    /// Whether members may sign in (a pending workspace's admin can sign in to
    /// see that it is waiting for review).
    pub fn can_sign_in(self) -> bool {
        matches!(self, TenantStatus::Pending | TenantStatus::Active)
    }

    /// Whether the lead intake API accepts leads.
    pub fn accepts_intake(self) -> bool {
        self == TenantStatus::Active
    }

    /// Why a workspace in this status cannot be used, if it cannot: the sentence its
    /// splash, sign-in and invite pages show.
    pub fn closed_message(self) -> Option<&'static str> {
        match self {
            TenantStatus::Suspended => Some("This workspace is suspended."),
            TenantStatus::Rejected => Some("This workspace's signup was not approved."),
            TenantStatus::Pending | TenantStatus::Active => None,
        }
    }
}

impl StatusAction {
    /// Every action, for listings and tests.
    pub const ALL: [StatusAction; 4] = [
        StatusAction::Approve,
        StatusAction::Reject,
        StatusAction::Suspend,
        StatusAction::Reactivate,
    ];

    /// The lower-case name used in forms and audit logs.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Approve => "approve",
            StatusAction::Reject => "reject",
            StatusAction::Suspend => "suspend",
            StatusAction::Reactivate => "reactivate",
        }
    }
}

/// What a member may do inside a workspace.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages settings, members and API keys.
    Admin,
    /// Works with leads.
    Member,
}

impl Role {
    /// Every role, for listings and tests.
    pub const ALL: [Role; 2] = [Role::Admin, Role::Member];

    /// The lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

/// What reaching a pipeline stage means for a lead.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageType {
    /// Still being worked on; new leads land in the first one.
    Active,
    /// Became a customer.
    Won,
    /// Will not become one.
    Lost,
}

impl StageType {
    /// Every type, for listings and tests.
    pub const ALL: [StageType; 3] = [StageType::Active, StageType::Won, StageType::Lost];

    /// The lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            StageType::Active => "active",
            StageType::Won => "won",
            StageType::Lost => "lost",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            StageType::Active => "Active",
            StageType::Won => "Won",
            StageType::Lost => "Lost",
        }
    }
}

/// Implements `Display` and `FromStr` through `as_str` and the `ALL` list.
macro_rules! named_enum {
    ($ty:ty) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            /// Parses the exact lower-case name.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName(s.to_owned()))
            }
        }
    };
}

named_enum!(TenantStatus);
named_enum!(StatusAction);
named_enum!(Role);
named_enum!(StageType);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approving_a_pending_workspace_makes_it_active() {
        assert_eq!(
            TenantStatus::Pending.apply(StatusAction::Approve),
            Ok(TenantStatus::Active)
        );
    }

    #[test]
    fn rejecting_a_pending_workspace_makes_it_rejected() {
        assert_eq!(
            TenantStatus::Pending.apply(StatusAction::Reject),
            Ok(TenantStatus::Rejected)
        );
    }

    #[test]
    fn suspending_an_active_workspace_makes_it_suspended() {
        assert_eq!(
            TenantStatus::Active.apply(StatusAction::Suspend),
            Ok(TenantStatus::Suspended)
        );
    }

    #[test]
    fn reactivating_a_suspended_workspace_makes_it_active() {
        assert_eq!(
            TenantStatus::Suspended.apply(StatusAction::Reactivate),
            Ok(TenantStatus::Active)
        );
    }

    #[test]
    fn every_other_transition_is_refused() {
        let allowed = [
            (TenantStatus::Pending, StatusAction::Approve),
            (TenantStatus::Pending, StatusAction::Reject),
            (TenantStatus::Active, StatusAction::Suspend),
            (TenantStatus::Suspended, StatusAction::Reactivate),
        ];
        for from in TenantStatus::ALL {
            for action in StatusAction::ALL {
                if !allowed.contains(&(from, action)) {
                    assert_eq!(from.apply(action), Err(TransitionError { from, action }));
                }
            }
        }
    }

    #[test]
    fn a_refused_transition_explains_itself() {
        let error = TenantStatus::Active
            .apply(StatusAction::Approve)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Can't approve a workspace that is active."
        );
    }

    #[test]
    fn pending_and_active_workspaces_can_sign_in() {
        let can: Vec<_> = TenantStatus::ALL
            .into_iter()
            .filter(|s| s.can_sign_in())
            .collect();
        assert_eq!(can, [TenantStatus::Pending, TenantStatus::Active]);
    }

    #[test]
    fn only_active_workspaces_accept_intake() {
        for status in TenantStatus::ALL {
            assert_eq!(status.accepts_intake(), status == TenantStatus::Active);
        }
    }

    #[test]
    fn suspended_and_rejected_workspaces_say_why_they_are_closed() {
        assert_eq!(
            TenantStatus::Suspended.closed_message(),
            Some("This workspace is suspended.")
        );
        assert_eq!(
            TenantStatus::Rejected.closed_message(),
            Some("This workspace's signup was not approved.")
        );
        assert_eq!(TenantStatus::Pending.closed_message(), None);
        assert_eq!(TenantStatus::Active.closed_message(), None);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in TenantStatus::ALL {
            assert_eq!(status.as_str().parse::<TenantStatus>(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<TenantStatus>(&json).unwrap(), status);
        }
    }

    #[test]
    fn actions_round_trip_through_their_names() {
        for action in StatusAction::ALL {
            assert_eq!(action.as_str().parse::<StatusAction>(), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert_eq!(Role::Admin.as_str(), "admin");
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(
            "Active".parse::<TenantStatus>(),
            Err(UnknownName("Active".to_owned()))
        );
        assert!("owner".parse::<Role>().is_err());
        assert!("delete".parse::<StatusAction>().is_err());
    }
}
