//! Configuration from the environment (README, "Configuration"): every variable optional.

use std::{
    env,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use domain::Links;
use usecases::{
    DomainSettings, Platform, Settings,
    dns::Dns,
    limits::{Limit, LimitSettings, Limits, parse_period},
    sealing::SealingKey,
};

/// Everything the server and the CLI read from the environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// The owner connection; `None` starts the embedded Postgres.
    pub database_url: Option<String>,
    /// The login for request traffic; `None` uses the `hcrm_app` role itself.
    pub app_database_url: Option<String>,
    pub app_domain: String,
    pub app_protocol: String,
    pub auto_approve_signups: bool,
    pub smtp_url: Option<String>,
    /// Delivery attempts before an email is marked failed (`OUTBOX_ATTEMPTS`, 1–50).
    pub outbox_attempts: i32,
    /// The sender of every email (`MAIL_FROM`).
    pub mail_from: String,
    pub dev_mail: bool,
    /// How many proxies in front of the server append to `X-Forwarded-For`.
    pub trusted_proxies: usize,
    /// The key that seals secrets kept in the database, with the variable it came from
    /// (`SEALING_KEY`, or its first name `OUTBOX_KEY`); unset: a key file in the data folder.
    pub sealing_key: Option<(&'static str, String)>,
    /// Where the embedded Postgres and the sealing key file live (`HCRM_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Staff must turn two-factor on before the console opens to them (`STAFF_TWO_FACTOR`).
    pub staff_two_factor_required: bool,
    /// Connections per pool (`DB_POOL_SIZE`, `DB_CONSOLE_POOL_SIZE`, `DB_OWNER_POOL_SIZE`).
    pub pool_sizes: db::PoolSizes,
    /// How long a stopping instance keeps serving while `/readyz` says it is going
    /// (`DRAIN_SECONDS`).
    pub drain: Duration,
    /// The bearer token that opens `GET /metrics` on the apex (`METRICS_TOKEN`); unset:
    /// no metrics.
    pub metrics_token: Option<String>,
    /// The intake queue's size and writers (`INTAKE_QUEUE`, `INTAKE_WRITERS`).
    pub intake_queue: usecases::receive_lead::QueueSettings,
    pub limits: LimitSettings,
    /// The DNS server custom domains' records are looked up at (`DNS_RESOLVER`); unset:
    /// the system's.
    pub dns_resolver: Option<SocketAddr>,
    /// Custom domains: `DOMAIN_LIMIT`, `DOMAIN_RECHECK`, `EDGE_ADDRESSES`.
    pub domains: DomainSettings,
    /// The bearer token that lets an edge off loopback ask `/internal/tls-ask`
    /// (`EDGE_TOKEN`).
    pub edge_token: Option<String>,
    /// Single sign-on may reach providers on private and loopback addresses
    /// (`SSO_ALLOW_PRIVATE`).
    pub sso_allow_private: bool,
}

impl Config {
    /// Reads the environment; an invalid value is an error naming the variable.
    pub fn from_env() -> Result<Config, String> {
        Config::from_lookup(|name| env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let flag = |name: &str| match lookup(name).as_deref().map(str::trim) {
            None | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(format!("{name} must be 0 or 1, not {other:?}")),
        };
        let limit = |name: &str, default: Limit| match lookup(name) {
            None => Ok(default),
            Some(text) => text.parse::<Limit>().map_err(|e| format!("{name}: {e}")),
        };
        let app_protocol = lookup("APP_PROTOCOL").unwrap_or_else(|| "http".into());
        if app_protocol != "http" && app_protocol != "https" {
            return Err(format!(
                "APP_PROTOCOL must be http or https, not {app_protocol:?}"
            ));
        }
        let app_domain = lookup("APP_DOMAIN")
            .unwrap_or_else(|| "localhost:3000".into())
            .trim()
            .to_lowercase();
        if app_domain.is_empty() || app_domain.contains('/') {
            return Err(format!(
                "APP_DOMAIN must be a host like example.com, not {app_domain:?}"
            ));
        }
        let auto_approve_signups = match lookup("SIGNUP_APPROVAL").as_deref() {
            None | Some("manual") => false,
            Some("auto") => true,
            Some(other) => {
                return Err(format!(
                    "SIGNUP_APPROVAL must be manual or auto, not {other:?}"
                ));
            }
        };
        let trusted_proxies = match lookup("TRUST_PROXY") {
            None => 0,
            Some(value) => value.trim().parse::<usize>().map_err(|_| {
                format!(
                    "TRUST_PROXY must be the number of trusted proxies (0, 1, 2, …), not {value:?}"
                )
            })?,
        };
        let data_dir = lookup("HCRM_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(db::embedded::default_data_dir);
        let mail_from = lookup("MAIL_FROM").unwrap_or_else(|| {
            let host = app_domain.split(':').next().unwrap_or("localhost");
            format!("HREF CRM <no-reply@{host}>")
        });
        let outbox_attempts = match lookup("OUTBOX_ATTEMPTS") {
            None => usecases::outbox::Backoff::default().max_attempts,
            Some(value) => match value.trim().parse::<i32>() {
                Ok(n) if (1..=50).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "OUTBOX_ATTEMPTS must be a number from 1 to 50, not {value:?}"
                    ));
                }
            },
        };
        let staff_two_factor_required = match lookup("STAFF_TWO_FACTOR").as_deref().map(str::trim) {
            None | Some("required") => true,
            Some("optional") => false,
            Some(other) => {
                return Err(format!(
                    "STAFF_TWO_FACTOR must be required or optional, not {other:?}"
                ));
            }
        };
        let sealing_key = lookup("SEALING_KEY")
            .map(|key| ("SEALING_KEY", key))
            .or_else(|| lookup("OUTBOX_KEY").map(|key| ("OUTBOX_KEY", key)));
        let defaults = LimitSettings::default();
        let number =
            |name: &str, default: u32, range: std::ops::RangeInclusive<u32>| match lookup(name) {
                None => Ok(default),
                Some(value) => match value.trim().parse::<u32>() {
                    Ok(n) if range.contains(&n) => Ok(n),
                    _ => Err(format!(
                        "{name} must be a number from {} to {}, not {value:?}",
                        range.start(),
                        range.end()
                    )),
                },
            };
        let pools = db::PoolSizes::default();
        let pool_sizes = db::PoolSizes {
            app: number("DB_POOL_SIZE", pools.app, 1..=1000)?,
            console: number("DB_CONSOLE_POOL_SIZE", pools.console, 1..=100)?,
            owner: number("DB_OWNER_POOL_SIZE", pools.owner, 2..=100)?,
        };
        let drain = Duration::from_secs(u64::from(number("DRAIN_SECONDS", 5, 0..=600)?));
        let metrics_token = lookup("METRICS_TOKEN").map(|t| t.trim().to_owned());
        let queue = usecases::receive_lead::QueueSettings::default();
        let intake_queue = usecases::receive_lead::QueueSettings {
            capacity: number("INTAKE_QUEUE", queue.capacity as u32, 1..=1_000_000)? as usize,
            writers: number("INTAKE_WRITERS", queue.writers as u32, 1..=64)? as usize,
        };
        // Each writer keeps one of the request pool's connections (usecases::receive_lead).
        if intake_queue.writers as u32 >= pool_sizes.app {
            return Err(format!(
                "INTAKE_WRITERS ({}) must be below DB_POOL_SIZE ({}): each writer keeps one \
                 of the request pool's connections",
                intake_queue.writers, pool_sizes.app
            ));
        }
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("METRICS_TOKEN must be at least 16 characters".into());
        }
        let edge_token = lookup("EDGE_TOKEN").map(|t| t.trim().to_owned());
        if edge_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("EDGE_TOKEN must be at least 16 characters".into());
        }
        let dns_resolver = match lookup("DNS_RESOLVER") {
            None => None,
            Some(value) => Some(value.trim().parse::<SocketAddr>().map_err(|_| {
                format!("DNS_RESOLVER must be an address and port like 127.0.0.1:53, not {value:?}")
            })?),
        };
        let domain_defaults = DomainSettings::default();
        let domains = DomainSettings {
            limit: number("DOMAIN_LIMIT", domain_defaults.limit as u32, 0..=100)? as usize,
            recheck: match lookup("DOMAIN_RECHECK") {
                None => domain_defaults.recheck,
                Some(value) => parse_period(&value)
                    .filter(|p| *p >= Duration::from_secs(1))
                    .ok_or_else(|| {
                        format!(
                            "DOMAIN_RECHECK must be a period like 1d, 12h or 30m, not {value:?}"
                        )
                    })?,
            },
            edge_addresses: match lookup("EDGE_ADDRESSES") {
                None => Vec::new(),
                Some(value) => value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        a.parse::<IpAddr>().map_err(|_| {
                            format!(
                                "EDGE_ADDRESSES must be IP addresses separated by commas, not {a:?}"
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            },
        };
        Ok(Config {
            database_url: lookup("DATABASE_URL"),
            app_database_url: lookup("APP_DATABASE_URL"),
            app_domain,
            app_protocol,
            auto_approve_signups,
            smtp_url: lookup("SMTP_URL"),
            outbox_attempts,
            mail_from,
            dev_mail: flag("DEV_MAIL")?,
            trusted_proxies,
            sealing_key,
            data_dir,
            staff_two_factor_required,
            pool_sizes,
            drain,
            metrics_token,
            intake_queue,
            dns_resolver,
            domains,
            edge_token,
            sso_allow_private: flag("SSO_ALLOW_PRIVATE")?,
            limits: LimitSettings {
                signup: limit("SIGNUP_LIMIT", defaults.signup)?,
                check: limit("CHECK_LIMIT", defaults.check)?,
                login: limit("LOGIN_LIMIT", defaults.login)?,
                intake: limit("INTAKE_LIMIT", defaults.intake)?,
                reset: limit("RESET_LIMIT", defaults.reset)?,
                invite: limit("INVITE_LIMIT", defaults.invite)?,
                invite_daily: limit("INVITE_DAILY_LIMIT", defaults.invite_daily)?,
            },
        })
    }

    pub fn links(&self) -> Links {
        Links::new(&self.app_protocol, &self.app_domain)
    }

    pub fn settings(&self) -> Settings {
        Settings {
            auto_approve_signups: self.auto_approve_signups,
            dev_mail: self.dev_mail,
            trusted_proxies: self.trusted_proxies,
            https: self.app_protocol == "https",
            staff_two_factor_required: self.staff_two_factor_required,
            domains: self.domains.clone(),
            sso_allow_private: self.sso_allow_private,
        }
    }

    pub fn limits(&self) -> Limits {
        Limits::new(self.limits)
    }

    /// The key that seals secrets kept in the database: `SEALING_KEY` (or `OUTBOX_KEY`),
    /// else `sealing.key` in the data folder (made on first use). A data folder from before
    /// the key had that name keeps its `outbox.key`.
    pub fn sealing_key(&self) -> Result<SealingKey, String> {
        let file = self.data_dir.join("sealing.key");
        let first_name = self.data_dir.join("outbox.key");
        let file = if !file.exists() && first_name.exists() {
            first_name
        } else {
            file
        };
        SealingKey::load(
            self.sealing_key
                .as_ref()
                .map(|(name, key)| (*name, key.as_str())),
            &file,
        )
    }

    /// The platform for this configuration on an open database (its intake writers start
    /// on the current runtime).
    pub fn platform(&self, db: db::Database) -> Result<Platform, String> {
        Ok(Platform {
            intake: usecases::receive_lead::Intake::start(
                db.app.clone(),
                self.limits.intake,
                self.intake_queue,
            ),
            db,
            links: self.links(),
            limits: Arc::new(self.limits()),
            settings: Arc::new(self.settings()),
            sealing_key: self.sealing_key()?,
            dns: Dns::new(self.dns_resolver)?,
            providers: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_gives_the_documented_defaults() {
        let config = config(&[]).unwrap();
        assert_eq!(config.app_domain, "localhost:3000");
        assert_eq!(config.app_protocol, "http");
        assert!(config.database_url.is_none());
        assert!(!config.auto_approve_signups && !config.dev_mail);
        assert_eq!(config.trusted_proxies, 0);
        assert_eq!(config.limits.signup.count, 5);
        assert_eq!(config.limits.check.count, 60);
        assert_eq!(config.limits.login.count, 10);
        assert_eq!(config.limits.invite, "3/1h".parse().unwrap());
        assert_eq!(config.limits.invite_daily, "50/1d".parse().unwrap());
        assert!(config.staff_two_factor_required);
        assert!(config.sealing_key.is_none());
        assert_eq!(config.domains.limit, 3);
        assert_eq!(config.domains.recheck, Duration::from_secs(86_400));
        assert!(config.dns_resolver.is_none() && config.edge_token.is_none());
        assert!(config.domains.edge_addresses.is_empty());
    }

    #[test]
    fn custom_domain_settings_are_read_and_bad_ones_named() {
        let read = config(&[
            ("DNS_RESOLVER", "127.0.0.1:8053"),
            ("DOMAIN_LIMIT", "10"),
            ("DOMAIN_RECHECK", "12h"),
            ("EDGE_ADDRESSES", "192.0.2.10, 2001:db8::10"),
            ("EDGE_TOKEN", "0123456789abcdef0123"),
        ])
        .unwrap();
        assert_eq!(read.dns_resolver, Some("127.0.0.1:8053".parse().unwrap()));
        assert_eq!(read.domains.limit, 10);
        assert_eq!(read.domains.recheck, Duration::from_secs(12 * 3600));
        assert_eq!(read.domains.edge_addresses.len(), 2);
        for (name, value) in [
            ("DNS_RESOLVER", "localhost"),
            ("DOMAIN_RECHECK", "daily"),
            ("EDGE_ADDRESSES", "edge.example"),
            ("EDGE_TOKEN", "short"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn the_sealing_key_has_a_new_name_and_the_old_one_still_works() {
        let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            config(&[("OUTBOX_KEY", key)]).unwrap().sealing_key,
            Some(("OUTBOX_KEY", key.to_owned()))
        );
        assert_eq!(
            config(&[("OUTBOX_KEY", "old"), ("SEALING_KEY", key)])
                .unwrap()
                .sealing_key,
            Some(("SEALING_KEY", key.to_owned()))
        );
    }

    #[test]
    fn intake_writers_leave_the_request_pool_connections_to_serve_pages() {
        assert!(config(&[("INTAKE_WRITERS", "4"), ("DB_POOL_SIZE", "5")]).is_ok());
        let error = config(&[("INTAKE_WRITERS", "4"), ("DB_POOL_SIZE", "4")]).unwrap_err();
        assert!(
            error.contains("INTAKE_WRITERS") && error.contains("DB_POOL_SIZE"),
            "{error}"
        );
    }

    #[test]
    fn staff_two_factor_is_required_or_optional() {
        assert!(
            !config(&[("STAFF_TWO_FACTOR", "optional")])
                .unwrap()
                .staff_two_factor_required
        );
        assert!(
            config(&[("STAFF_TWO_FACTOR", "off")])
                .unwrap_err()
                .contains("STAFF_TWO_FACTOR")
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        assert!(
            config(&[("DEV_MAIL", "yes")])
                .unwrap_err()
                .contains("DEV_MAIL")
        );
        assert!(
            config(&[("SIGNUP_APPROVAL", "maybe")])
                .unwrap_err()
                .contains("SIGNUP_APPROVAL")
        );
        assert!(
            config(&[("APP_PROTOCOL", "ftp")])
                .unwrap_err()
                .contains("APP_PROTOCOL")
        );
        assert!(
            config(&[("SIGNUP_LIMIT", "lots")])
                .unwrap_err()
                .contains("SIGNUP_LIMIT")
        );
    }

    #[test]
    fn trust_proxy_is_a_number_of_proxies() {
        assert_eq!(config(&[("TRUST_PROXY", "2")]).unwrap().trusted_proxies, 2);
        assert!(
            config(&[("TRUST_PROXY", "yes")])
                .unwrap_err()
                .contains("TRUST_PROXY")
        );
    }

    #[test]
    fn the_apex_is_lower_cased() {
        assert_eq!(
            config(&[("APP_DOMAIN", "Example.COM")]).unwrap().app_domain,
            "example.com"
        );
    }
}
