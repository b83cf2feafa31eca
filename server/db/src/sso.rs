//! Single sign-on: the workspace's connection, its proven email domains, members' accounts
//! at the provider, sign-ins under way and logout tokens taken (`docs/sso.md`). Every query
//! runs in a transaction with the tenant set.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Error, TenantId, Tx, UserId};

/// The workspace's connection to its identity provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: Vec<u8>,
    pub email_domains: Vec<String>,
    pub require_sso: bool,
}

/// An email domain of the connection and its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailDomain {
    pub domain: String,
    pub token: String,
    pub verified: bool,
}

/// A sign-in under way, taken once.
#[derive(Clone, Debug, PartialEq)]
pub struct Login {
    pub nonce: String,
    pub pkce_verifier_sealed: Vec<u8>,
    pub issuer: String,
    pub client_id: String,
    /// Seconds since it began (not written: the database's clock counts).
    pub age_seconds: f64,
}

/// The current workspace's connection, if it has one.
pub async fn connection(tx: &mut Tx) -> Result<Option<Connection>, Error> {
    let row = sqlx::query!(
        "select issuer, client_id, client_secret_sealed, email_domains, require_sso
         from sso_connections where tenant_id = current_tenant_id()"
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Connection {
        issuer: r.issuer,
        client_id: r.client_id,
        client_secret_sealed: r.client_secret_sealed,
        email_domains: r.email_domains,
        require_sso: r.require_sso,
    }))
}

/// Creates or replaces the current workspace's connection. `secret`: `None` keeps the one
/// stored. False if there is none to keep.
pub async fn save_connection(
    tx: &mut Tx,
    tenant: TenantId,
    issuer: &str,
    client_id: &str,
    secret: Option<&[u8]>,
    email_domains: &[String],
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "insert into sso_connections (tenant_id, issuer, client_id, client_secret_sealed,
                                      email_domains)
         select $1, $2, $3, $4, $5 where $4::bytea is not null
         on conflict (tenant_id) do update
         set issuer = excluded.issuer, client_id = excluded.client_id,
             client_secret_sealed = coalesce($4, sso_connections.client_secret_sealed),
             email_domains = excluded.email_domains, updated_at = now()",
        tenant.0,
        issuer,
        client_id,
        secret,
        email_domains
    )
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    // No secret given and no row yet: nothing to keep.
    let updated = sqlx::query!(
        "update sso_connections
         set issuer = $1, client_id = $2, email_domains = $3, updated_at = now()
         where tenant_id = current_tenant_id()",
        issuer,
        client_id,
        email_domains
    )
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Turns **Require SSO** on or off; false if there is no connection.
pub async fn set_require(tx: &mut Tx, on: bool) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update sso_connections set require_sso = $1, updated_at = now()
         where tenant_id = current_tenant_id()",
        on
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The proof records of the current workspace's email domains.
pub async fn email_domains(tx: &mut Tx) -> Result<Vec<EmailDomain>, Error> {
    let rows = sqlx::query!(
        "select domain, token, verified_at is not null as \"verified!\"
         from sso_email_domains where tenant_id = current_tenant_id() order by domain"
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| EmailDomain {
            domain: r.domain,
            token: r.token,
            verified: r.verified,
        })
        .collect())
}

/// Makes sure each of `domains` has a proof record (a new token for a new one) and drops
/// the records of domains no longer listed.
pub async fn keep_email_domains(
    tx: &mut Tx,
    tenant: TenantId,
    domains: &[String],
    new_token: impl Fn() -> String,
) -> Result<(), Error> {
    sqlx::query!(
        "delete from sso_email_domains
         where tenant_id = current_tenant_id() and not (domain = any($1))",
        domains
    )
    .execute(&mut **tx)
    .await?;
    for domain in domains {
        sqlx::query!(
            "insert into sso_email_domains (tenant_id, domain, token) values ($1, $2, $3)
             on conflict (tenant_id, domain) do nothing",
            tenant.0,
            domain,
            new_token()
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Marks an email domain proven, if it still has `token`.
pub async fn mark_verified(tx: &mut Tx, domain: &str, token: &str) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update sso_email_domains set verified_at = coalesce(verified_at, now())
         where tenant_id = current_tenant_id() and domain = $1 and token = $2",
        domain,
        token
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn hashed(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

/// Records a sign-in under way (the state itself is kept only as a hash), and sweeps the
/// workspace's sign-ins older than `max_age_seconds`.
pub async fn begin_login(
    tx: &mut Tx,
    tenant: TenantId,
    state: &str,
    login: &Login,
    max_age_seconds: f64,
) -> Result<(), Error> {
    sqlx::query!(
        "delete from sso_logins where tenant_id = current_tenant_id()
         and created_at < now() - make_interval(secs => $1)",
        max_age_seconds
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "insert into sso_logins (tenant_id, state_hash, nonce, pkce_verifier_sealed, issuer,
                                 client_id)
         values ($1, $2, $3, $4, $5, $6)",
        tenant.0,
        hashed(state),
        login.nonce,
        login.pkce_verifier_sealed,
        login.issuer,
        login.client_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the sign-in under way with `state`: it is gone after this, whatever follows.
pub async fn take_login(tx: &mut Tx, state: &str) -> Result<Option<Login>, Error> {
    let row = sqlx::query!(
        r#"delete from sso_logins
           where tenant_id = current_tenant_id() and state_hash = $1
           returning nonce, pkce_verifier_sealed, issuer, client_id,
                     extract(epoch from now() - created_at)::float8 as "age!""#,
        hashed(state)
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Login {
        nonce: r.nonce,
        pkce_verifier_sealed: r.pkce_verifier_sealed,
        issuer: r.issuer,
        client_id: r.client_id,
        age_seconds: r.age,
    }))
}

/// The member an account at the provider belongs to.
pub async fn identity(tx: &mut Tx, issuer: &str, subject: &str) -> Result<Option<UserId>, Error> {
    let user = sqlx::query_scalar!(
        "select user_id from sso_identities
         where tenant_id = current_tenant_id() and issuer = $1 and subject = $2",
        issuer,
        subject
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(user.map(UserId))
}

/// Takes a logout token by its `jti` (kept as a hash until it expires, `expires_at` in
/// seconds since the epoch): true the first time, false for a replay. Sweeps the
/// workspace's expired ones.
pub async fn take_logout_token(
    tx: &mut Tx,
    tenant: TenantId,
    jti: &str,
    expires_at: i64,
) -> Result<bool, Error> {
    sqlx::query!(
        "delete from sso_logout_tokens where tenant_id = current_tenant_id()
         and expires_at < now()"
    )
    .execute(&mut **tx)
    .await?;
    let taken = sqlx::query!(
        "insert into sso_logout_tokens (tenant_id, jti_hash, expires_at) values ($1, $2, to_timestamp($3::float8))
         on conflict do nothing",
        tenant.0,
        hashed(jti),
        expires_at as f64
    )
    .execute(&mut **tx)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// Whether `user` has an account at `issuer` linked (then only that account signs them in).
pub async fn has_identity(tx: &mut Tx, user: UserId, issuer: &str) -> Result<bool, Error> {
    let found = sqlx::query_scalar!(
        r#"select exists (select 1 from sso_identities
                          where tenant_id = current_tenant_id() and user_id = $1
                            and issuer = $2) as "found!""#,
        user.0,
        issuer
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(found)
}

/// Links an account at the provider to a member.
pub async fn link(
    tx: &mut Tx,
    tenant: TenantId,
    issuer: &str,
    subject: &str,
    user: UserId,
) -> Result<(), Error> {
    sqlx::query!(
        "insert into sso_identities (tenant_id, issuer, subject, user_id)
         values ($1, $2, $3, $4)",
        tenant.0,
        issuer,
        subject,
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether an admin of the workspace has signed in through the provider at `issuer`.
pub async fn admin_has_signed_in(tx: &mut Tx, issuer: &str) -> Result<bool, Error> {
    let found = sqlx::query_scalar!(
        r#"select exists (
             select 1 from sso_identities i
             join tenant_members m on m.tenant_id = i.tenant_id and m.user_id = i.user_id
             where i.tenant_id = current_tenant_id() and i.issuer = $1 and m.role = 'admin'
           ) as "found!""#,
        issuer
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(found)
}

/// Whether a workspace uses single sign-on, and requires it (the console's own role).
pub async fn of_tenant(
    db: impl sqlx::PgExecutor<'_>,
    tenant: Uuid,
) -> Result<Option<(String, bool)>, Error> {
    let row = sqlx::query!(
        "select issuer, require_sso from sso_connections where tenant_id = $1",
        tenant
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.issuer, r.require_sso)))
}
