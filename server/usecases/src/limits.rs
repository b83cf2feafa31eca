//! Rate limits (`docs/product.md`, "Limits"): signups and live checks per client network,
//! lead intake per tenant, in memory (GCRA, via governor); password checks per account are
//! counted in Postgres (`db::password_attempts`), so that they hold across processes and
//! restarts.

use std::{
    fmt,
    hash::Hash,
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
    str::FromStr,
    time::Duration,
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use uuid::Uuid;

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
        let window = window.trim();
        let (amount, unit) = window.split_at(window.len().saturating_sub(1));
        let amount: u64 = if amount.is_empty() {
            Ok(1)
        } else {
            amount.parse()
        }
        .map_err(|_| invalid())?;
        let seconds = match unit {
            "s" => amount,
            "m" => amount * 60,
            "h" => amount * 3600,
            "d" => amount * 86_400,
            _ => return Err(invalid()),
        };
        if count == 0 || seconds == 0 {
            return Err(invalid());
        }
        Ok(Limit {
            count,
            window: Duration::from_secs(seconds),
        })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.count, self.window.as_secs())
    }
}

/// A limit applied per key: `count` at once, then refilling evenly over `window`.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    pub limit: Limit,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(limit: Limit) -> KeyedLimiter<K> {
        let burst = NonZeroU32::new(limit.count).unwrap_or(NonZeroU32::MIN);
        let period = limit.window / limit.count.max(1);
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        KeyedLimiter {
            limiter: RateLimiter::keyed(quota),
            limit,
        }
    }

    /// Counts one event for `key`; `Err(wait)` if it is over the limit.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets keys that are back to full allowance (memory housekeeping).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

impl<K: Hash + Eq + Clone> fmt::Debug for KeyedLimiter<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyedLimiter({})", self.limit)
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

/// All the platform's limits.
#[derive(Debug)]
pub struct Limits {
    /// Signups and workspace-list emails per client network.
    pub signup: KeyedLimiter<IpAddr>,
    /// Live checks (availability, password strength, find a workspace) per client network.
    pub check: KeyedLimiter<IpAddr>,
    pub intake: KeyedLimiter<Uuid>,
    /// Password checks per account that did not succeed (counted in Postgres).
    pub login: Limit,
    /// Password reset links asked for, per address.
    pub reset_account: KeyedLimiter<String>,
    /// Password reset links asked for, per client network.
    pub reset_network: KeyedLimiter<IpAddr>,
    /// Invite emails per address per workspace (counted in Postgres).
    pub invite: Limit,
    /// Invite emails per workspace (counted in Postgres).
    pub invite_daily: Limit,
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

impl Limits {
    pub fn new(settings: LimitSettings) -> Limits {
        Limits {
            signup: KeyedLimiter::new(settings.signup),
            check: KeyedLimiter::new(settings.check),
            intake: KeyedLimiter::new(settings.intake),
            login: settings.login,
            reset_account: KeyedLimiter::new(settings.reset),
            reset_network: KeyedLimiter::new(settings.reset),
            invite: settings.invite,
            invite_daily: settings.invite_daily,
        }
    }

    /// Counts one request for a reset link, for `email` from `client`'s network.
    pub fn count_reset(&self, client: Option<IpAddr>, email: &str) -> Result<(), Error> {
        count(
            &self.reset_network,
            client,
            "Too many reset requests from your network.",
        )?;
        self.reset_account.check(&email.to_owned()).map_err(|wait| {
            Error::rate_limited("Too many reset links asked for this address.", wait)
        })
    }

    /// Counts one live check (availability, password strength, find a workspace) from
    /// `client`'s network.
    pub fn count_check(&self, client: Option<IpAddr>) -> Result<(), Error> {
        count(&self.check, client, "Too many checks from your network.")
    }

    /// Counts one signup, or one request for a workspace list, from `client`'s network;
    /// `what` starts the refusal ("Too many signups from your network.").
    pub fn count_signup(&self, client: Option<IpAddr>, what: &str) -> Result<(), Error> {
        count(&self.signup, client, what)
    }

    pub fn forget_idle(&self) {
        self.signup.forget_idle();
        self.check.forget_idle();
        self.intake.forget_idle();
        self.reset_account.forget_idle();
        self.reset_network.forget_idle();
    }
}

/// Counts one event of an unknown client against nobody: without an address (a test
/// harness, a Unix socket) there is no network to hold to account.
fn count(limiter: &KeyedLimiter<IpAddr>, client: Option<IpAddr>, what: &str) -> Result<(), Error> {
    match client.map(|ip| limiter.check(&client_key(ip))) {
        Some(Err(wait)) => Err(Error::rate_limited(what, wait)),
        _ => Ok(()),
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
    fn the_limiter_allows_the_burst_then_refuses() {
        let limiter = KeyedLimiter::new("3/15m".parse().unwrap());
        let key: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(&key).is_ok());
        }
        let wait = limiter.check(&key).unwrap_err();
        assert!(
            wait > Duration::from_secs(200),
            "waits for a refill, got {wait:?}"
        );
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(
            limiter.check(&other).is_ok(),
            "another key has its own allowance"
        );
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
