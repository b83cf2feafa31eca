//! `GET /api/health`: the database's state, and the tenant on a tenant host.

use std::time::Duration;

use app::ssr::{AppState, RequestSite};
use axum::{Extension, Json, extract::State};
use serde_json::{Value, json};

pub async fn health(
    State(state): State<AppState>,
    site: Option<Extension<RequestSite>>,
) -> Json<Value> {
    let ping = db::ping(&state.platform.db.app);
    let database = match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => "ok",
        _ => "unavailable",
    };
    let tenant = match site.map(|Extension(site)| site) {
        Some(RequestSite::Tenant(t)) => json!({ "id": t.id, "slug": t.slug, "status": t.status }),
        _ => Value::Null,
    };
    Json(json!({ "status": "ok", "database": database, "tenant": tenant }))
}
