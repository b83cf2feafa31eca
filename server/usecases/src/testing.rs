//! Test helpers: a [`Platform`] on a fresh database of its own.

use std::sync::Arc;

use db::testing::TestDb;
use domain::Links;

use crate::{
    Platform, Settings,
    dns::Dns,
    limits::{LimitSettings, Limits},
    receive_lead::{Intake, QueueSettings},
    sealing::SealingKey,
};

/// A platform on `db` for the apex `localhost:3000`, with the default limits, a fresh mail
/// key, and `settings` (its intake writers run on the caller's runtime).
pub fn platform_with(test: &TestDb, settings: Settings) -> Platform {
    let limits = LimitSettings::default();
    Platform {
        db: test.db.clone(),
        links: Links::new("http", "localhost:3000"),
        intake: Intake::start(test.db.app.clone(), limits.intake, QueueSettings::default()),
        limits: Arc::new(Limits::new(limits)),
        settings: Arc::new(settings),
        sealing_key: SealingKey::generate(),
        // Nothing listens on the discard port: tests that look records up set their own.
        dns: Dns::new(Some(([127, 0, 0, 1], 9).into())).expect("a DNS client"),
        providers: Default::default(),
    }
}

/// A platform on `db` with the default settings.
pub fn platform(test: &TestDb) -> Platform {
    platform_with(test, Settings::default())
}

/// A DNS server on loopback that answers for one zone from memory: the stand-in for a
/// tenant's DNS host in tests of custom domains.
pub struct TestDns {
    zone: Arc<hickory_server::store::in_memory::InMemoryZoneHandler>,
    origin: hickory_server::proto::rr::Name,
    /// Where it listens (UDP).
    pub addr: std::net::SocketAddr,
    _server: hickory_server::Server<hickory_server::zone_handler::Catalog>,
}

impl TestDns {
    /// Serves the zone `origin` (e.g. `acme-law.test`), empty but for its SOA record.
    pub async fn start(origin: &str) -> TestDns {
        use hickory_server::{
            Server,
            proto::rr::{LowerName, Name, RData, Record, rdata::SOA},
            store::in_memory::InMemoryZoneHandler,
            zone_handler::{AxfrPolicy, Catalog, ZoneType},
        };

        let origin = Name::from_ascii(format!("{origin}.")).expect("a zone name");
        let zone = Arc::new(InMemoryZoneHandler::empty(
            origin.clone(),
            ZoneType::Primary,
            AxfrPolicy::Deny,
        ));
        let soa = SOA::new(
            Name::from_ascii(format!("ns.{origin}")).expect("a name"),
            Name::from_ascii(format!("admin.{origin}")).expect("a name"),
            1,
            3600,
            600,
            86_400,
            0,
        );
        zone.upsert(Record::from_rdata(origin.clone(), 0, RData::SOA(soa)), 1)
            .await;
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&origin), vec![zone.clone()]);
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("a UDP port");
        let addr = socket.local_addr().expect("its address");
        let mut server = Server::new(catalog);
        server.register_socket(socket);
        TestDns {
            zone,
            origin,
            addr,
            _server: server,
        }
    }

    /// A client of this server, as `DNS_RESOLVER` would make it.
    pub fn client(&self) -> Dns {
        Dns::new(Some(self.addr)).expect("a DNS client")
    }

    /// Replaces the TXT values at `name` (a name in the zone, without its final dot); no
    /// values removes the record.
    pub async fn set_txt(&self, name: &str, values: &[&str]) {
        use hickory_server::proto::rr::{
            LowerName, Name, RData, Record, RecordType, RrKey, rdata::TXT,
        };

        let name = Name::from_ascii(format!("{name}.")).expect("a name");
        assert!(self.origin.zone_of(&name), "{name} is outside the zone");
        let key = RrKey::new(LowerName::new(&name), RecordType::TXT);
        self.zone.records_mut().await.remove(&key);
        for value in values {
            let record = Record::from_rdata(
                name.clone(),
                0,
                RData::TXT(TXT::new(vec![value.to_string()])),
            );
            self.zone.upsert(record, 1).await;
        }
    }
}
