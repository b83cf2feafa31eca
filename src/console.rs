//! What the staff console's pages show (`docs/console.md`). Times arrive as text, already
//! written for people; keyset cursors arrive as opaque text for the page's links.

use serde::{Deserialize, Serialize};

use crate::{Plan, TenantStatus};

/// Who is signed in to the console, or how far they got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffState {
    SignedOut,
    /// The password was right; the two-factor code is still to come.
    NeedsCode,
    SignedIn {
        email: String,
    },
}

/// `/admin`: the tenant list, its filter counts and the approval queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantList {
    pub rows: Vec<TenantListRow>,
    /// Tenants matching the search, per status (every status, in order), and in all.
    pub counts: Vec<(TenantStatus, i64)>,
    pub total: i64,
    /// Cursors for the Previous and Next links, when there is such a page.
    pub previous: Option<String>,
    pub next: Option<String>,
    pub queue: ApprovalQueue,
}

/// One tenant in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantListRow {
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub plan: Plan,
    pub admin_email: Option<String>,
    pub admin_verified: bool,
    pub members: i64,
    pub leads_this_month: i64,
    pub created: String,
    /// How long it has existed ("3 days"), for the approval queue.
    pub age: String,
}

/// The oldest pending tenants, and how many are pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalQueue {
    pub pending: i64,
    pub oldest: Vec<QueuedTenant>,
}

/// A tenant waiting for approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedTenant {
    pub slug: String,
    pub name: String,
    pub admin_email: Option<String>,
    pub admin_verified: bool,
    /// "2 hours", "3 days".
    pub waiting: String,
}

/// `/admin/tenants/<slug>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantPage {
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub status_reason: Option<String>,
    pub plan: Plan,
    /// The hand-set seat limit, if any.
    pub max_users: Option<u32>,
    /// The limit that applies (`None`: unlimited).
    pub seat_limit: Option<u32>,
    pub created: String,
    pub splash_url: String,
    /// Its custom domains and their states.
    pub domains: Vec<ConsoleDomain>,
    /// Its single sign-on provider's issuer and whether SSO is required, if it has one.
    pub sso: Option<(String, bool)>,
    pub history: Vec<HistoryEntry>,
    pub members: Vec<ConsoleMember>,
    pub invites: Vec<ConsoleInvite>,
    pub leads_this_month: i64,
    pub leads_total: i64,
    pub last_lead: Option<String>,
    pub api_key_prefix: String,
    pub api_key_created: String,
    pub api_key_last_used: Option<String>,
}

/// A workspace's custom domain, as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleDomain {
    pub hostname: String,
    /// Pending, Verified or Failed.
    pub state: String,
    pub primary: bool,
}

/// One step of a tenant's life: who, when, what, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleMember {
    pub name: String,
    pub email: String,
    pub role: String,
    pub verified: bool,
    pub joined: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleInvite {
    pub email: String,
    pub role: String,
    pub sent: String,
    pub expires: String,
}

/// `/admin/audit`: one page of entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub newer: Option<String>,
    pub older: Option<String>,
}

/// An audit entry: time, actor, action, subject (and what changed, never a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// `/admin/outbox`: one page of emails and the counts per state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub emails: Vec<OutboxEmail>,
    /// Invites of workspaces awaiting approval, sent once approved.
    pub held: i64,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub newer: Option<String>,
    pub older: Option<String>,
}

/// An email as staff see it: who, what and when; never its body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEmail {
    pub id: uuid::Uuid,
    pub to: String,
    pub subject: String,
    pub tenant: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created: String,
    /// When it went out, or when the next attempt is due, or when it was given up.
    pub when: String,
}

/// `/admin/account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub email: String,
    pub two_factor: TwoFactor,
    /// The platform requires two-factor of every staff member (it cannot be turned off,
    /// and the console waits until it is on).
    pub two_factor_required: bool,
}

/// Where two-factor stands for a staff account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TwoFactor {
    On,
    /// Being set up: the secret (base32) and its QR code (SVG), until a correct code
    /// turns it on.
    SettingUp {
        secret: String,
        qr_svg: String,
    },
}

/// What the console's Provision form made, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionResult {
    pub slug: String,
    pub name: String,
    pub tenant_id: String,
    pub api_key: String,
    pub splash_url: String,
    pub invite_url: String,
    pub intake_url: String,
    /// The block the CLI prints, word for word.
    pub summary: String,
}

/// A staff account as `/admin/staff` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub email: String,
    pub two_factor_on: bool,
    pub disabled: bool,
    /// Sessions alive now.
    pub sessions: i64,
}

/// How the staff sign-in answers for a locked account; the sign-in form then asks for the
/// two-factor code with the password.
pub const STAFF_LOCKED: &str = "This account is locked after too many sign-in attempts. If two-factor is on, enter your password with the code your app shows.";
