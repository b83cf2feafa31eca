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

/// A member as Settings → Team lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: time::OffsetDateTime,
    pub last_signed_in_at: Option<time::OffsetDateTime>,
}

/// The current tenant's members, admins first, then by name.
pub async fn list(tx: &mut Tx) -> Result<Vec<MemberRow>, Error> {
    let rows = sqlx::query!(
        "select u.id, u.name, u.email, m.role, m.created_at, m.last_signed_in_at
         from tenant_members m join users u on u.id = m.user_id
         where m.tenant_id = current_tenant_id()
         order by m.role = 'admin' desc, lower(u.name), u.email"
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MemberRow {
                user_id: UserId(r.id),
                name: r.name,
                email: r.email,
                role: r
                    .role
                    .parse()
                    .map_err(|_| Error::Data(format!("member role {:?}", r.role)))?,
                joined_at: r.created_at,
                last_signed_in_at: r.last_signed_in_at,
            })
        })
        .collect()
}

/// How many members, and how many of them admins, the current tenant has.
pub async fn counts(tx: &mut Tx) -> Result<(i64, i64), Error> {
    let r = sqlx::query!(
        r#"select count(*) as "members!", count(*) filter (where role = 'admin') as "admins!"
           from tenant_members where tenant_id = current_tenant_id()"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.members, r.admins))
}

/// The member of the current tenant with this email, if any.
pub async fn find_by_email(tx: &mut Tx, email: &domain::Email) -> Result<Option<Member>, Error> {
    let user = sqlx::query_scalar!(
        "select u.id from tenant_members m join users u on u.id = m.user_id
         where m.tenant_id = current_tenant_id() and u.email = $1",
        email.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    match user {
        Some(id) => find(tx, UserId(id)).await,
        None => Ok(None),
    }
}

/// Changes a member's role. False if `user` is not a member.
pub async fn update_role(tx: &mut Tx, user: UserId, role: Role) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenant_members set role = $2 where tenant_id = current_tenant_id() and user_id = $1",
        user.0,
        role.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a member from the current tenant (the account stays). False if not a member.
pub async fn delete(tx: &mut Tx, user: UserId) -> Result<bool, Error> {
    let done = sqlx::query!(
        "delete from tenant_members where tenant_id = current_tenant_id() and user_id = $1",
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a member's sign-in.
pub async fn touch_sign_in(tx: &mut Tx, user: UserId) -> Result<(), Error> {
    sqlx::query!(
        "update tenant_members set last_signed_in_at = now()
         where tenant_id = current_tenant_id() and user_id = $1",
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
