//! Single sign-on over OpenID Connect: what a connection may be set to, and what Settings →
//! Single sign-on shows (`docs/sso.md`).

use serde::{Deserialize, Serialize};

use crate::custom_domain::{CHALLENGE_LABEL, CustomDomain, challenge_value};

/// Email domains anyone can get an address at: never a workspace's, so never a domain a
/// connection may sign people in from. The one list of them.
pub const CONSUMER_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "qq.com",
    "163.com",
    "126.com",
];

/// Whether `domain` (lower-case) is a consumer mail domain.
pub fn is_consumer_domain(domain: &str) -> bool {
    CONSUMER_DOMAINS.contains(&domain)
}

/// Parses the **Email domains** field: domains separated by commas, spaces or lines, each
/// a domain of its own (the rules of custom domains, `@` forgiven) and never a consumer
/// domain. At least one, at most 20, no repeats.
pub fn parse_email_domains(input: &str, apex_host: &str) -> Result<Vec<String>, String> {
    let mut domains = Vec::new();
    for part in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|p| p.trim().trim_start_matches('@'))
        .filter(|p| !p.is_empty())
    {
        let domain = CustomDomain::parse(part, apex_host).map_err(|e| format!("{part}: {e}"))?;
        let domain = domain.as_str().to_owned();
        if is_consumer_domain(&domain) {
            return Err(format!(
                "{domain} is a public email service: anyone can have an address there. Enter your company's own domain."
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    match domains.len() {
        0 => Err("Enter the email domain of your company, such as example.com.".into()),
        n if n > 20 => Err("Enter at most 20 email domains.".into()),
        _ => Ok(domains),
    }
}

/// Parses the **Issuer URL**: an absolute `https` URL (or `http` when `allow_http`, for
/// providers on this machine), without credentials, query or fragment. Kept as typed,
/// less a trailing `/`: the provider's discovery document must name exactly it.
pub fn parse_issuer(input: &str, allow_http: bool) -> Result<String, String> {
    let trimmed = input.trim();
    let url = url::Url::parse(trimmed)
        .map_err(|_| "Enter the issuer's URL, such as https://login.example.com.".to_owned())?;
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    if !scheme_ok {
        return Err("The issuer's URL must start with https://.".into());
    }
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err("Enter the issuer's URL alone: no user name, query or fragment.".into());
    }
    Ok(trimmed.trim_end_matches('/').to_owned())
}

/// One email domain as the page shows it, with the record that proves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailDomainView {
    pub domain: String,
    pub verified: bool,
    /// `_hcrm-challenge.<domain>`.
    pub txt_name: String,
    /// `hcrm-verify=<token>`.
    pub txt_value: String,
}

impl EmailDomainView {
    pub fn new(domain: String, token: &str, verified: bool) -> EmailDomainView {
        EmailDomainView {
            txt_name: format!("{CHALLENGE_LABEL}.{domain}"),
            txt_value: challenge_value(token),
            domain,
            verified,
        }
    }
}

/// Settings → Single sign-on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoPage {
    /// Whether a connection is saved.
    pub configured: bool,
    pub issuer: String,
    pub client_id: String,
    /// The secret is never shown again, only whether one is stored.
    pub secret_set: bool,
    pub email_domains: Vec<EmailDomainView>,
    pub require_sso: bool,
    /// Whether an admin has signed in through the connection (Require SSO needs it).
    pub admin_signed_in: bool,
    /// What to register at the provider: `<workspace origin>/sso/callback`.
    pub redirect_uri: String,
    /// Where the provider may post logout tokens: `<workspace origin>/sso/back-channel-logout`.
    pub back_channel_logout_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_domains_are_split_normalised_and_never_consumer_ones() {
        assert_eq!(
            parse_email_domains("Acme.com, @acme.co.uk\nacme.com", "hrefcrm.com").unwrap(),
            ["acme.com", "acme.co.uk"]
        );
        assert!(
            parse_email_domains("acme.com gmail.com", "hrefcrm.com")
                .unwrap_err()
                .contains("public email service")
        );
        assert!(parse_email_domains(" ", "hrefcrm.com").is_err());
        assert!(parse_email_domains("co.uk", "hrefcrm.com").is_err());
    }

    #[test]
    fn an_issuer_is_an_https_url_alone() {
        assert_eq!(
            parse_issuer("https://login.acme.com/", false).unwrap(),
            "https://login.acme.com"
        );
        assert!(parse_issuer("http://127.0.0.1:4701", false).is_err());
        assert_eq!(
            parse_issuer("http://127.0.0.1:4701", true).unwrap(),
            "http://127.0.0.1:4701"
        );
        for bad in [
            "login.acme.com",
            "https://u:p@acme.com",
            "https://acme.com/?a=1",
            "ftp://acme.com",
        ] {
            assert!(parse_issuer(bad, true).is_err(), "{bad}");
        }
    }
}
