//! The `tenant_logos` table: one logo per tenant, as the PNG the server re-encoded.

use crate::{Error, TenantId, Tx};

/// A stored logo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    pub png: Vec<u8>,
    /// Changes with every new logo.
    pub etag: String,
}

/// The current tenant's logo, if it has one.
pub async fn find(tx: &mut Tx) -> Result<Option<Logo>, Error> {
    let logo = sqlx::query_as!(
        Logo,
        "select png, etag from tenant_logos where tenant_id = current_tenant_id()"
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(logo)
}

/// The current tenant's logo's ETag, without its bytes.
pub async fn etag(tx: &mut Tx) -> Result<Option<String>, Error> {
    let etag =
        sqlx::query_scalar!("select etag from tenant_logos where tenant_id = current_tenant_id()")
            .fetch_optional(&mut **tx)
            .await?;
    Ok(etag)
}

/// Sets (or replaces) the tenant's logo.
pub async fn put(tx: &mut Tx, tenant: TenantId, logo: &Logo) -> Result<(), Error> {
    sqlx::query!(
        "insert into tenant_logos (tenant_id, png, etag) values ($1, $2, $3)
         on conflict (tenant_id) do update
           set png = excluded.png, etag = excluded.etag, updated_at = now()",
        tenant.0,
        logo.png,
        logo.etag,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the current tenant's logo. False if it had none.
pub async fn delete(tx: &mut Tx) -> Result<bool, Error> {
    let done = sqlx::query!("delete from tenant_logos where tenant_id = current_tenant_id()")
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
