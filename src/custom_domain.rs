//! A workspace's own domains (`crm.acme-law.com`): what may be added, the DNS records that
//! prove and route it, and its states (`docs/domains.md`).

use std::fmt;

/// A hostname a workspace may serve at: lower-case ASCII (IDNA-normalised), no port, no
/// trailing dot, not an IP address, not a public suffix, not under the platform's own domain.
/// `Deserialize` trusts its input (values this system wrote); parse what users type.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CustomDomain(String);

/// Why a domain was refused: the sentence shown beside the **Domain** field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("Enter a domain, such as crm.example.com.")]
    Empty,
    #[error("Enter the domain alone, without a port, a path or spaces (such as crm.example.com).")]
    NotAHostname,
    #[error("Enter a domain name: an IP address can't be verified.")]
    IpAddress,
    #[error("{0} is a public suffix, shared by many owners: enter a name under it.")]
    PublicSuffix(String),
    #[error("That is one of our own addresses: enter a domain of yours.")]
    Ours,
    #[error("A domain name has at most 253 characters.")]
    TooLong,
}

impl CustomDomain {
    /// Parses what a person typed. A scheme (`https://`), a trailing `/` or `.` and
    /// capitals are forgiven; international names become their ASCII form (`xn--…`).
    /// `apex_host` is the platform's apex (`APP_DOMAIN`, any port ignored): it and every
    /// name under it are ours.
    pub fn parse(input: &str, apex_host: &str) -> Result<CustomDomain, DomainError> {
        let trimmed = input.trim();
        let bare = ["https://", "http://"]
            .iter()
            .find_map(|scheme| {
                trimmed
                    .get(..scheme.len())
                    .filter(|head| head.eq_ignore_ascii_case(scheme))
                    .map(|_| &trimmed[scheme.len()..])
            })
            .unwrap_or(trimmed);
        let bare = bare.strip_suffix('/').unwrap_or(bare);
        let bare = bare.strip_suffix('.').unwrap_or(bare);
        if bare.is_empty() {
            return Err(DomainError::Empty);
        }
        if bare
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@' | ':' | '\\'))
        {
            // A colon is a port, or an IPv6 address: neither is a domain of its own.
            return Err(
                if bare.starts_with('[') || bare.parse::<std::net::IpAddr>().is_ok() {
                    DomainError::IpAddress
                } else {
                    DomainError::NotAHostname
                },
            );
        }
        let host = match url::Host::parse(bare) {
            Ok(url::Host::Domain(name)) => name,
            Ok(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => return Err(DomainError::IpAddress),
            Err(_) => return Err(DomainError::NotAHostname),
        };
        if host.len() > 253 {
            return Err(DomainError::TooLong);
        }
        let labels_ok = host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        if !labels_ok {
            return Err(DomainError::NotAHostname);
        }
        let apex = crate::links::host_without_port(apex_host).to_ascii_lowercase();
        if host == apex || host.ends_with(&format!(".{apex}")) {
            return Err(DomainError::Ours);
        }
        // The Public Suffix List, not "the last two labels": `co.uk` is a suffix,
        // `acme.co.uk` is somebody's.
        match psl::domain_str(&host) {
            Some(_) => Ok(CustomDomain(host)),
            None => Err(DomainError::PublicSuffix(host)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A hostname this system stored after parsing it.
    pub fn from_stored(value: String) -> CustomDomain {
        CustomDomain(value)
    }

    /// Whether this is a registrable domain itself (`acme-law.com`), which DNS lets point
    /// only by address records, not a name under one (`crm.acme-law.com`), which takes a
    /// CNAME.
    pub fn is_apex(&self) -> bool {
        psl::domain_str(&self.0) == Some(self.0.as_str())
    }

    /// The name of the TXT record that proves ownership.
    pub fn challenge_name(&self) -> String {
        format!("{CHALLENGE_LABEL}.{}", self.0)
    }
}

impl fmt::Display for CustomDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CustomDomain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The label under which the ownership record lives: `_hcrm-challenge.<domain>`.
pub const CHALLENGE_LABEL: &str = "_hcrm-challenge";

/// The TXT record's value for a domain's token: `hcrm-verify=<token>`.
pub fn challenge_value(token: &str) -> String {
    format!("hcrm-verify={token}")
}

/// Where a domain stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DomainState {
    /// Added; its TXT record not yet seen.
    Pending,
    /// Its TXT record was seen: requests for it reach the workspace, and the edge may get
    /// it a certificate.
    Verified,
    /// Its record went missing at three re-checks in a row: routing stopped until a
    /// **Verify** sees it again.
    Failed,
}

impl DomainState {
    /// The word the Domains page shows.
    pub fn label(self) -> &'static str {
        match self {
            DomainState::Pending => "Pending",
            DomainState::Verified => "Verified",
            DomainState::Failed => "Failed",
        }
    }

    /// The database's spelling.
    pub fn as_db(self) -> &'static str {
        match self {
            DomainState::Pending => "pending",
            DomainState::Verified => "verified",
            DomainState::Failed => "failed",
        }
    }

    pub fn from_db(value: &str) -> Option<DomainState> {
        match value {
            "pending" => Some(DomainState::Pending),
            "verified" => Some(DomainState::Verified),
            "failed" => Some(DomainState::Failed),
            _ => None,
        }
    }
}

/// What one look-up of a domain's TXT record found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TxtFinding {
    /// Our `hcrm-verify=<token>` is among the values.
    Ours,
    /// No TXT record at the name (or no such name).
    Missing,
    /// TXT records, none of them ours.
    NotOurs,
    /// The DNS server did not answer (timeout, refusal, failure): says nothing about the
    /// tenant's record.
    NoAnswer,
}

impl TxtFinding {
    /// What **Verify** tells the person, for `domain`.
    pub fn message(&self, domain: &CustomDomain) -> String {
        match self {
            TxtFinding::Ours => format!("{domain} is verified."),
            TxtFinding::Missing => format!(
                "Not verified yet: no TXT record at {}. DNS changes can take a few minutes to appear.",
                domain.challenge_name()
            ),
            TxtFinding::NotOurs => format!(
                "Not verified yet: found a TXT record but not ours at {}. Its value must be exactly the one shown.",
                domain.challenge_name()
            ),
            TxtFinding::NoAnswer => {
                "Not checked: the DNS server did not answer: try again in a moment.".to_owned()
            }
        }
    }

    /// Reads the values found at the challenge name.
    pub fn from_values<'a>(values: impl IntoIterator<Item = &'a str>, token: &str) -> TxtFinding {
        let expected = challenge_value(token);
        let mut any = false;
        for value in values {
            any = true;
            if value.trim() == expected {
                return TxtFinding::Ours;
            }
        }
        if any {
            TxtFinding::NotOurs
        } else {
            TxtFinding::Missing
        }
    }
}

/// How a domain's traffic reaches us, besides the TXT record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Routing {
    /// A name under a registrable domain: a CNAME to the platform's host.
    Cname { target: String },
    /// A registrable domain itself (DNS allows no CNAME there): A/AAAA records to the
    /// edge's addresses (`EDGE_ADDRESSES`; empty when the operator has not set them).
    Address { addresses: Vec<String> },
}

/// One domain as Settings → Domains shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DomainView {
    pub hostname: CustomDomain,
    pub state: DomainState,
    pub is_primary: bool,
    /// `_hcrm-challenge.<domain>`.
    pub txt_name: String,
    /// `hcrm-verify=<token>`.
    pub txt_value: String,
    pub routing: Routing,
    /// What the last look-up found, in words (after **Verify** or a re-check).
    pub message: Option<String>,
    /// When it was last looked up.
    pub checked: Option<String>,
}

/// Settings → Domains.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DomainsPage {
    pub domains: Vec<DomainView>,
    /// The workspace's own host under the platform (`acme.hrefcrm.com`).
    pub subdomain: String,
    /// The most domains a workspace may have.
    pub limit: usize,
    /// How often a verified domain's TXT record is looked up again, in words: `every day`.
    pub recheck: String,
}

impl TxtFinding {
    /// The database's spelling, for the last look-up kept with a domain.
    pub fn as_db(&self) -> &'static str {
        match self {
            TxtFinding::Ours => "ours",
            TxtFinding::Missing => "missing",
            TxtFinding::NotOurs => "not_ours",
            TxtFinding::NoAnswer => "no_answer",
        }
    }

    pub fn from_db(value: &str) -> Option<TxtFinding> {
        match value {
            "ours" => Some(TxtFinding::Ours),
            "missing" => Some(TxtFinding::Missing),
            "not_ours" => Some(TxtFinding::NotOurs),
            "no_answer" => Some(TxtFinding::NoAnswer),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APEX: &str = "hrefcrm.com";

    fn parse(s: &str) -> Result<String, DomainError> {
        CustomDomain::parse(s, APEX).map(|d| d.0)
    }

    #[test]
    fn a_domain_is_lower_cased_and_forgiven_its_scheme_and_dots() {
        assert_eq!(parse("CRM.Acme-Law.com").unwrap(), "crm.acme-law.com");
        assert_eq!(
            parse(" https://crm.acme-law.com/ ").unwrap(),
            "crm.acme-law.com"
        );
        assert_eq!(parse("crm.acme-law.com.").unwrap(), "crm.acme-law.com");
        assert_eq!(parse("acme-law.com").unwrap(), "acme-law.com");
    }

    #[test]
    fn an_international_name_becomes_its_ascii_form() {
        assert_eq!(parse("crm.bücher.de").unwrap(), "crm.xn--bcher-kva.de");
    }

    #[test]
    fn ip_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "[::1]",
            "::1",
            "2001:db8::1",
            "0x7f.0.0.1",
        ] {
            assert_eq!(parse(ip), Err(DomainError::IpAddress), "{ip}");
        }
    }

    #[test]
    fn public_suffixes_are_refused_by_the_list_not_by_counting_labels() {
        assert!(matches!(parse("co.uk"), Err(DomainError::PublicSuffix(_))));
        assert!(matches!(parse("com"), Err(DomainError::PublicSuffix(_))));
        assert!(matches!(
            parse("github.io"),
            Err(DomainError::PublicSuffix(_))
        ));
        assert_eq!(parse("acme.co.uk").unwrap(), "acme.co.uk");
        assert_eq!(parse("acme.github.io").unwrap(), "acme.github.io");
        assert!(matches!(
            parse("localhost"),
            Err(DomainError::PublicSuffix(_))
        ));
    }

    #[test]
    fn our_own_names_are_refused() {
        assert_eq!(parse("hrefcrm.com"), Err(DomainError::Ours));
        assert_eq!(parse("acme.hrefcrm.com"), Err(DomainError::Ours));
        assert_eq!(parse("a.b.HREFCRM.com"), Err(DomainError::Ours));
        assert_eq!(
            CustomDomain::parse("acme.localhost", "localhost:3000"),
            Err(DomainError::Ours)
        );
        assert_eq!(parse("nothrefcrm.com").unwrap(), "nothrefcrm.com");
    }

    #[test]
    fn anything_but_a_bare_hostname_is_refused() {
        for bad in [
            "crm.acme.com:8443",
            "crm.acme.com/path",
            "crm acme.com",
            "user@crm.acme.com",
            "crm..acme.com",
            "-crm.acme.com",
            "crm_x.acme.com",
        ] {
            assert_eq!(parse(bad), Err(DomainError::NotAHostname), "{bad}");
        }
        assert_eq!(parse("  "), Err(DomainError::Empty));
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert_eq!(parse(&long), Err(DomainError::TooLong));
    }

    #[test]
    fn an_apex_takes_address_records_and_a_subdomain_a_cname() {
        assert!(CustomDomain::parse("acme-law.com", APEX).unwrap().is_apex());
        assert!(CustomDomain::parse("acme.co.uk", APEX).unwrap().is_apex());
        assert!(
            !CustomDomain::parse("crm.acme-law.com", APEX)
                .unwrap()
                .is_apex()
        );
    }

    #[test]
    fn only_our_exact_value_verifies() {
        let token = "abc123";
        assert_eq!(TxtFinding::from_values([], token), TxtFinding::Missing);
        assert_eq!(
            TxtFinding::from_values(["v=spf1 -all", "hcrm-verify=abc123"], token),
            TxtFinding::Ours
        );
        assert_eq!(
            TxtFinding::from_values(["hcrm-verify=abc1234"], token),
            TxtFinding::NotOurs
        );
        assert_eq!(
            TxtFinding::from_values(["hcrm-verify=other"], token),
            TxtFinding::NotOurs
        );
    }

    #[test]
    fn the_messages_name_the_record_and_never_blame_the_tenant_for_silence() {
        let domain = CustomDomain::parse("crm.acme-law.com", APEX).unwrap();
        assert!(
            TxtFinding::Missing
                .message(&domain)
                .contains("no TXT record at _hcrm-challenge.crm.acme-law.com")
        );
        assert!(
            TxtFinding::NotOurs
                .message(&domain)
                .contains("found a TXT record but not ours")
        );
        assert!(
            TxtFinding::NoAnswer
                .message(&domain)
                .contains("the DNS server did not answer: try again")
        );
    }
}
