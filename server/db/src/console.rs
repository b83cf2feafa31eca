//! What the staff console reads across tenants, on the console's own pool
//! ([`crate::Database::console`]): the tenant list with its search, filter, sort and keyset
//! pages, one tenant's details, the audit log and the outbox. The role behind that pool can
//! read none of the secrets (`docs/console.md`, "Its database role").
//!
//! The list's SQL is put together from fixed fragments (the sort and the direction choose
//! them); every value the staff typed is a bound parameter.

use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, TenantId, Tx, tenants::parse_status};
use domain::{Plan, TenantStatus};

/// How the tenant list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
}

/// A row's place in its order: what a keyset page starts after (or before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortKey {
    Created(OffsetDateTime, Uuid),
    Name(String, Uuid),
}

/// Which page of the list: the first, the rows after a key, or the rows before one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Page {
    #[default]
    First,
    After(SortKey),
    Before(SortKey),
}

/// The list's question.
#[derive(Clone, Debug, Default)]
pub struct TenantQuery {
    /// A `LIKE` pattern (already escaped and wrapped in `%`), matched against the
    /// subdomain, the display name (ignoring case) and the admins' emails.
    pub pattern: Option<String>,
    pub status: Option<TenantStatus>,
    pub sort: Sort,
    pub page: Page,
    pub limit: i64,
}

/// One tenant as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub plan: Plan,
    pub admin_email: Option<String>,
    pub admin_verified: bool,
    pub members: i64,
    pub leads_this_month: i64,
    pub created_at: OffsetDateTime,
}

impl TenantRow {
    /// Where this row sits in `sort`.
    pub fn key(&self, sort: Sort) -> SortKey {
        match sort {
            Sort::Newest | Sort::Oldest => SortKey::Created(self.created_at, self.id.0),
            Sort::Name => SortKey::Name(self.name.clone(), self.id.0),
        }
    }
}

#[derive(FromRow)]
struct RawRow {
    id: Uuid,
    slug: String,
    name: String,
    status: String,
    plan: String,
    admin_email: Option<String>,
    admin_verified: Option<bool>,
    members: i64,
    leads_this_month: i64,
    created_at: OffsetDateTime,
}

impl TryFrom<RawRow> for TenantRow {
    type Error = Error;

    fn try_from(r: RawRow) -> Result<TenantRow, Error> {
        Ok(TenantRow {
            id: TenantId(r.id),
            slug: r.slug,
            name: r.name,
            status: parse_status(&r.status)?,
            plan: r
                .plan
                .parse()
                .map_err(|_| Error::Data("unknown plan in tenants.plan".into()))?,
            admin_email: r.admin_email,
            admin_verified: r.admin_verified.unwrap_or(false),
            members: r.members,
            leads_this_month: r.leads_this_month,
            created_at: r.created_at,
        })
    }
}

/// The tenants that match the search, as a subquery of ids (a definer function: see the
/// migration `20261203000000_console.sql`).
fn push_matches(q: &mut QueryBuilder<'_, Postgres>, pattern: &str) {
    q.push("t.id in (select console_matching_tenants(")
        .push_bind(pattern.to_owned())
        .push("))");
}

fn push_filters(q: &mut QueryBuilder<'_, Postgres>, query: &TenantQuery) {
    q.push(" where true");
    if let Some(pattern) = &query.pattern {
        q.push(" and ");
        push_matches(q, pattern);
    }
    if let Some(status) = query.status {
        q.push(" and t.status = ").push_bind(status.as_str());
    }
}

/// One page of the tenant list, in `query.sort` order, and whether rows remain beyond the
/// page in the direction it was read (`limit + 1` rows are read to know).
pub async fn tenants(db: &PgPool, query: &TenantQuery) -> Result<(Vec<TenantRow>, bool), Error> {
    // Reading backwards (Previous) walks the order reversed, then turns the page around.
    let backwards = matches!(query.page, Page::Before(_));
    let ascending = matches!(query.sort, Sort::Oldest | Sort::Name) != backwards;
    let (cmp, dir) = if ascending {
        (">", "asc")
    } else {
        ("<", "desc")
    };
    let columns = match query.sort {
        Sort::Newest | Sort::Oldest => "t.created_at, t.id",
        Sort::Name => "t.name, t.id",
    };

    let mut q = QueryBuilder::<Postgres>::new(
        "with page as (select t.id, t.slug, t.name, t.status, t.plan, t.created_at from tenants t",
    );
    push_filters(&mut q, query);
    match &query.page {
        Page::First => {}
        Page::After(key) | Page::Before(key) => {
            q.push(format_args!(" and ({columns}) {cmp} ("));
            match key {
                SortKey::Created(at, id) => q.push_bind(*at).push(", ").push_bind(*id),
                SortKey::Name(name, id) => q.push_bind(name.clone()).push(", ").push_bind(*id),
            };
            q.push(")");
        }
    }
    let order = match query.sort {
        Sort::Newest | Sort::Oldest => format!("created_at {dir}, id {dir}"),
        Sort::Name => format!("name {dir}, id {dir}"),
    };
    q.push(format_args!(" order by t.{order} limit "))
        .push_bind(query.limit + 1)
        .push(
            ") select p.id, p.slug, p.name, p.status, p.plan, p.created_at, \
             a.email as admin_email, a.verified as admin_verified, \
             (select count(*) from tenant_members m where m.tenant_id = p.id) as members, \
             coalesce((select c.leads from lead_counts c where c.tenant_id = p.id \
                       and c.month = date_trunc('month', now())::date), 0) as leads_this_month \
             from page p left join lateral (\
               select x.email, x.verified from (\
                 select u.email, u.email_verified_at is not null as verified, m.created_at, 0 as kind \
                 from tenant_members m join users u on u.id = m.user_id \
                 where m.tenant_id = p.id and m.role = 'admin' \
                 union all \
                 select i.email, false, i.created_at, 1 from tenant_invites i \
                 where i.tenant_id = p.id and i.role = 'admin' \
                   and i.accepted_at is null and i.revoked_at is null\
               ) x order by x.kind, x.created_at limit 1) a on true",
        )
        .push(format_args!(" order by p.{order}"));
    let (rows, more) = read_page::<RawRow>(&mut q, db, query.limit, backwards).await?;
    let rows = rows
        .into_iter()
        .map(TenantRow::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, more))
}

/// How many tenants of each status match the search (the Status filter's counts). Without
/// a search, the counters that triggers keep (`tenant_status_counts`).
pub async fn status_counts(
    db: &PgPool,
    pattern: Option<&str>,
) -> Result<Vec<(TenantStatus, i64)>, Error> {
    if pattern.is_none() {
        let rows = sqlx::query!("select status, tenants from tenant_status_counts")
            .fetch_all(db)
            .await?;
        return rows
            .into_iter()
            .map(|r| Ok((parse_status(&r.status)?, r.tenants)))
            .collect();
    }
    let mut q = QueryBuilder::<Postgres>::new("select t.status, count(*) as n from tenants t");
    push_filters(
        &mut q,
        &TenantQuery {
            pattern: pattern.map(str::to_owned),
            ..TenantQuery::default()
        },
    );
    q.push(" group by t.status");
    let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(db).await?;
    rows.into_iter()
        .map(|(status, n)| Ok((parse_status(&status)?, n)))
        .collect()
}

/// A pending tenant in the approval queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub slug: String,
    pub name: String,
    pub admin_email: Option<String>,
    pub admin_verified: bool,
    pub created_at: OffsetDateTime,
}

/// The oldest pending tenants (up to `limit`), and how many are pending in all.
pub async fn approval_queue(db: &PgPool, limit: i64) -> Result<(Vec<Pending>, i64), Error> {
    let rows = sqlx::query!(
        r#"select t.slug, t.name, t.created_at, a.email as "admin_email?", a.verified as "admin_verified?"
           from (select id, slug, name, created_at from tenants where status = 'pending'
                 order by created_at, id limit $1) t
           left join lateral (
             select u.email, u.email_verified_at is not null as verified
             from tenant_members m join users u on u.id = m.user_id
             where m.tenant_id = t.id and m.role = 'admin'
             order by m.created_at limit 1) a on true
           order by t.created_at, t.id"#,
        limit
    )
    .fetch_all(db)
    .await?;
    let total =
        sqlx::query_scalar!(r#"select count(*) as "n!" from tenants where status = 'pending'"#)
            .fetch_one(db)
            .await?;
    Ok((
        rows.into_iter()
            .map(|r| Pending {
                slug: r.slug,
                name: r.name,
                admin_email: r.admin_email,
                admin_verified: r.admin_verified.unwrap_or(false),
                created_at: r.created_at,
            })
            .collect(),
        total,
    ))
}

/// One tenant, as its console page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantDetail {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub status_reason: Option<String>,
    pub plan: Plan,
    pub max_users: Option<i32>,
    pub api_key_prefix: String,
    pub api_key_created_at: OffsetDateTime,
    pub api_key_last_used_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub members: Vec<MemberRow>,
    pub invites: Vec<InviteRow>,
    pub leads_this_month: i64,
    pub leads_total: i64,
    pub last_lead_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub name: String,
    pub email: String,
    pub role: String,
    pub verified: bool,
    pub joined: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRow {
    pub email: String,
    pub role: String,
    pub sent: OffsetDateTime,
    pub expires: OffsetDateTime,
}

/// The tenant at `slug`, with its members, open invites and lead counts.
pub async fn tenant(db: &PgPool, slug: &str) -> Result<Option<TenantDetail>, Error> {
    let Some(t) = sqlx::query!(
        "select id, slug, name, status, status_reason, plan, max_users, api_key_prefix,
                api_key_created_at, api_key_last_used_at, created_at
         from tenants where slug = $1",
        slug
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let members = sqlx::query_as!(
        MemberRow,
        r#"select u.name, u.email, m.role, u.email_verified_at is not null as "verified!",
                  m.created_at as joined
           from tenant_members m join users u on u.id = m.user_id
           where m.tenant_id = $1 order by m.created_at, u.email"#,
        t.id
    )
    .fetch_all(db)
    .await?;
    let invites = sqlx::query_as!(
        InviteRow,
        "select email, role, created_at as sent, expires_at as expires from tenant_invites
         where tenant_id = $1 and accepted_at is null and revoked_at is null
           and expires_at > now()
         order by created_at",
        t.id
    )
    .fetch_all(db)
    .await?;
    let leads = sqlx::query!(
        r#"select coalesce(sum(leads), 0)::bigint as "total!",
                  coalesce(sum(leads) filter (where month = date_trunc('month', now())::date), 0)::bigint as "this_month!",
                  max(last_lead_at) as last_lead_at
           from lead_counts where tenant_id = $1"#,
        t.id
    )
    .fetch_one(db)
    .await?;
    Ok(Some(TenantDetail {
        id: TenantId(t.id),
        slug: t.slug,
        name: t.name,
        status: parse_status(&t.status)?,
        status_reason: t.status_reason,
        plan: t
            .plan
            .parse()
            .map_err(|_| Error::Data("unknown plan in tenants.plan".into()))?,
        max_users: t.max_users,
        api_key_prefix: t.api_key_prefix,
        api_key_created_at: t.api_key_created_at,
        api_key_last_used_at: t.api_key_last_used_at,
        created_at: t.created_at,
        members,
        invites,
        leads_this_month: leads.this_month,
        leads_total: leads.total,
        last_lead_at: leads.last_lead_at,
    }))
}

/// The emails of a tenant's admins (the status emails go to them), or, when none has
/// joined yet, of its open admin invites.
pub async fn admin_emails(tx: &mut Tx, tenant: TenantId) -> Result<Vec<String>, Error> {
    let emails = sqlx::query_scalar!(
        r#"select u.email as "email!" from tenant_members m join users u on u.id = m.user_id
           where m.tenant_id = $1 and m.role = 'admin'
           union
           select i.email from tenant_invites i
           where i.tenant_id = $1 and i.role = 'admin' and i.accepted_at is null
             and i.revoked_at is null
             and not exists (select 1 from tenant_members m
                             where m.tenant_id = $1 and m.role = 'admin')"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(emails)
}

/// Sets a tenant's plan and its hand-set seat limit (`None`: the plan's). False when no
/// tenant has that id any more.
pub async fn set_plan(
    tx: &mut Tx,
    tenant: TenantId,
    plan: Plan,
    max_users: Option<i32>,
) -> Result<bool, Error> {
    let done = sqlx::query!(
        "update tenants set plan = $2, max_users = $3, updated_at = now() where id = $1",
        tenant.0,
        plan.as_str(),
        max_users
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The plan and seat limit a tenant has now (read under the caller's row lock).
pub async fn plan(tx: &mut Tx, tenant: TenantId) -> Result<(Plan, Option<i32>), Error> {
    let row = sqlx::query!(
        "select plan, max_users from tenants where id = $1",
        tenant.0
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((
        row.plan
            .parse()
            .map_err(|_| Error::Data("unknown plan in tenants.plan".into()))?,
        row.max_users,
    ))
}

/// The audit log's filters.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Entries of the tenant with this subdomain (also after it was deleted).
    pub tenant: Option<String>,
    /// A `LIKE` pattern on the actor.
    pub actor: Option<String>,
    /// Entries whose action starts with this.
    pub action: Option<String>,
    pub from: Option<OffsetDateTime>,
    /// Entries before this instant.
    pub until: Option<OffsetDateTime>,
}

/// One audit entry as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    /// The tenant's subdomain: its current one, or the one its deletion recorded.
    pub slug: Option<String>,
    pub detail: serde_json::Value,
}

/// Up to `limit` entries matching `query`, newest first, from `page` (time and id keys);
/// and whether more remain in the direction read.
pub async fn audit(
    db: &PgPool,
    query: &AuditQuery,
    page: &Page,
    limit: i64,
) -> Result<(Vec<AuditRow>, bool), Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "select a.id, a.created_at, a.actor, a.action, \
         coalesce(t.slug, a.detail->>'slug') as slug, a.detail \
         from audit_log a left join tenants t on t.id = a.tenant_id where true",
    );
    if let Some(slug) = &query.tenant {
        q.push(" and (t.slug = ")
            .push_bind(slug.clone())
            .push(" or a.detail->>'slug' = ")
            .push_bind(slug.clone())
            .push(")");
    }
    if let Some(actor) = &query.actor {
        q.push(" and a.actor ilike ").push_bind(actor.clone());
    }
    if let Some(action) = &query.action {
        q.push(" and a.action like ")
            .push_bind(format!("{}%", like_escape(action)));
    }
    if let Some(from) = query.from {
        q.push(" and a.created_at >= ").push_bind(from);
    }
    if let Some(until) = query.until {
        q.push(" and a.created_at < ").push_bind(until);
    }
    let backwards = push_newest_first(&mut q, "a", page, limit);
    read_page(&mut q, db, limit, backwards).await
}

/// Reads a page built by `q` (which asked for `limit + 1` rows): at most `limit` rows in
/// page order, and whether rows remain in the direction read. A page read `backwards`
/// (Previous) walked the order reversed and is turned around.
async fn read_page<R>(
    q: &mut QueryBuilder<'_, Postgres>,
    db: &PgPool,
    limit: i64,
    backwards: bool,
) -> Result<(Vec<R>, bool), Error>
where
    R: for<'r> FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut rows: Vec<R> = q.build_query_as().fetch_all(db).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    if backwards {
        rows.reverse();
    }
    Ok((rows, more))
}

/// The keyset condition and order of a newest-first list by `<alias>.created_at, <alias>.id`
/// (the audit log, the outbox), read from `page`, with `limit + 1` rows; whether it reads
/// backwards.
fn push_newest_first(
    q: &mut QueryBuilder<'_, Postgres>,
    alias: &str,
    page: &Page,
    limit: i64,
) -> bool {
    let backwards = matches!(page, Page::Before(_));
    let (cmp, dir) = if backwards {
        (">", "asc")
    } else {
        ("<", "desc")
    };
    if let Page::After(SortKey::Created(at, id)) | Page::Before(SortKey::Created(at, id)) = page {
        q.push(format_args!(
            " and ({alias}.created_at, {alias}.id) {cmp} ("
        ))
        .push_bind(*at)
        .push(", ")
        .push_bind(*id)
        .push(")");
    }
    q.push(format_args!(
        " order by {alias}.created_at {dir}, {alias}.id {dir} limit "
    ))
    .push_bind(limit + 1);
    backwards
}

/// `text` with `LIKE`'s wildcards taken literally.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One email as the outbox view lists it: who, what and when, never its body.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub to_address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub failed_at: Option<OffsetDateTime>,
    pub slug: Option<String>,
}

/// Up to `limit` emails (of `status` only, and to addresses matching the `LIKE` pattern
/// `to`, if given), newest first, from `page`.
pub async fn outbox(
    db: &PgPool,
    status: Option<&str>,
    to: Option<&str>,
    page: &Page,
    limit: i64,
) -> Result<(Vec<OutboxRow>, bool), Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "select o.id, o.created_at, o.to_address, o.subject, o.status, o.attempts, \
         o.last_error, o.next_attempt_at, o.sent_at, o.failed_at, t.slug \
         from email_outbox o left join tenants t on t.id = o.tenant_id where true",
    );
    if let Some(status) = status {
        q.push(" and o.status = ").push_bind(status.to_owned());
    }
    if let Some(to) = to {
        q.push(" and o.to_address like ").push_bind(to.to_owned());
    }
    let backwards = push_newest_first(&mut q, "o", page, limit);
    read_page(&mut q, db, limit, backwards).await
}

/// How many emails are in each state.
pub async fn outbox_counts(db: &PgPool) -> Result<Vec<(String, i64)>, Error> {
    let rows = sqlx::query!(r#"select status, count(*) as "n!" from email_outbox group by status"#)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}

/// Puts a failed email back in the queue, due now, with a fresh round of attempts. The
/// recipient and subject, or `None` when it is not failed (sent, or retried already).
pub async fn retry_email(tx: &mut Tx, id: Uuid) -> Result<Option<(String, String)>, Error> {
    let row = sqlx::query!(
        "update email_outbox
         set status = 'pending', attempts = 0, next_attempt_at = now(), failed_at = null
         where id = $1 and status = 'failed'
         returning to_address, subject",
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.to_address, r.subject)))
}
