//! Custom domains against a real DNS server on loopback (hickory's in-memory zone) and a
//! real Postgres: each answer **Verify** can get, re-checks that fail a domain, and no
//! takeover of a released or suspended name.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{sync::Arc, time::Duration};

use common::{member, platform, workspace_with_admin};
use db::{members::Member, sqlx, tenants::ResolvedTenant, testing::TestDb};
use domain::{
    Email,
    custom_domain::{CustomDomain, DomainState, DomainView, Routing, TxtFinding},
};
use usecases::{DomainSettings, Error, Platform, Settings, domains, testing::TestDns};

const ZONE: &str = "acme-law.test";
const CRM: &str = "crm.acme-law.test";
const CHALLENGE: &str = "_hcrm-challenge.crm.acme-law.test";

/// A platform whose DNS is `dns`, with verified domains due for a re-check at once.
async fn setup() -> (TestDb, Platform, TestDns) {
    let (db, mut p) = platform().await;
    let dns = TestDns::start(ZONE).await;
    p.dns = dns.client();
    p.settings = Arc::new(Settings {
        domains: DomainSettings {
            recheck: Duration::ZERO,
            edge_addresses: vec!["192.0.2.10".parse().unwrap()],
            ..DomainSettings::default()
        },
        ..Settings::default()
    });
    (db, p, dns)
}

fn domain(name: &str) -> CustomDomain {
    CustomDomain::parse(name, "localhost:3000").unwrap()
}

async fn workspace(p: &Platform, slug: &str) -> (ResolvedTenant, Member) {
    let tenant = workspace_with_admin(p, slug).await;
    let admin = member(p, &tenant, &format!("admin@{slug}.test")).await;
    (tenant, admin)
}

async fn shown(p: &Platform, tenant: &ResolvedTenant, admin: &Member, name: &str) -> DomainView {
    let page = domains::view(p, tenant, admin).await.unwrap();
    page.domains
        .into_iter()
        .find(|d| d.hostname.as_str() == name)
        .unwrap()
}

/// The TXT value the page tells the admin to publish for `name`.
async fn our_value(p: &Platform, tenant: &ResolvedTenant, admin: &Member, name: &str) -> String {
    shown(p, tenant, admin, name).await.txt_value
}

/// Which workspace a request for `host` reaches, by slug.
async fn routed(p: &Platform, host: &str) -> Option<String> {
    db::domains::resolve(&p.db.app, host)
        .await
        .unwrap()
        .map(|t| t.slug)
}

async fn audit_actions(p: &Platform, tenant: &ResolvedTenant) -> Vec<String> {
    sqlx::query_scalar(
        "select action from audit_log where tenant_id = $1 and action like 'domain.%'
         order by created_at, id",
    )
    .bind(tenant.id.0)
    .fetch_all(&p.db.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_added_domain_is_pending_with_its_own_records_and_reaches_nothing() {
    let (_db, p, _dns) = setup().await;
    let (acme, admin) = workspace(&p, "acme").await;

    domains::add(&p, &acme, &admin, &domain(CRM)).await.unwrap();
    domains::add(&p, &acme, &admin, &domain(ZONE))
        .await
        .unwrap();

    let crm = shown(&p, &acme, &admin, CRM).await;
    assert_eq!(crm.state, DomainState::Pending);
    assert_eq!(crm.txt_name, CHALLENGE);
    let token = crm.txt_value.strip_prefix("hcrm-verify=").unwrap();
    assert!(token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        crm.routing,
        Routing::Cname {
            target: "localhost".into()
        }
    );
    let apex = shown(&p, &acme, &admin, ZONE).await;
    assert_eq!(
        apex.routing,
        Routing::Address {
            addresses: vec!["192.0.2.10".into()]
        }
    );
    assert_ne!(apex.txt_value, crm.txt_value, "a token per domain");
    assert_eq!(routed(&p, CRM).await, None, "pending domains reach nothing");
    assert!(!domains::may_have_certificate(&p, CRM).await.unwrap());
    assert_eq!(
        audit_actions(&p, &acme).await,
        ["domain.added", "domain.added"]
    );
}

#[tokio::test]
async fn a_name_another_workspace_holds_is_refused_without_naming_it_and_the_limit_holds() {
    let (_db, p, _dns) = setup().await;
    let (acme, acme_admin) = workspace(&p, "acme").await;
    let (globex, globex_admin) = workspace(&p, "globex").await;
    domains::add(&p, &acme, &acme_admin, &domain(CRM))
        .await
        .unwrap();

    let taken = domains::add(&p, &globex, &globex_admin, &domain(CRM)).await;
    let message = taken
        .unwrap_err()
        .field_message("domain")
        .unwrap()
        .to_owned();
    assert!(message.contains("Another workspace"), "{message}");
    assert!(!message.contains("acme"), "{message}");
    let again = domains::add(&p, &acme, &acme_admin, &domain(CRM)).await;
    assert!(again.unwrap_err().field_message("domain").is_some());

    for name in ["a.acme-law.test", "b.acme-law.test"] {
        domains::add(&p, &acme, &acme_admin, &domain(name))
            .await
            .unwrap();
    }
    let over = domains::add(&p, &acme, &acme_admin, &domain("c.acme-law.test")).await;
    assert!(
        over.unwrap_err()
            .field_message("domain")
            .unwrap()
            .contains("at most 3")
    );
}

#[tokio::test]
async fn verify_tells_each_answer_apart_and_sees_a_fixed_record_at_once() {
    let (_db, p, dns) = setup().await;
    let (acme, admin) = workspace(&p, "acme").await;
    let crm = domain(CRM);
    domains::add(&p, &acme, &admin, &crm).await.unwrap();

    // Nothing published yet.
    let missing = domains::verify(&p, &acme, &admin, &crm).await.unwrap();
    assert_eq!(missing, TxtFinding::Missing);
    let view = shown(&p, &acme, &admin, CRM).await;
    assert_eq!(view.state, DomainState::Pending);
    assert!(
        view.message
            .unwrap()
            .contains("no TXT record at _hcrm-challenge.crm.acme-law.test")
    );

    // Someone else's value.
    dns.set_txt(CHALLENGE, &["hcrm-verify=0123456789abcdef0123456789abcdef"])
        .await;
    let not_ours = domains::verify(&p, &acme, &admin, &crm).await.unwrap();
    assert_eq!(not_ours, TxtFinding::NotOurs);
    assert!(
        shown(&p, &acme, &admin, CRM)
            .await
            .message
            .unwrap()
            .contains("found a TXT record but not ours")
    );

    // The DNS server does not answer: not the tenant's fault, and nothing changes.
    let mut deaf = p.clone();
    deaf.dns = usecases::dns::Dns::new(Some(([127, 0, 0, 1], 9).into())).unwrap();
    let no_answer = domains::verify(&deaf, &acme, &admin, &crm).await.unwrap();
    assert_eq!(no_answer, TxtFinding::NoAnswer);
    let view = shown(&p, &acme, &admin, CRM).await;
    assert_eq!(view.state, DomainState::Pending);
    assert!(view.message.unwrap().contains("did not answer"));

    // Fixed: ours among other values is seen on the very next click (no cache).
    let ours = our_value(&p, &acme, &admin, CRM).await;
    dns.set_txt(CHALLENGE, &["v=spf1 -all", &ours]).await;
    let verified = domains::verify(&p, &acme, &admin, &crm).await.unwrap();
    assert_eq!(verified, TxtFinding::Ours);
    assert_eq!(
        shown(&p, &acme, &admin, CRM).await.state,
        DomainState::Verified
    );
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("acme"));
    assert_eq!(
        routed(&p, "CRM.Acme-Law.test").await.as_deref(),
        Some("acme")
    );
    assert!(domains::may_have_certificate(&p, CRM).await.unwrap());

    // A verified domain stays verified when the DNS server is away.
    domains::verify(&deaf, &acme, &admin, &crm).await.unwrap();
    assert_eq!(
        shown(&p, &acme, &admin, CRM).await.state,
        DomainState::Verified
    );
    assert_eq!(
        audit_actions(&p, &acme).await,
        ["domain.added", "domain.verified"]
    );
}

#[tokio::test]
async fn three_missed_rechecks_in_a_row_fail_the_domain_and_tell_the_admins() {
    let (_db, p, dns) = setup().await;
    let (acme, admin) = workspace(&p, "acme").await;
    let crm = domain(CRM);
    domains::add(&p, &acme, &admin, &crm).await.unwrap();
    let ours = our_value(&p, &acme, &admin, CRM).await;
    dns.set_txt(CHALLENGE, &[&ours]).await;
    domains::verify(&p, &acme, &admin, &crm).await.unwrap();
    domains::make_primary(&p, &acme, &admin, &crm)
        .await
        .unwrap();

    // Still there: confirmed.
    let done = domains::recheck_due(&p, 10).await.unwrap();
    assert_eq!(done.confirmed, 1);

    // Gone: two misses keep it serving, a server that does not answer counts for nothing.
    dns.set_txt(CHALLENGE, &[]).await;
    for _ in 0..2 {
        assert_eq!(domains::recheck_due(&p, 10).await.unwrap().missed, 1);
    }
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("acme"));
    let mut deaf = p.clone();
    deaf.dns = usecases::dns::Dns::new(Some(([127, 0, 0, 1], 9).into())).unwrap();
    sqlx::query("update custom_domains set next_check_at = now()")
        .execute(&p.db.owner)
        .await
        .unwrap();
    assert_eq!(domains::recheck_due(&deaf, 10).await.unwrap().unanswered, 1);
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("acme"));

    // The third miss in a row fails it: no routing, no certificate, no longer primary.
    sqlx::query("update custom_domains set next_check_at = now()")
        .execute(&p.db.owner)
        .await
        .unwrap();
    assert_eq!(domains::recheck_due(&p, 10).await.unwrap().failed, 1);
    let view = shown(&p, &acme, &admin, CRM).await;
    assert_eq!(view.state, DomainState::Failed);
    assert!(!view.is_primary);
    assert_eq!(routed(&p, CRM).await, None);
    assert!(!domains::may_have_certificate(&p, CRM).await.unwrap());
    assert_eq!(
        domains::recheck_due(&p, 10).await.unwrap(),
        Default::default(),
        "a failed domain is not re-checked"
    );
    assert!(
        audit_actions(&p, &acme)
            .await
            .contains(&"domain.failed".into())
    );
    let mail = usecases::outbox::dev_mailbox(&p, &Email::parse("admin@acme.test").unwrap())
        .await
        .unwrap();
    let failed = mail
        .iter()
        .find(|m| m.subject.contains("no longer reaches"))
        .unwrap();
    assert!(failed.subject.starts_with(CRM), "{}", failed.subject);

    // Put back and verified again: serving again.
    dns.set_txt(CHALLENGE, &[&ours]).await;
    assert_eq!(
        domains::verify(&p, &acme, &admin, &crm).await.unwrap(),
        TxtFinding::Ours
    );
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("acme"));
}

#[tokio::test]
async fn a_released_name_needs_a_new_record_and_suspension_or_deletion_stops_it_at_once() {
    let (_db, p, dns) = setup().await;
    let (acme, acme_admin) = workspace(&p, "acme").await;
    let (globex, globex_admin) = workspace(&p, "globex").await;
    let crm = domain(CRM);
    domains::add(&p, &acme, &acme_admin, &crm).await.unwrap();
    let acme_value = our_value(&p, &acme, &acme_admin, CRM).await;
    dns.set_txt(CHALLENGE, &[&acme_value]).await;
    domains::verify(&p, &acme, &acme_admin, &crm).await.unwrap();
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("acme"));

    // Removed: nothing reaches acme through it any more.
    domains::remove(&p, &acme, &acme_admin, &crm).await.unwrap();
    assert_eq!(routed(&p, CRM).await, None);
    assert!(!domains::may_have_certificate(&p, CRM).await.unwrap());

    // Another workspace adds it: the record acme published does not prove it.
    domains::add(&p, &globex, &globex_admin, &crm)
        .await
        .unwrap();
    let globex_value = our_value(&p, &globex, &globex_admin, CRM).await;
    assert_ne!(globex_value, acme_value);
    assert_eq!(
        domains::verify(&p, &globex, &globex_admin, &crm)
            .await
            .unwrap(),
        TxtFinding::NotOurs
    );
    assert_eq!(routed(&p, CRM).await, None);
    dns.set_txt(CHALLENGE, &[&globex_value]).await;
    domains::verify(&p, &globex, &globex_admin, &crm)
        .await
        .unwrap();
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("globex"));

    // Suspended: no routing, no certificate; reactivated: both again.
    let slug = domain::Slug::parse("globex").unwrap();
    let reason = domain::Reason::parse("Unpaid invoices").unwrap();
    let staff = usecases::Actor::Cli;
    usecases::change_status::change_status(
        &p,
        &slug,
        domain::StatusAction::Suspend,
        Some(&reason),
        &staff,
    )
    .await
    .unwrap();
    assert_eq!(routed(&p, CRM).await, None);
    assert!(!domains::may_have_certificate(&p, CRM).await.unwrap());
    usecases::change_status::change_status(
        &p,
        &slug,
        domain::StatusAction::Reactivate,
        None,
        &staff,
    )
    .await
    .unwrap();
    assert_eq!(routed(&p, CRM).await.as_deref(), Some("globex"));

    // Deleted: gone with the workspace, and free again.
    usecases::change_status::delete_tenant(&p, &slug, &staff)
        .await
        .unwrap();
    assert_eq!(routed(&p, CRM).await, None);
    domains::add(&p, &acme, &acme_admin, &crm).await.unwrap();
}

#[tokio::test]
async fn only_admins_manage_domains_and_only_verified_ones_become_primary() {
    let (_db, p, _dns) = setup().await;
    let (acme, admin) = workspace(&p, "acme").await;
    let crm = domain(CRM);
    domains::add(&p, &acme, &admin, &crm).await.unwrap();
    let not_verified = domains::make_primary(&p, &acme, &admin, &crm).await;
    assert!(matches!(not_verified, Err(Error::Conflict { .. })));

    let mut as_member = admin.clone();
    as_member.role = domain::Role::Member;
    assert!(matches!(
        domains::view(&p, &acme, &as_member).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        domains::remove(&p, &acme, &as_member, &crm).await,
        Err(Error::Forbidden { .. })
    ));
}
