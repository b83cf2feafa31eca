//! The HTTP test harness: the real router on a random port, on a fresh database.

#![allow(dead_code)]

pub mod smtp;
pub mod sso;

use std::{net::SocketAddr, time::Duration};

use app::ssr::AppState;
use db::testing::TestDb;
use leptos::config::LeptosOptions;
use reqwest::{Method, RequestBuilder, Response};
use server::{
    cli::{self, Command},
    config::Config,
    startup,
};
use usecases::sealing::SealingKey;

/// A running server on a fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The apex host, `localhost:<port>`.
    pub apex: String,
    pub state: AppState,
    /// The instance's life cycle and metrics settings (a test may start its drain).
    pub operations: server::http::ops::Operations,
    /// The test's own database, dropped with the app (`None`: the test brought its own).
    _test_db: Option<TestDb>,
    client: reqwest::Client,
}

/// Longer than any request takes, even in a debug build on a busy machine.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends the server's log, as the server filters it, to the test's captured output
/// (`RUST_LOG` to change what).
fn capture_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(server::telemetry::filter(server::telemetry::SERVER_LOG))
        .with_test_writer()
        .try_init();
}

/// A tenant provisioned through the CLI's own code.
pub struct TestTenant {
    pub slug: String,
    pub api_key: String,
    pub invite_path: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Spawns with extra configuration, e.g. `[("INTAKE_LIMIT", "2/1m")]`.
    pub async fn spawn_with(vars: &[(&str, &str)]) -> TestApp {
        let test_db = TestDb::new().await;
        let db = test_db.db.clone();
        TestApp::spawn_on(db, Some(test_db), vars).await
    }

    /// Spawns on a database the test opened itself (`keep` is dropped with the app).
    pub async fn spawn_on(
        db: db::Database,
        keep: Option<TestDb>,
        vars: &[(&str, &str)],
    ) -> TestApp {
        capture_logs();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let listener = startup::without_delay(listener);
        let apex = format!("localhost:{}", addr.port());
        // Staff two-factor is required by default; a test that is about it says so.
        let defaults = [
            ("APP_DOMAIN", apex.as_str()),
            ("DEV_MAIL", "1"),
            ("STAFF_TWO_FACTOR", "optional"),
        ];
        let config = Config::from_lookup(|name| {
            vars.iter()
                .chain(defaults.iter())
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
        .unwrap();
        // The static files' folder: none unless the test names one.
        let site_root = vars
            .iter()
            .find(|(key, _)| *key == "LEPTOS_SITE_ROOT")
            .map_or("target/site", |(_, value)| *value);
        let leptos_options = LeptosOptions::builder()
            .output_name("hcrm")
            .site_root(site_root)
            .build();
        let mut platform = config.platform(db).unwrap();
        // A key of the test's own, not the checkout's key file.
        platform.sealing_key = SealingKey::generate();
        let state = AppState::new(leptos_options, platform);
        server::http::ops::install_recorder();
        let operations = server::http::ops::Operations {
            lifecycle: Default::default(),
            metrics_token: config.metrics_token.clone(),
            edge_token: config.edge_token.clone(),
        };
        let router = startup::router(state.clone(), operations.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        // A request that hangs fails the test, instead of the whole run, and shows the
        // server's log of it (captured per test, printed on failure).
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap();
        TestApp {
            addr,
            apex,
            state,
            operations,
            _test_db: keep,
            client,
        }
    }

    pub fn tenant_host(&self, slug: &str) -> String {
        format!("{slug}.{}", self.apex)
    }

    /// A request to `path` on `host` (the server resolves the site from the Host header).
    pub fn request(&self, method: Method, host: &str, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("http://{}{path}", self.addr))
            .header("Host", host)
    }

    /// GETs `path` on `host` and reads the JSON answer.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, host: &str, path: &str) -> T {
        let response = self.request(Method::GET, host, path).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// A state-changing request from the host's own pages (Origin set as a browser would).
    pub fn post_from_page(&self, host: &str, path: &str) -> RequestBuilder {
        self.request(Method::POST, host, path)
            .header("Origin", format!("http://{host}"))
    }

    /// Posts a lead with `key`.
    pub async fn post_lead(&self, slug: &str, key: &str, body: serde_json::Value) -> Response {
        self.request(Method::POST, &self.tenant_host(slug), "/api/leads/intake")
            .header("X-API-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Runs a CLI command against this app's database.
    pub async fn cli(&self, command: Command) -> Result<String, cli::CliError> {
        cli::validate(&command)?;
        cli::execute(&command, &self.state.platform).await
    }

    /// Provisions an active tenant with the CLI's code and reads its printed block.
    pub async fn provision(&self, slug: &str) -> TestTenant {
        let out = self
            .cli(Command::ProvisionTenant {
                slug: slug.into(),
                name: format!("{slug} Ltd"),
                admin_email: format!("admin@{slug}.test"),
            })
            .await
            .unwrap();
        let api_key = out
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("hcrm_"))
            .unwrap()
            .to_owned();
        let invite_url = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Admin invite:"))
            .unwrap()
            .trim()
            .to_owned();
        let invite_path = invite_url[invite_url.find("/invite/").unwrap()..].to_owned();
        TestTenant {
            slug: slug.into(),
            api_key,
            invite_path,
        }
    }

    /// Runs SQL as the owner (for arranging states the product has no door for yet).
    pub async fn owner_sql(&self, sql: &str) {
        sqlx_exec(&self.state.platform.db.owner, sql).await;
    }
}

async fn sqlx_exec(pool: &db::PgPool, sql: &str) {
    db::testing::execute(pool, sql).await;
}

impl TestApp {
    /// Calls a server function from `host`'s own pages with `cookie`; returns the response.
    pub async fn call<S: leptos::server_fn::ServerFn>(
        &self,
        host: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Response {
        match cookie {
            Some(cookie) => self.call_with::<S>(host, form, &[("Cookie", cookie)]).await,
            None => self.call_with::<S>(host, form, &[]).await,
        }
    }

    /// Calls a server function from `host`'s own pages with extra headers.
    pub async fn call_with<S: leptos::server_fn::ServerFn>(
        &self,
        host: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self
            .post_from_page(host, S::url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(form));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// Makes the staff account `email` (unless it exists) and signs it in on the apex:
    /// `hcrm_staff=…`.
    pub async fn staff_session(&self, email: &str, password: &str) -> String {
        let p = &self.state.platform;
        let address = domain::Email::parse(email).unwrap();
        if db::staff::credentials(&p.db.owner, &address)
            .await
            .unwrap()
            .is_none()
        {
            let (_, token) =
                usecases::staff_accounts::create_staff(p, &address, &usecases::Actor::Cli)
                    .await
                    .unwrap();
            usecases::staff_accounts::set_password(p, &token, password.into())
                .await
                .unwrap();
        }
        let signed_in = self
            .call::<app::api::console::auth::StaffSignIn>(
                &self.apex,
                None,
                &[("email", email), ("password", password)],
            )
            .await;
        let status = signed_in.status();
        let value = set_cookie(&signed_in, "hcrm_staff");
        assert!(
            value.is_some(),
            "staff sign-in sets hcrm_staff: {status} {:?}",
            signed_in.text().await
        );
        format!("hcrm_staff={}", value.unwrap())
    }

    /// Accepts a tenant's admin invite as a new person; returns the session cookie.
    pub async fn accept_invite(&self, tenant: &TestTenant, password: &str) -> String {
        let token = tenant.invite_path.trim_start_matches("/invite/");
        let response = self
            .call::<app::api::invites::AcceptInvite>(
                &self.tenant_host(&tenant.slug),
                None,
                &[
                    ("token", token),
                    ("name", "Ada Admin"),
                    ("password", password),
                ],
            )
            .await;
        assert!(
            response.status().is_success(),
            "{:?}",
            response.text().await
        );
        session_cookie(&response).expect("signing in sets the session cookie")
    }
}

/// `name=value` of the session cookie a response sets, if any.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hcrm_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

fn serde_urlencoded_pairs(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            let v: String = url_encode(v);
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn url_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl TestApp {
    /// The emails to `address` that the dev mailbox shows, newest first.
    pub async fn mail_to(&self, address: &str) -> Vec<serde_json::Value> {
        let path = format!("/__dev/mail?to={}", url_encode(address));
        self.get_json(&self.apex, &path).await
    }

    /// The first link in the newest email to `address` whose path starts with `prefix`
    /// (e.g. `/invite/`): that path.
    pub async fn emailed_path(&self, address: &str, prefix: &str) -> String {
        let mail = self.mail_to(address).await;
        let text = mail
            .iter()
            .filter_map(|m| m["text"].as_str())
            .find(|t| t.contains(prefix))
            .unwrap_or_else(|| panic!("no email to {address} with {prefix}: {mail:?}"))
            .to_owned();
        let start = text.find(prefix).unwrap();
        text[start..].split_whitespace().next().unwrap().to_owned()
    }

    /// Follows a signup's hand-off as the browser that signed up would, holding the
    /// signup's apex cookie: the session cookie on the workspace's host, if it got one.
    pub async fn follow_handoff(
        &self,
        slug: &str,
        handoff_url: &str,
        browser_secret: &str,
    ) -> Option<String> {
        let host = self.tenant_host(slug);
        let path = &handoff_url[handoff_url.find("/handoff/")?..];
        let bound = self.request(Method::GET, &host, path).send().await.unwrap();
        let confirm = location(&bound)?;
        let nonce = set_cookie(&bound, "hcrm_handoff")?;
        let confirm_path = &confirm[confirm.find("/handoff/")?..];
        let confirmed = self
            .request(Method::GET, &self.apex, confirm_path)
            .header("Cookie", format!("hcrm_signup={browser_secret}"))
            .send()
            .await
            .unwrap();
        let finish = location(&confirmed)?;
        let finish_path = &finish[finish.find("/handoff/")?..];
        let finished = self
            .request(Method::GET, &host, finish_path)
            .header("Cookie", format!("hcrm_handoff={nonce}"))
            .send()
            .await
            .unwrap();
        (location(&finished).as_deref() == Some("/welcome")).then(|| session_cookie(&finished))?
    }
}

/// The actions of the forms in `html` that post to a server function.
pub fn form_actions(html: &str) -> Vec<String> {
    html.split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|action| action.starts_with(app::SERVER_FN_PREFIX))
        .map(str::to_owned)
        .collect()
}

/// The `Location` a response redirects to.
pub fn location(response: &Response) -> Option<String> {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The value a response sets for cookie `name`, if it does (and not to remove it).
pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    set_cookies(response, name).into_iter().next()
}

/// Every value a response sets for cookie `name`, in order (removals left out).
pub fn set_cookies(response: &Response, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .filter(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
        .collect()
}
