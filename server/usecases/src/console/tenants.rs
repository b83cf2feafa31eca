//! `/admin` and `/admin/tenants/<slug>`: the tenant list (search, status filter with
//! counts, sort, keyset pages), the approval queue, and one tenant's page.

use db::console::{AuditQuery, Page, Sort, TenantQuery};
use domain::{
    TenantStatus,
    console::{
        ApprovalQueue, ConsoleDomain, ConsoleInvite, ConsoleMember, HistoryEntry, QueuedTenant,
        TenantList, TenantListRow, TenantPage,
    },
    plan::seat_limit,
};

use crate::{
    Error, Platform,
    console::{PAGE_SIZE, age, neighbours},
    staff_sign_in::Staff,
    timefmt::when,
};

/// How many pending tenants the queue shows at the top of the list.
const QUEUE_SIZE: i64 = 5;
/// The longest search the list takes.
const MAX_SEARCH_CHARS: usize = 100;

/// What the list is asked for.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Part of a subdomain, a display name or an admin's email (any case).
    pub search: String,
    pub status: Option<TenantStatus>,
    pub sort: Sort,
    pub page: Page,
}

/// The `LIKE` pattern for a search: what was typed, trimmed and lower-cased, anywhere in
/// the text; `None` for an empty search.
pub fn search_pattern(search: &str) -> Option<String> {
    let search: String = search
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_SEARCH_CHARS)
        .collect();
    (!search.is_empty()).then(|| format!("%{}%", db::console::like_escape(&search)))
}

/// One page of the tenant list, with the Status filter's counts and the approval queue.
pub async fn list(p: &Platform, _staff: &Staff, query: &ListQuery) -> Result<TenantList, Error> {
    let pattern = search_pattern(&query.search);
    let db_query = TenantQuery {
        pattern: pattern.clone(),
        status: query.status,
        sort: query.sort,
        page: query.page.clone(),
        limit: PAGE_SIZE,
    };
    let db = &p.db.console;
    let ((rows, more), found, (queued, pending)) = tokio::try_join!(
        db::console::tenants(db, &db_query),
        db::console::status_counts(db, pattern.as_deref()),
        db::console::approval_queue(db, QUEUE_SIZE),
    )?;
    let (previous, next) = neighbours(
        &query.page,
        more,
        rows.first().map(|r| r.key(query.sort)),
        rows.last().map(|r| r.key(query.sort)),
    );
    let counts: Vec<(TenantStatus, i64)> = TenantStatus::ALL
        .into_iter()
        .map(|status| {
            let n = found
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            (status, n)
        })
        .collect();
    Ok(TenantList {
        total: counts.iter().map(|(_, n)| n).sum(),
        counts,
        previous,
        next,
        rows: rows
            .into_iter()
            .map(|r| TenantListRow {
                slug: r.slug,
                name: r.name,
                status: r.status,
                plan: r.plan,
                admin_email: r.admin_email,
                admin_verified: r.admin_verified,
                members: r.members,
                leads_this_month: r.leads_this_month,
                created: when(r.created_at),
                age: age(r.created_at),
            })
            .collect(),
        queue: ApprovalQueue {
            pending,
            oldest: queued
                .into_iter()
                .map(|q| QueuedTenant {
                    slug: q.slug,
                    name: q.name,
                    admin_email: q.admin_email,
                    admin_verified: q.admin_verified,
                    waiting: age(q.created_at),
                })
                .collect(),
        },
    })
}

/// Who an audit entry's actor is, as staff read it.
pub(crate) fn actor_words(actor: &str) -> String {
    match actor.split_once(':') {
        Some(("staff", email)) => format!("{email} (staff)"),
        Some(("user", _)) => "A member of the workspace".to_owned(),
        _ => match actor {
            "cli" => "HREF staff (command line)".to_owned(),
            "signup" => "Self-service signup".to_owned(),
            "api" => "Intake API".to_owned(),
            "system" => "HREF CRM (automatic check)".to_owned(),
            other => other.to_owned(),
        },
    }
}

fn history_words(action: &str) -> String {
    match action {
        "tenant.provisioned" => "Created",
        "tenant.approve" => "Approved",
        "tenant.reject" => "Rejected",
        "tenant.suspend" => "Suspended",
        "tenant.reactivate" => "Reactivated",
        "tenant.plan_changed" => "Plan changed",
        other => other,
    }
    .to_owned()
}

/// The tenant at `slug`: status and its history, members and invites, usage, API key.
pub async fn page(p: &Platform, _staff: &Staff, slug: &str) -> Result<TenantPage, Error> {
    let db = &p.db.console;
    let t = db::console::tenant(db, slug)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No workspace has the subdomain {slug}.")))?;
    let (history, _) = db::console::audit(
        db,
        &AuditQuery {
            tenant: Some(t.slug.clone()),
            action: Some("tenant.".into()),
            ..AuditQuery::default()
        },
        &Page::First,
        PAGE_SIZE,
    )
    .await?;
    let history = history
        .into_iter()
        .filter(|e| {
            matches!(
                e.action.as_str(),
                "tenant.provisioned"
                    | "tenant.approve"
                    | "tenant.reject"
                    | "tenant.suspend"
                    | "tenant.reactivate"
                    | "tenant.plan_changed"
            )
        })
        .map(|e| {
            let reason = e
                .detail
                .get("reason")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            let what = match (
                e.action.as_str(),
                e.detail.get("plan").and_then(|p| p.as_str()),
            ) {
                ("tenant.plan_changed", Some(plan)) => format!("Plan changed to {plan}"),
                (action, _) => history_words(action),
            };
            HistoryEntry {
                at: when(e.created_at),
                actor: actor_words(&e.actor),
                what,
                reason,
            }
        })
        .collect();
    let max_users = t.max_users.and_then(|n| u32::try_from(n).ok());
    let domains = db::domains::of_tenant(db, t.id.0)
        .await?
        .into_iter()
        .map(|(hostname, state, primary)| ConsoleDomain {
            hostname,
            state: state.label().to_owned(),
            primary,
        })
        .collect();
    let sso = db::sso::of_tenant(db, t.id.0).await?;
    Ok(TenantPage {
        domains,
        sso,
        splash_url: p.links.tenant_url(&t.slug, "/"),
        seat_limit: seat_limit(t.plan, max_users),
        slug: t.slug,
        name: t.name,
        status: t.status,
        status_reason: t.status_reason,
        plan: t.plan,
        max_users,
        created: when(t.created_at),
        history,
        members: t
            .members
            .into_iter()
            .map(|m| ConsoleMember {
                name: m.name,
                email: m.email,
                role: m.role,
                verified: m.verified,
                joined: when(m.joined),
            })
            .collect(),
        invites: t
            .invites
            .into_iter()
            .map(|i| ConsoleInvite {
                email: i.email,
                role: i.role,
                sent: when(i.sent),
                expires: when(i.expires),
            })
            .collect(),
        leads_this_month: t.leads_this_month,
        leads_total: t.leads_total,
        last_lead: t.last_lead_at.map(when),
        api_key_prefix: t.api_key_prefix,
        api_key_created: when(t.api_key_created_at),
        api_key_last_used: t.api_key_last_used_at.map(when),
    })
}
