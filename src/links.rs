//! Building URLs for the apex site and workspace subdomains, and telling
//! which one a request's `Host` is for.

/// Where the site lives: the protocol and the apex host (with any port),
/// e.g. `http` and `localhost:3000`, or `https` and `hrefcrm.com`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Links {
    protocol: String,
    apex: String,
}

/// What a request's `Host` header points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// The apex host itself (marketing pages, signup, staff console).
    Apex,
    /// One label directly under the apex: the lower-cased label, which is not
    /// yet checked to be a valid [`crate::Slug`].
    Tenant(String),
    /// Anything else: another domain, a different port, a deeper subdomain.
    Other,
}

impl Links {
    /// `protocol` is `http` or `https` (a trailing `:` or `://` is tolerated);
    /// `apex_host` is the host with any port, e.g. `localhost:3000`.
    pub fn new(protocol: &str, apex_host: &str) -> Links {
        let protocol = protocol.trim();
        let protocol = protocol
            .strip_suffix("://")
            .or_else(|| protocol.strip_suffix(':'))
            .unwrap_or(protocol);
        Links {
            protocol: protocol.to_ascii_lowercase(),
            apex: apex_host.trim().to_ascii_lowercase(),
        }
    }

    /// The protocol, e.g. `https`.
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The apex host with any port, e.g. `localhost:3000`.
    pub fn apex_host(&self) -> &str {
        &self.apex
    }

    /// An absolute URL on the apex: `apex_url("/signup")` →
    /// `http://localhost:3000/signup`. `path` should start with `/`; one is
    /// added if it does not.
    pub fn apex_url(&self, path: &str) -> String {
        format!("{}://{}{}", self.protocol, self.apex, rooted(path))
    }

    /// The apex host without its port, e.g. `localhost`: what a DNS record names.
    pub fn apex_hostname(&self) -> &str {
        host_without_port(&self.apex)
    }

    /// A workspace's host: `acme.localhost:3000`. Accepts a [`crate::Slug`]
    /// or a string.
    pub fn tenant_host(&self, slug: impl AsRef<str>) -> String {
        format!("{}.{}", slug.as_ref().to_ascii_lowercase(), self.apex)
    }

    /// An absolute URL on a workspace's host: `tenant_url(acme, "/leads")` →
    /// `http://acme.localhost:3000/leads`. `path` is treated as in [`Links::apex_url`].
    pub fn tenant_url(&self, slug: impl AsRef<str>, path: &str) -> String {
        format!(
            "{}://{}{}",
            self.protocol,
            self.tenant_host(slug),
            rooted(path)
        )
    }

    /// Classifies a `Host` header, ignoring case. The port is part of the
    /// host and must match the apex's exactly.
    pub fn classify_host(&self, host: &str) -> HostKind {
        let host = host.to_ascii_lowercase();
        if host == self.apex {
            return HostKind::Apex;
        }
        let label = host
            .strip_suffix(self.apex.as_str())
            .and_then(|rest| rest.strip_suffix('.'));
        match label {
            // Exactly one label: deeper names are not ours to serve.
            Some(label) if !label.is_empty() && !label.contains('.') => {
                HostKind::Tenant(label.to_owned())
            }
            _ => HostKind::Other,
        }
    }
}

/// `host` without a `:port` (an IPv6 literal keeps its brackets).
pub fn host_without_port(host: &str) -> &str {
    if let Some(end) = host.strip_prefix('[').and_then(|rest| rest.find(']')) {
        return &host[..end + 2];
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `path` with a leading `/`, so URLs never run the host into the path.
fn rooted(path: &str) -> std::borrow::Cow<'_, str> {
    if path.starts_with('/') {
        path.into()
    } else {
        format!("/{path}").into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Slug;

    fn local() -> Links {
        Links::new("http", "localhost:3000")
    }

    #[test]
    fn a_host_loses_its_port_and_keeps_the_rest() {
        assert_eq!(
            host_without_port("crm.acme-law.com:5001"),
            "crm.acme-law.com"
        );
        assert_eq!(host_without_port("crm.acme-law.com"), "crm.acme-law.com");
        assert_eq!(host_without_port("[::1]:3000"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
        assert_eq!(local().apex_hostname(), "localhost");
    }

    #[test]
    fn the_apex_host_is_lower_cased() {
        let links = Links::new("HTTPS", "HrefCRM.com");
        assert_eq!(links.apex_host(), "hrefcrm.com");
        assert_eq!(links.protocol(), "https");
    }

    #[test]
    fn a_protocol_written_with_its_separator_is_understood() {
        assert_eq!(Links::new("https://", "a.com").protocol(), "https");
        assert_eq!(Links::new("http:", "a.com").protocol(), "http");
    }

    #[test]
    fn apex_urls_join_protocol_host_and_path() {
        assert_eq!(local().apex_url("/signup"), "http://localhost:3000/signup");
        assert_eq!(local().apex_url("/"), "http://localhost:3000/");
    }

    #[test]
    fn a_path_without_a_leading_slash_gets_one() {
        assert_eq!(local().apex_url("signup"), "http://localhost:3000/signup");
        assert_eq!(
            local().tenant_url("acme", ""),
            "http://acme.localhost:3000/"
        );
    }

    #[test]
    fn tenant_hosts_and_urls_put_the_slug_first() {
        let slug = Slug::parse("acme").unwrap();
        assert_eq!(local().tenant_host(&slug), "acme.localhost:3000");
        assert_eq!(
            local().tenant_url(&slug, "/leads"),
            "http://acme.localhost:3000/leads"
        );
        assert_eq!(local().tenant_host("acme"), "acme.localhost:3000");
    }

    #[test]
    fn the_apex_host_is_recognised_in_any_case() {
        assert_eq!(local().classify_host("localhost:3000"), HostKind::Apex);
        assert_eq!(local().classify_host("LocalHost:3000"), HostKind::Apex);
    }

    #[test]
    fn one_label_under_the_apex_is_a_tenant_in_lower_case() {
        assert_eq!(
            local().classify_host("ACME.localhost:3000"),
            HostKind::Tenant("acme".to_owned())
        );
    }

    #[test]
    fn a_tenant_label_is_not_validated_as_a_slug() {
        assert_eq!(
            local().classify_host("www.localhost:3000"),
            HostKind::Tenant("www".to_owned())
        );
        assert_eq!(
            local().classify_host("-x_.localhost:3000"),
            HostKind::Tenant("-x_".to_owned())
        );
    }

    #[test]
    fn the_port_must_match_the_apex_exactly() {
        assert_eq!(local().classify_host("acme.localhost"), HostKind::Other);
        assert_eq!(local().classify_host("localhost"), HostKind::Other);
        assert_eq!(
            local().classify_host("acme.localhost:3001"),
            HostKind::Other
        );
        assert_eq!(
            local().classify_host("acme.localhost:30000"),
            HostKind::Other
        );
        let prod = Links::new("https", "hrefcrm.com");
        assert_eq!(prod.classify_host("acme.hrefcrm.com:443"), HostKind::Other);
    }

    #[test]
    fn deeper_subdomains_and_empty_labels_are_other() {
        assert_eq!(local().classify_host("a.b.localhost:3000"), HostKind::Other);
        assert_eq!(local().classify_host(".localhost:3000"), HostKind::Other);
    }

    #[test]
    fn other_domains_are_other() {
        assert_eq!(local().classify_host("evil.com"), HostKind::Other);
        assert_eq!(local().classify_host("notlocalhost:3000"), HostKind::Other);
        assert_eq!(local().classify_host(""), HostKind::Other);
    }
}
