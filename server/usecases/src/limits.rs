//! Rate limits (`docs/product.md`, "Limits"): signups and live checks per client network,
//! lead intake per workspace, reset links per address and network, all counted in Postgres
//! (`db::rate_limits`), as are password checks (`db::password_attempts`) and invite emails
//! (`db::invite_emails`): every limit holds across instances and restarts.

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
    str::FromStr,
    time::Duration,
};

use db::PgPool;

use crate::Error;

/// A limit of `count` events per `window`, written `N/window` as in `5/15m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub count: u32,
    pub window: Duration,
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(input: &str) -> Result<Limit, String> {
        let invalid = || format!("{input:?} is not a limit like 5/15m (units s, m, h, d)");
        let (count, window) = input.trim().split_once('/').ok_or_else(invalid)?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        let seconds = parse_period(window).ok_or_else(invalid)?.as_secs();
        if count == 0 || seconds == 0 {
            return Err(invalid());
        }
        Ok(Limit {
            count,
            window: Duration::from_secs(seconds),
        })
    }
}

/// A period written as a number and a unit (`s`, `m`, `h`, `d`): `15m`, `1d`; a unit alone
/// is one of it (`h`).
pub fn parse_period(input: &str) -> Option<Duration> {
    let input = input.trim();
    let (amount, unit) = input.split_at(input.len().saturating_sub(1));
    let amount: u64 = if amount.is_empty() {
        1
    } else {
        amount.parse().ok()?
    };
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    amount.checked_mul(unit).map(Duration::from_secs)
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.count, self.window.as_secs())
    }
}

/// Every limit's setting (README, "Configuration").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitSettings {
    pub signup: Limit,
    pub check: Limit,
    pub login: Limit,
    pub intake: Limit,
    pub reset: Limit,
    /// Invite emails per address per workspace.
    pub invite: Limit,
    /// Invite emails per workspace.
    pub invite_daily: Limit,
}

impl Default for LimitSettings {
    fn default() -> LimitSettings {
        let limit = |count, secs| Limit {
            count,
            window: Duration::from_secs(secs),
        };
        LimitSettings {
            signup: limit(5, 15 * 60),
            check: limit(60, 60),
            login: limit(10, 15 * 60),
            intake: limit(120, 60),
            reset: limit(5, 3600),
            invite: limit(3, 3600),
            invite_daily: limit(50, 86_400),
        }
    }
}

/// What a limit is about: the name of its scope in `rate_limits`, and the `limit` label of
/// `hcrm_rate_limited_total` (docs/operations.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Signups and workspace-list emails, per client network.
    Signup,
    /// Live checks (availability, password strength, find a workspace), per client network.
    Check,
    /// Leads, per workspace (counted by the intake batch itself, `receive_lead`).
    Intake,
    /// Reset links asked for, per address.
    ResetAccount,
    /// Reset links asked for, per client network.
    ResetNetwork,
    /// Password checks, per account or client network (`password_attempts`).
    Login,
    /// Invite emails, per address or workspace (`invite_emails`).
    Invite,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Signup => "signup",
            Scope::Check => "check",
            Scope::Intake => "intake",
            Scope::ResetAccount => "reset_account",
            Scope::ResetNetwork => "reset_network",
            Scope::Login => "login",
            Scope::Invite => "invite",
        }
    }
}

/// A refusal by `scope`'s limit: counted for the operators, told to the person as `what`
/// and when to try again.
pub fn refused(scope: Scope, what: &str, wait: Duration) -> Error {
    metrics::counter!("hcrm_rate_limited_total", "limit" => scope.as_str()).increment(1);
    Error::rate_limited(what, wait)
}

/// All the platform's limits. Each is counted in Postgres (`db::rate_limits`, GCRA: a burst
/// of `count`, refilling evenly over the window), so that it is one limit however many
/// instances of the server run, and a restart does not forget it.
#[derive(Debug)]
pub struct Limits {
    pub signup: Limit,
    pub check: Limit,
    pub intake: Limit,
    /// Password checks per account that did not succeed (counted in `password_attempts`).
    pub login: Limit,
    pub reset: Limit,
    /// Invite emails per address per workspace (counted in `invite_emails`).
    pub invite: Limit,
    /// Invite emails per workspace (counted in `invite_emails`).
    pub invite_daily: Limit,
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Limits {
        Limits {
            signup: settings.signup,
            check: settings.check,
            intake: settings.intake,
            login: settings.login,
            reset: settings.reset,
            invite: settings.invite,
            invite_daily: settings.invite_daily,
        }
    }

    /// Counts one request for a reset link, for `email` from `client`'s network.
    pub async fn count_reset(
        &self,
        db: &PgPool,
        client: Option<IpAddr>,
        email: &str,
    ) -> Result<(), Error> {
        count_network(
            db,
            Scope::ResetNetwork,
            self.reset,
            client,
            "Too many reset requests from your network.",
        )
        .await?;
        count(
            db,
            Scope::ResetAccount,
            self.reset,
            email,
            "Too many reset links asked for this address.",
        )
        .await
    }

    /// Counts one live check (availability, password strength, find a workspace) from
    /// `client`'s network.
    pub async fn count_check(&self, db: &PgPool, client: Option<IpAddr>) -> Result<(), Error> {
        count_network(
            db,
            Scope::Check,
            self.check,
            client,
            "Too many checks from your network.",
        )
        .await
    }

    /// Counts one signup, or one request for a workspace list, from `client`'s network;
    /// `what` starts the refusal ("Too many signups from your network.").
    pub async fn count_signup(
        &self,
        db: &PgPool,
        client: Option<IpAddr>,
        what: &str,
    ) -> Result<(), Error> {
        count_network(db, Scope::Signup, self.signup, client, what).await
    }
}

/// Counts one event for `key` against `limit`.
async fn count(
    db: &PgPool,
    scope: Scope,
    limit: Limit,
    key: &str,
    what: &str,
) -> Result<(), Error> {
    match db::rate_limits::take(db, scope.as_str(), key, limit.count, limit.window).await? {
        None => Ok(()),
        Some(wait) => Err(refused(scope, what, wait)),
    }
}

/// Counts one event of `client`'s network against `limit`. Without an address (a test
/// harness, a Unix socket) there is no network to hold to account.
async fn count_network(
    db: &PgPool,
    scope: Scope,
    limit: Limit,
    client: Option<IpAddr>,
    what: &str,
) -> Result<(), Error> {
    match client {
        Some(ip) => count(db, scope, limit, &client_key(ip).to_string(), what).await,
        None => Ok(()),
    }
}

/// The key a client's address is counted under: IPv4 addresses one by one, IPv6 addresses
/// by their /64, the block one subscriber usually gets (so a client cannot step around a
/// limit by changing the low bits of its address).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

/// "Try again in 3 minutes." — rounded up, in the largest sensible unit.
pub fn retry_phrase(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs < 60 {
        format!(
            "Try again in {secs} second{}.",
            if secs == 1 { "" } else { "s" }
        )
    } else {
        let minutes = secs.div_ceil(60);
        format!(
            "Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_reads_count_and_window() {
        assert_eq!(
            "5/15m".parse::<Limit>(),
            Ok(Limit {
                count: 5,
                window: Duration::from_secs(900)
            })
        );
        assert_eq!(
            "60/1m".parse::<Limit>().unwrap().window,
            Duration::from_secs(60)
        );
        assert_eq!(
            "10/h".parse::<Limit>().unwrap().window,
            Duration::from_secs(3600)
        );
        assert_eq!(
            "50/1d".parse::<Limit>().unwrap().window,
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn a_malformed_limit_is_refused() {
        for bad in ["", "5", "5/", "x/1m", "5/1w", "0/1m", "5/0m"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block_and_ipv4_one_by_one() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        assert_eq!(client_key(a), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), v4);
    }

    #[test]
    fn the_retry_phrase_rounds_up() {
        assert_eq!(
            retry_phrase(Duration::from_secs(1)),
            "Try again in 1 second."
        );
        assert_eq!(
            retry_phrase(Duration::from_secs(61)),
            "Try again in 2 minutes."
        );
    }
}
