//! The `users` table: global accounts. Row-level security shows a user to a tenant only
//! through a membership of that tenant.

use domain::{Email, PersonName, Role};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Error, Tx, UserId, credentials::PasswordHash};

/// An account's id, name and password hash.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user_id: UserId,
    pub name: String,
    pub password_hash: PasswordHash,
}

/// The credentials and role of a member of the current tenant with this email, if any.
pub async fn find_member_credentials(
    tx: &mut Tx,
    email: &Email,
) -> Result<Option<(Credentials, Role)>, Error> {
    let row = sqlx::query!(
        "select u.id, u.name, u.password_hash, m.role
         from users u join tenant_members m on m.user_id = u.id
         where m.tenant_id = current_tenant_id() and u.email = $1",
        email.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let role = r
            .role
            .parse()
            .map_err(|_| Error::Data(format!("member role {:?}", r.role)))?;
        let credentials = Credentials {
            user_id: UserId(r.id),
            name: r.name,
            password_hash: PasswordHash::from_stored(r.password_hash),
        };
        Ok((credentials, role))
    })
    .transpose()
}

/// Any account's credentials by email, whatever tenant it belongs to (a definer function):
/// only for a person proving who they are before they join a tenant.
pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    email: &Email,
) -> Result<Option<Credentials>, Error> {
    let row = sqlx::query!(
        r#"select id as "id!", name as "name!", password_hash as "password_hash!"
           from user_credentials($1)"#,
        email.as_str()
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Credentials {
        user_id: UserId(r.id),
        name: r.name,
        password_hash: PasswordHash::from_stored(r.password_hash),
    }))
}

/// Creates an account. A taken email fails on the constraint `users_email_key`.
///
/// No `RETURNING`: the new row is not visible to the tenant until its membership exists.
pub async fn insert(
    tx: &mut Tx,
    email: &Email,
    name: &PersonName,
    password_hash: &PasswordHash,
) -> Result<UserId, Error> {
    let id = UserId(Uuid::new_v4());
    sqlx::query!(
        "insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)",
        id.0,
        email.as_str(),
        name.as_str(),
        password_hash.as_str(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
