//! The `sessions` table as a tower-sessions store.
//!
//! Sessions are tenant-owned rows under row-level security, but tower-sessions calls the
//! store without any request context. The Host middleware therefore runs each request
//! inside [`REQUEST_SCOPE`]`.scope(..)`, and the store scopes its transactions to that
//! scope's tenant. Outside a tenant host there is no session: `load` finds nothing and
//! `save` refuses.
//!
//! tower-sessions answers a failed save with a bare 500. When the cause is a database that
//! is away (a restart), the store notes it in the scope, so that the middleware can answer
//! 503 with `Retry-After` instead.
//!
//! Records are keyed by the SHA-256 of the session id, so reading the table gives nothing
//! that works as a cookie.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{Error as StoreError, Result as StoreResult},
};
use uuid::Uuid;

use crate::{Error, TenantId, Tx, begin_tenant};

tokio::task_local! {
    /// The request being served, as the Host middleware resolved it.
    pub static REQUEST_SCOPE: Arc<RequestScope>;
}

/// What the session store knows of the request it serves.
#[derive(Debug, Default)]
pub struct RequestScope {
    tenant: Option<TenantId>,
    store_unavailable: AtomicBool,
}

impl RequestScope {
    /// The scope of a request for `tenant` (`None`: not a tenant host).
    pub fn new(tenant: Option<TenantId>) -> RequestScope {
        RequestScope {
            tenant,
            store_unavailable: AtomicBool::new(false),
        }
    }

    /// Whether the store failed because the database was away.
    pub fn store_was_unavailable(&self) -> bool {
        self.store_unavailable.load(Ordering::Relaxed)
    }
}

/// The current request's tenant, if it is on a tenant host.
fn scope_tenant() -> Option<TenantId> {
    REQUEST_SCOPE.try_with(|scope| scope.tenant).ok().flatten()
}

/// The session data key holding the signed-in user's id (also stored in its own column so
/// that a user's sessions can be ended).
pub const USER_ID_KEY: &str = "user_id";

/// A tower-sessions store over the `sessions` table, on the request pool.
#[derive(Clone, Debug)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> PgSessionStore {
        PgSessionStore { pool }
    }

    async fn begin(&self) -> StoreResult<Option<(Tx, TenantId)>> {
        let Some(tenant) = scope_tenant() else {
            return Ok(None);
        };
        begin_tenant(&self.pool, tenant)
            .await
            .map(|tx| Some((tx, tenant)))
            .map_err(backend)
    }
}

fn id_hash(id: &Id) -> Vec<u8> {
    Sha256::digest(id.to_string().as_bytes()).to_vec()
}

fn backend(e: impl Into<Error>) -> StoreError {
    let e = e.into();
    if e.is_unavailable() {
        let _ =
            REQUEST_SCOPE.try_with(|scope| scope.store_unavailable.store(true, Ordering::Relaxed));
    }
    StoreError::Backend(format!("{e:?}"))
}

fn user_id(record: &Record) -> Option<Uuid> {
    record
        .data
        .get(USER_ID_KEY)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let Some((mut tx, tenant)) = self.begin().await? else {
            return Err(StoreError::Backend(
                "sessions exist only on tenant hosts".into(),
            ));
        };
        let data =
            serde_json::to_value(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        // A fresh id colliding with an existing one of this workspace is all but impossible;
        // if it happens, draw another rather than overwrite someone else's session.
        loop {
            let inserted = sqlx::query!(
                "insert into sessions (id_hash, tenant_id, user_id, data, expires_at)
                 values ($1, $2, $3, $4, $5) on conflict (tenant_id, id_hash) do nothing",
                id_hash(&record.id),
                tenant.0,
                user_id(record),
                data,
                record.expiry_date,
            )
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                break;
            }
            record.id = Id::default();
        }
        tx.commit().await.map_err(backend)
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let Some((mut tx, tenant)) = self.begin().await? else {
            return Err(StoreError::Backend(
                "sessions exist only on tenant hosts".into(),
            ));
        };
        let data =
            serde_json::to_value(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        sqlx::query!(
            "insert into sessions (id_hash, tenant_id, user_id, data, expires_at)
             values ($1, $2, $3, $4, $5)
             on conflict (tenant_id, id_hash) do update
               set user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at",
            id_hash(&record.id),
            tenant.0,
            user_id(record),
            data,
            record.expiry_date,
        )
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let Some((mut tx, _)) = self.begin().await? else {
            return Ok(None);
        };
        let row = sqlx::query!(
            "select data, expires_at from sessions
             where tenant_id = current_tenant_id() and id_hash = $1 and expires_at > now()",
            id_hash(id)
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| {
            let data =
                serde_json::from_value(r.data).map_err(|e| StoreError::Decode(e.to_string()))?;
            Ok(Record {
                id: *id,
                data,
                expiry_date: r.expires_at,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        let Some((mut tx, _)) = self.begin().await? else {
            return Ok(());
        };
        sqlx::query!(
            "delete from sessions where tenant_id = current_tenant_id() and id_hash = $1",
            id_hash(id)
        )
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }
}

/// Ends every session of `user` in the current tenant (the member was removed).
pub async fn delete_for_user(tx: &mut Tx, user: crate::UserId) -> Result<u64, Error> {
    let done = sqlx::query!(
        "delete from sessions where tenant_id = current_tenant_id() and user_id = $1",
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a tenant (suspension, rejection). Owner pool: any tenant.
pub async fn delete_for_tenant(tx: &mut Tx, tenant: TenantId) -> Result<u64, Error> {
    let done = sqlx::query!("delete from sessions where tenant_id = $1", tenant.0)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Removes expired sessions of every tenant (the housekeeping worker, owner pool).
pub async fn delete_expired(owner: &PgPool) -> Result<u64, Error> {
    let done = sqlx::query!("delete from sessions where expires_at <= now()")
        .execute(owner)
        .await?;
    Ok(done.rows_affected())
}
