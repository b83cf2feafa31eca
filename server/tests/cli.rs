//! The staff CLI's commands, run through the same code as `cargo hcrm`.

// Tests unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use server::cli::{CliError, Command};

fn is_usage(result: &Result<String, CliError>) -> bool {
    matches!(result, Err(CliError::Usage(_)))
}

#[tokio::test]
async fn bad_provisioning_arguments_are_usage_errors_and_write_nothing() {
    let app = TestApp::spawn().await;
    let attempts = [
        ("-acme", "Acme", "a@acme.test"),
        ("ACME CO", "Acme", "a@acme.test"),
        ("xn--acme", "Acme", "a@acme.test"),
        ("admin", "Acme", "a@acme.test"),
        ("acme", "", "a@acme.test"),
        ("acme", "Acme", "not an email"),
    ];
    for (slug, name, email) in attempts {
        let result = app
            .cli(Command::ProvisionTenant {
                slug: slug.into(),
                name: name.into(),
                admin_email: email.into(),
            })
            .await;
        assert!(is_usage(&result), "{slug:?} {name:?} {email:?}: {result:?}");
    }
    let tenants =
        db::testing::scalar_i64(&app.state.platform.db.owner, "select count(*) from tenants").await;
    assert_eq!(tenants, 0);
}

#[tokio::test]
async fn staff_may_provision_one_and_two_letter_subdomains() {
    let app = TestApp::spawn().await;
    app.provision("x").await;
    app.provision("hq").await;
}

#[tokio::test]
async fn a_taken_subdomain_is_a_usage_error() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    let again = app
        .cli(Command::ProvisionTenant {
            slug: "acme".into(),
            name: "Other".into(),
            admin_email: "b@b.test".into(),
        })
        .await;

    assert!(matches!(again, Err(CliError::Usage(ref m)) if m.contains("taken")));
}

#[tokio::test]
async fn the_life_cycle_follows_its_rules() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.owner_sql("update tenants set status = 'pending'").await;

    assert!(is_usage(
        &app.cli(Command::Suspend {
            slug: "acme".into(),
            reason: "r".into()
        })
        .await
    ));
    assert!(is_usage(
        &app.cli(Command::Reactivate {
            slug: "acme".into()
        })
        .await
    ));
    let approved = app
        .cli(Command::Approve {
            slug: "acme".into(),
        })
        .await
        .unwrap();
    assert!(approved.contains("live"));
    assert!(
        is_usage(
            &app.cli(Command::Approve {
                slug: "acme".into()
            })
            .await
        ),
        "approving twice"
    );
    app.cli(Command::Suspend {
        slug: "acme".into(),
        reason: "Unpaid".into(),
    })
    .await
    .unwrap();
    app.cli(Command::Reactivate {
        slug: "acme".into(),
    })
    .await
    .unwrap();
    assert!(
        is_usage(
            &app.cli(Command::Approve {
                slug: "nobody".into()
            })
            .await
        ),
        "unknown slug"
    );

    let actions = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select string_agg(action, ',' order by created_at) from audit_log",
    )
    .await;
    assert_eq!(
        actions,
        "tenant.provisioned,tenant.approve,tenant.suspend,tenant.reactivate"
    );
}

#[tokio::test]
async fn a_pending_signup_can_be_rejected_with_a_reason() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.owner_sql("update tenants set status = 'pending'").await;

    app.cli(Command::Reject {
        slug: "acme".into(),
        reason: "Spam".into(),
    })
    .await
    .unwrap();

    let (status, reason) = (
        db::testing::scalar_string(&app.state.platform.db.owner, "select status from tenants")
            .await,
        db::testing::scalar_string(
            &app.state.platform.db.owner,
            "select status_reason from tenants",
        )
        .await,
    );
    assert_eq!((status.as_str(), reason.as_str()), ("rejected", "Spam"));
}

#[tokio::test]
async fn suspending_ends_the_tenants_sessions_only() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;
    app.provision("other").await;
    app.owner_sql(
        "insert into sessions (id_hash, tenant_id, data, expires_at)
         select sha256(slug::bytea), id, '{}', now() + interval '1 hour' from tenants",
    )
    .await;

    let out = app
        .cli(Command::Suspend {
            slug: "acme".into(),
            reason: "Unpaid".into(),
        })
        .await
        .unwrap();

    assert!(out.contains("1 session(s) ended"), "{out}");
    let left = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select string_agg(t.slug, ',') from sessions s join tenants t on t.id = s.tenant_id",
    )
    .await;
    assert_eq!(left, "other");
}

#[tokio::test]
async fn deleting_needs_yes_then_removes_everything_but_the_audit_and_quarantines_the_name() {
    let app = TestApp::spawn().await;
    app.provision("acme").await;

    assert!(is_usage(
        &app.cli(Command::DeleteTenant {
            slug: "acme".into(),
            yes: false
        })
        .await
    ));
    app.cli(Command::DeleteTenant {
        slug: "acme".into(),
        yes: true,
    })
    .await
    .unwrap();

    let owner = &app.state.platform.db.owner;
    for table in [
        "tenants",
        "pipeline_stages",
        "tenant_invites",
        "tenant_members",
        "leads",
    ] {
        let n = db::testing::scalar_i64(owner, &format!("select count(*) from {table}")).await;
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(
        db::testing::scalar_i64(owner, "select count(*) from audit_log").await,
        2
    );
    let again = app
        .cli(Command::ProvisionTenant {
            slug: "acme".into(),
            name: "Acme".into(),
            admin_email: "a@a.test".into(),
        })
        .await;
    assert!(matches!(again, Err(CliError::Usage(ref m)) if m.contains("quarantined")));
}

fn link_path(out: &str) -> String {
    let url = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("http://"))
        .unwrap();
    url[url.find("/admin/setup/").unwrap()..].to_owned()
}

#[tokio::test]
async fn create_staff_prints_a_link_that_sets_the_password_once() {
    use app::api::staff::SetStaffPassword;

    let app = TestApp::spawn().await;
    let out = app
        .cli(Command::CreateStaff {
            email: "Ops@HREF.test".into(),
        })
        .await
        .unwrap();
    assert!(
        out.contains("Staff account created for ops@href.test"),
        "{out}"
    );
    let path = link_path(&out);
    let token = path.trim_start_matches("/admin/setup/").to_owned();

    let page = app
        .request(reqwest::Method::GET, &app.apex, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let weak = app
        .call::<SetStaffPassword>(
            &app.apex,
            None,
            &[("token", &token), ("password", "password1")],
        )
        .await;
    assert_eq!(weak.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let set = app
        .call::<SetStaffPassword>(
            &app.apex,
            None,
            &[("token", &token), ("password", "quiet harbour lantern")],
        )
        .await;
    assert!(set.status().is_success());
    let again = app
        .call::<SetStaffPassword>(
            &app.apex,
            None,
            &[("token", &token), ("password", "quiet harbour lantern")],
        )
        .await;
    assert_eq!(
        again.status(),
        reqwest::StatusCode::NOT_FOUND,
        "the link works once"
    );

    let hash = db::testing::scalar_string(
        &app.state.platform.db.owner,
        "select password_hash from staff_users",
    )
    .await;
    assert!(hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn create_staff_again_replaces_the_earlier_link() {
    let app = TestApp::spawn().await;
    let first = link_path(
        &app.cli(Command::CreateStaff {
            email: "ops@href.test".into(),
        })
        .await
        .unwrap(),
    );
    let out = app
        .cli(Command::CreateStaff {
            email: "ops@href.test".into(),
        })
        .await
        .unwrap();
    let second = link_path(&out);

    assert!(out.contains("Staff account exists"));
    let old = app
        .request(reqwest::Method::GET, &app.apex, &first)
        .send()
        .await
        .unwrap();
    let new = app
        .request(reqwest::Method::GET, &app.apex, &second)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), reqwest::StatusCode::GONE);
    assert_eq!(new.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn create_staff_refuses_a_bad_email() {
    let app = TestApp::spawn().await;
    assert!(is_usage(
        &app.cli(Command::CreateStaff {
            email: "nope".into()
        })
        .await
    ));
}

#[tokio::test]
async fn staff_sessions_end_and_disable_staff_end_an_accounts_sessions() {
    let app = TestApp::spawn().await;
    let first = app
        .staff_session("ops@href.test", "quiet harbour lantern")
        .await;
    let second = app
        .staff_session("ops@href.test", "quiet harbour lantern")
        .await;
    let sessions = || {
        db::testing::scalar_i64(
            &app.state.platform.db.owner,
            "select count(*) from staff_sessions",
        )
    };
    assert_eq!(sessions().await, 2);
    assert_ne!(first, second);

    let ended = app
        .cli(Command::StaffSessions {
            action: server::cli::StaffSessionsAction::End {
                email: "ops@href.test".into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(ended, "Ended 2 session(s) of ops@href.test.\n");
    assert_eq!(sessions().await, 0);

    app.staff_session("ops@href.test", "quiet harbour lantern")
        .await;
    let disabled = app
        .cli(Command::DisableStaff {
            email: "ops@href.test".into(),
        })
        .await
        .unwrap();
    assert!(
        disabled.starts_with("Disabled the staff account ops@href.test"),
        "{disabled}"
    );
    assert_eq!(sessions().await, 0);
    let refused = app
        .call::<app::api::console::auth::StaffSignIn>(
            &app.apex,
            None,
            &[
                ("email", "ops@href.test"),
                ("password", "quiet harbour lantern"),
            ],
        )
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_staff_commands_name_a_bad_or_unknown_email() {
    let app = TestApp::spawn().await;

    let bad = app
        .cli(Command::DisableStaff {
            email: "not an email".into(),
        })
        .await;
    let unknown = app
        .cli(Command::StaffSessions {
            action: server::cli::StaffSessionsAction::End {
                email: "nobody@href.test".into(),
            },
        })
        .await;

    assert!(is_usage(&bad), "{bad:?}");
    assert!(
        matches!(&unknown, Err(CliError::Usage(m)) if m.contains("nobody@href.test")),
        "{unknown:?}"
    );
}
