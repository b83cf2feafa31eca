//! The `tenant_members` table: who belongs to the current tenant, and as what.

use domain::Role;

use crate::{Error, TenantId, Tx, UserId};

/// A member of the current tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
}

/// Adds `user` to `tenant`. A second membership fails on `tenant_members_pkey`.
pub async fn insert(tx: &mut Tx, tenant: TenantId, user: UserId, role: Role) -> Result<(), Error> {
    sqlx::query!(
        "insert into tenant_members (tenant_id, user_id, role) values ($1, $2, $3)",
        tenant.0,
        user.0,
        role.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The member of the current tenant with this user id, if the user still belongs to it.
pub async fn find(tx: &mut Tx, user: UserId) -> Result<Option<Member>, Error> {
    let row = sqlx::query!(
        r#"select u.id, u.name, u.email, m.role, u.email_verified_at is not null as "email_verified!"
         from tenant_members m join users u on u.id = m.user_id
         where m.tenant_id = current_tenant_id() and m.user_id = $1"#,
        user.0
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(Member {
            user_id: UserId(r.id),
            name: r.name,
            email: r.email,
            role: r
                .role
                .parse()
                .map_err(|_| Error::Data(format!("member role {:?}", r.role)))?,
            email_verified: r.email_verified,
        })
    })
    .transpose()
}
