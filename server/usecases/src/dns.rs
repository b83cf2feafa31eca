//! DNS look-ups for custom domains' TXT records (`docs/domains.md`): no cache, so that a
//! record fixed a moment ago is seen on the next **Verify**, and a short timeout, so that a
//! DNS server that does not answer is told apart from a record that is not there.

use std::{fmt, net::SocketAddr, time::Duration};

use domain::custom_domain::{CustomDomain, TxtFinding};
use hickory_resolver::{
    TokioResolver,
    config::{NameServerConfig, ResolverConfig, ResolverOpts},
    net::{DnsError, NetError, runtime::TokioRuntimeProvider},
    proto::{op::ResponseCode, rr::RData},
};

/// How long one question to the DNS server may take, and how often it is asked.
const TIMEOUT: Duration = Duration::from_secs(3);
const ATTEMPTS: usize = 2;

/// The platform's DNS client.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
    server: Option<SocketAddr>,
}

impl fmt::Debug for Dns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.server {
            Some(server) => write!(f, "Dns({server})"),
            None => f.write_str("Dns(system)"),
        }
    }
}

impl Dns {
    /// A client that asks `server` (`DNS_RESOLVER`), or the system's name servers
    /// (`/etc/resolv.conf`) when it is `None`.
    pub fn new(server: Option<SocketAddr>) -> Result<Dns, String> {
        let mut builder = match server {
            Some(addr) => {
                let mut name_server = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut name_server.connections {
                    connection.port = addr.port();
                }
                TokioResolver::builder_with_config(
                    ResolverConfig::from_parts(None, vec![], vec![name_server]),
                    TokioRuntimeProvider::default(),
                )
            }
            None => TokioResolver::builder_tokio()
                .map_err(|e| format!("cannot read the system's DNS configuration: {e}"))?,
        };
        let options: &mut ResolverOpts = builder.options_mut();
        options.cache_size = 0;
        options.timeout = TIMEOUT;
        options.attempts = ATTEMPTS;
        options.ndots = 0;
        let resolver = builder
            .build()
            .map_err(|e| format!("cannot start the DNS client: {e}"))?;
        Ok(Dns { resolver, server })
    }

    /// Looks up `domain`'s `_hcrm-challenge` TXT record and says whether `token` is there.
    pub async fn challenge(&self, domain: &CustomDomain, token: &str) -> TxtFinding {
        // Fully qualified: no search domains, one question.
        let name = format!("{}.", domain.challenge_name());
        match self.resolver.txt_lookup(name.as_str()).await {
            Ok(lookup) => {
                let values: Vec<String> = lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        // A TXT record may be split in strings of 255 bytes: one value.
                        RData::TXT(txt) => Some(
                            txt.txt_data
                                .iter()
                                .map(|part| String::from_utf8_lossy(part))
                                .collect::<String>(),
                        ),
                        _ => None,
                    })
                    .collect();
                TxtFinding::from_values(values.iter().map(String::as_str), token)
            }
            // An answer that there is nothing there; a SERVFAIL or a REFUSED says nothing.
            Err(NetError::Dns(DnsError::NoRecordsFound(none)))
                if matches!(
                    none.response_code,
                    ResponseCode::NoError | ResponseCode::NXDomain
                ) =>
            {
                TxtFinding::Missing
            }
            Err(e) => {
                tracing::warn!(error = %e, %name, "the DNS server did not answer");
                TxtFinding::NoAnswer
            }
        }
    }
}
