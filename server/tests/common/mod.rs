//! The HTTP test harness: the real router on a random port, on a fresh database.

#![allow(dead_code)]

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

/// A running server on a fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The apex host, `localhost:<port>`.
    pub apex: String,
    pub state: AppState,
    pub test_db: TestDb,
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
        capture_logs();
        let test_db = TestDb::new().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let apex = format!("localhost:{}", addr.port());
        let defaults = [("APP_DOMAIN", apex.as_str()), ("DEV_MAIL", "1")];
        let config = Config::from_lookup(|name| {
            vars.iter()
                .chain(defaults.iter())
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
        .unwrap();
        let options = LeptosOptions::builder().output_name("hcrm").build();
        let state = startup::state(&config, test_db.db.clone(), options);
        let router = startup::router(state.clone());
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
            test_db,
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
        cli::execute(&command, &self.state.db, &self.state.links).await
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
        sqlx_exec(&self.state.db.owner, sql).await;
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
