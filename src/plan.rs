//! Plans and their seat limits (`docs/product.md`, "Plans").

use std::{fmt, str::FromStr};

use crate::UnknownName;

/// What a workspace pays for. A new workspace starts on [`Plan::Free`].
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    #[default]
    Free,
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    /// Every plan, cheapest first.
    pub const ALL: [Plan; 4] = [
        Plan::Free,
        Plan::Starter,
        Plan::Professional,
        Plan::Enterprise,
    ];

    /// The lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Starter => "starter",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    /// The name people read, e.g. "Professional".
    pub fn label(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Starter => "Starter",
            Plan::Professional => "Professional",
            Plan::Enterprise => "Enterprise",
        }
    }

    /// Seats (members plus pending invites) the plan includes; `None`: unlimited.
    pub fn seats(self) -> Option<u32> {
        match self {
            Plan::Free => Some(5),
            Plan::Starter => Some(10),
            Plan::Professional => Some(50),
            Plan::Enterprise => None,
        }
    }
}

/// A workspace's seat limit: staff's own `max_users` if set, else the plan's.
pub fn seat_limit(plan: Plan, max_users: Option<u32>) -> Option<u32> {
    max_users.or(plan.seats())
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Plan {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Plan, UnknownName> {
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_plan_has_its_seats() {
        let seats: Vec<_> = Plan::ALL.into_iter().map(Plan::seats).collect();
        assert_eq!(seats, [Some(5), Some(10), Some(50), None]);
        assert_eq!(Plan::default(), Plan::Free);
    }

    #[test]
    fn staff_can_set_the_limit_by_hand() {
        assert_eq!(seat_limit(Plan::Free, None), Some(5));
        assert_eq!(seat_limit(Plan::Free, Some(12)), Some(12));
        assert_eq!(seat_limit(Plan::Enterprise, Some(3)), Some(3));
    }

    #[test]
    fn plans_round_trip_through_their_names() {
        for plan in Plan::ALL {
            assert_eq!(plan.as_str().parse::<Plan>(), Ok(plan));
        }
        assert!("gold".parse::<Plan>().is_err());
    }
}
