//! A workspace's Settings, as its pages show them, and the branding form's rules.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{FieldErrors, Fields, HexColour, Plan, Role, StageType, Tagline, TenantName};

/// Settings → Branding: what is saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub name: String,
    pub tagline: String,
    pub colour: String,
    /// An uploaded logo's version (its ETag), if there is one: part of its address, so a
    /// new logo shows at once.
    pub logo: Option<String>,
}

/// What the branding form posts, as typed.
#[derive(Clone, Debug, Default)]
pub struct BrandingForm {
    pub name: String,
    pub tagline: String,
    /// The hex field.
    pub colour: String,
    /// The colour picker beside it.
    pub colour_picker: String,
    /// The colour the page was showing when the form was made.
    pub colour_was: String,
}

/// A branding form that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandingChange {
    pub name: TenantName,
    pub tagline: Tagline,
    pub colour: HexColour,
}

impl BrandingForm {
    /// Parses the form, every field's problem at once. The hex field and the picker are
    /// kept in step by the page's script; without it they may differ, and the one that was
    /// changed wins.
    pub fn parse(self) -> Result<BrandingChange, FieldErrors> {
        let mut fields = Fields::default();
        let name = fields.check("name", TenantName::parse(&self.name));
        let tagline = fields.check("tagline", Tagline::parse(&self.tagline));
        let was = self.colour_was.trim().to_ascii_lowercase();
        let hex = self.colour.trim().to_ascii_lowercase();
        let picked = self.colour_picker.trim().to_ascii_lowercase();
        let typed = if hex == was && !picked.is_empty() && picked != was {
            picked
        } else {
            hex
        };
        let colour = fields.check("colour", HexColour::parse(&typed));
        match (name, tagline, colour) {
            (Some(name), Some(tagline), Some(colour)) => Ok(BrandingChange {
                name,
                tagline,
                colour,
            }),
            _ => Err(fields.into_errors()),
        }
    }
}

/// Seats: members plus pending invites, against the plan's limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub plan: Plan,
    /// `None`: unlimited.
    pub limit: Option<u32>,
    pub members: u32,
    pub pending: u32,
}

impl Seats {
    /// Seats taken.
    pub fn used(&self) -> u32 {
        self.members + self.pending
    }

    /// Whether one more person can be invited.
    pub fn has_room(&self) -> bool {
        self.limit.is_none_or(|limit| self.used() < limit)
    }

    /// "3 of 5 seats used: 2 members and 1 pending invite."
    pub fn describe(&self) -> String {
        let people = format!(
            "{} member{} and {} pending invite{}",
            self.members,
            plural(self.members),
            self.pending,
            plural(self.pending)
        );
        match self.limit {
            Some(limit) => format!("{} of {limit} seats used: {people}.", self.used()),
            None => format!("{} seats used (unlimited): {people}.", self.used()),
        }
    }

    /// The refusal when the seats are all taken, naming the plan and the limit.
    pub fn full_message(&self) -> String {
        format!(
            "All {} seats of the {} plan are taken ({} member{} and {} pending invite{}). Revoke an invite or remove a member first, or ask HREF for a larger plan.",
            self.limit.unwrap_or_default(),
            self.plan.label(),
            self.members,
            plural(self.members),
            self.pending,
            plural(self.pending)
        )
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Settings → Team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<TeamMember>,
    pub invites: Vec<PendingInvite>,
    pub seats: Seats,
    /// The signed-in admin.
    pub you: Uuid,
    /// The workspace waits for HREF's approval: its invite emails wait with it.
    pub awaiting_approval: bool,
}

/// A member as Settings → Team lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined: String,
    pub last_sign_in: Option<String>,
}

/// A pending invite as Settings → Team lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvite {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub sent: String,
    pub expires: String,
    /// Its link no longer works; resending makes a new one.
    pub expired: bool,
}

/// Settings → Pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    pub stages: Vec<PipelineStage>,
}

/// A stage as Settings → Pipeline lists it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PipelineStage {
    pub id: Uuid,
    pub name: String,
    pub colour: String,
    pub stage_type: StageType,
    /// How many leads it holds.
    pub leads: i64,
}

/// Settings → API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    /// The key before the last rotation, while it still works.
    pub old_key: Option<OldKey>,
    /// The key just made, on the one view after a rotation.
    pub new_key: Option<String>,
    pub intake_url: String,
}

/// The previous key during a rotation's overlap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldKey {
    pub prefix: String,
    /// "23 hours", "12 minutes".
    pub expires_in: String,
}

/// Settings → Activity: one page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// The actions the filter offers: (action, label).
    pub actions: Vec<(String, String)>,
    /// Cursor of the newer page, if there is one.
    pub newer: Option<String>,
    /// Cursor of the older page, if there is one.
    pub older: Option<String>,
}

/// One audit entry as people read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
}

/// Settings → Usage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub seats: Seats,
    pub leads_this_month: i64,
    pub leads_total: i64,
    pub last_lead: Option<String>,
}

/// What a password reset link leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetView {
    Open { email: String },
    Used,
    Expired,
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(colour: &str, picker: &str, was: &str) -> BrandingForm {
        BrandingForm {
            name: "Acme".into(),
            tagline: String::new(),
            colour: colour.into(),
            colour_picker: picker.into(),
            colour_was: was.into(),
        }
    }

    #[test]
    fn the_changed_one_of_hex_field_and_picker_wins() {
        let picked = form("#2563eb", "#ff0000", "#2563eb").parse().unwrap();
        assert_eq!(picked.colour.as_str(), "#ff0000");
        let typed = form("#00ff00", "#2563eb", "#2563eb").parse().unwrap();
        assert_eq!(typed.colour.as_str(), "#00ff00");
        let both = form("#00ff00", "#ff0000", "#2563eb").parse().unwrap();
        assert_eq!(
            both.colour.as_str(),
            "#00ff00",
            "the typed field wins a tie"
        );
    }

    #[test]
    fn a_colour_that_is_no_hex_colour_is_refused_by_its_field() {
        let errors = form("red;}</style>", "#2563eb", "#2563eb")
            .parse()
            .unwrap_err();
        assert_eq!(errors["colour"], "Use a hex colour like #2563eb.");
    }

    #[test]
    fn seats_describe_themselves_and_say_when_they_are_full() {
        let seats = Seats {
            plan: Plan::Free,
            limit: Some(5),
            members: 3,
            pending: 2,
        };
        assert!(!seats.has_room());
        assert_eq!(
            seats.describe(),
            "5 of 5 seats used: 3 members and 2 pending invites."
        );
        assert!(
            seats
                .full_message()
                .contains("All 5 seats of the Free plan")
        );
        let unlimited = Seats {
            limit: None,
            ..seats
        };
        assert!(unlimited.has_room());
    }
}
