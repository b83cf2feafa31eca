use std::{net::IpAddr, sync::Arc, time::Duration};

use domain::Links;

use crate::{dns::Dns, limits::Limits, receive_lead::Intake, sealing::SealingKey};

/// What every use case runs against: the database, the site's addresses, the rate limits,
/// the behaviour switches, the key that seals secrets, and the intake queue. One per
/// process, shared by every door.
#[derive(Clone, Debug)]
pub struct Platform {
    pub db: db::Database,
    pub links: Links,
    pub limits: Arc<Limits>,
    pub settings: Arc<Settings>,
    pub sealing_key: SealingKey,
    /// This instance's queue of leads to write (`receive_lead`).
    pub intake: Intake,
    /// Where custom domains' TXT records are looked up.
    pub dns: Dns,
    /// Identity providers' metadata, kept a while (`sso`).
    pub providers: crate::sso::Providers,
}

/// Behaviour switches read from the environment (README, "Configuration").
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// New self-service workspaces start `active` rather than `pending`.
    pub auto_approve_signups: bool,
    /// Serve the outbox at `/__dev/mail`.
    pub dev_mail: bool,
    /// How many proxies in front of the server append to `X-Forwarded-For` (0: none; the
    /// client is the socket's peer).
    pub trusted_proxies: usize,
    /// Served over https: secure cookies, HSTS.
    pub https: bool,
    /// Staff must turn two-factor on before any console page but their account opens.
    pub staff_two_factor_required: bool,
    /// Custom domains.
    pub domains: DomainSettings,
    /// Single sign-on may talk to identity providers on private and loopback addresses
    /// (`SSO_ALLOW_PRIVATE`: tests, and providers on the same network).
    pub sso_allow_private: bool,
}

/// Custom domains' switches (`docs/domains.md`).
#[derive(Clone, Debug)]
pub struct DomainSettings {
    /// The most domains one workspace may have (`DOMAIN_LIMIT`).
    pub limit: usize,
    /// How often a verified domain's record is looked up again (`DOMAIN_RECHECK`).
    pub recheck: Duration,
    /// The edge's addresses, for the A/AAAA records of an apex domain (`EDGE_ADDRESSES`).
    pub edge_addresses: Vec<IpAddr>,
}

impl Default for DomainSettings {
    fn default() -> DomainSettings {
        DomainSettings {
            limit: 3,
            recheck: Duration::from_secs(24 * 60 * 60),
            edge_addresses: Vec::new(),
        }
    }
}
