//! `/admin/audit`: every audit entry, filtered by tenant, actor, action and dates, a page
//! at a time (keyset), and the filtered view as CSV. Entries hold no secret: flows record
//! a key's public prefix at most, never a token, key or password.

use db::console::{AuditQuery, AuditRow, Page, SortKey};
use domain::console::{AuditEntry, AuditPage};
use time::{Date, OffsetDateTime, Time, macros::format_description};

use crate::{
    Error, Platform,
    console::{PAGE_SIZE, neighbours, tenants::actor_words},
    staff_sign_in::Staff,
    timefmt::when,
};

/// The most rows one CSV export holds.
pub const CSV_MAX_ROWS: usize = 100_000;

/// The filters as typed: empty fields filter nothing.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub tenant: String,
    pub actor: String,
    pub action: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
}

fn date(field: &str, input: &str) -> Result<Option<Date>, Error> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    Date::parse(input, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| Error::field(field, "Enter a date as YYYY-MM-DD."))
}

impl Filters {
    /// The database's question for these filters, or what is wrong with them.
    pub fn parse(&self) -> Result<AuditQuery, Error> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let from = date("from", &self.from)?;
        let to = date("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(Error::field(
                "to",
                "The end date comes before the start date.",
            ));
        }
        Ok(AuditQuery {
            tenant: text(&self.tenant).map(|s| s.to_lowercase()),
            actor: text(&self.actor).map(|a| format!("%{}%", db::console::like_escape(&a))),
            action: text(&self.action),
            from: from.map(|d| d.with_time(Time::MIDNIGHT).assume_utc()),
            until: to
                .and_then(|d| d.next_day())
                .map(|d| d.with_time(Time::MIDNIGHT).assume_utc()),
        })
    }
}

/// What an entry's detail says, without the fields shown in their own columns.
fn detail_text(detail: &serde_json::Value) -> String {
    match detail.as_object() {
        Some(map) if !map.is_empty() => map
            .iter()
            .filter(|(k, v)| k.as_str() != "slug" && !v.is_null())
            .map(|(k, v)| match v.as_str() {
                Some(s) => format!("{k}: {s}"),
                None => format!("{k}: {v}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

fn entry(row: AuditRow) -> AuditEntry {
    AuditEntry {
        at: when(row.created_at),
        actor: actor_words(&row.actor),
        subject: row.slug.clone().unwrap_or_else(|| "HREF CRM".to_owned()),
        detail: detail_text(&row.detail),
        action: row.action,
    }
}

/// One page of the log, newest first.
pub async fn page(
    p: &Platform,
    _staff: &Staff,
    filters: &Filters,
    page: &Page,
) -> Result<AuditPage, Error> {
    let query = filters.parse()?;
    let (rows, more) = db::console::audit(&p.db.console, &query, page, PAGE_SIZE).await?;
    let key = |r: &AuditRow| SortKey::Created(r.created_at, r.id);
    let (newer, older) = neighbours(page, more, rows.first().map(key), rows.last().map(key));
    Ok(AuditPage {
        entries: rows.into_iter().map(entry).collect(),
        newer,
        older,
    })
}

/// A cell that a spreadsheet would take for a formula starts with a quote instead.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The filtered log as CSV (time in RFC 3339, actor, action, subject, detail), newest
/// first, at most [`CSV_MAX_ROWS`] rows.
pub async fn csv(p: &Platform, _staff: &Staff, filters: &Filters) -> Result<String, Error> {
    let query = filters.parse()?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write_failed = |e: csv::Error| {
        tracing::error!(error = %e, "cannot write the audit CSV");
        Error::Internal
    };
    out.write_record(["time", "actor", "action", "subject", "detail"])
        .map_err(write_failed)?;
    let mut page = Page::First;
    let mut written = 0;
    loop {
        let (rows, more) = db::console::audit(&p.db.console, &query, &page, 1000).await?;
        let Some(last) = rows.last() else { break };
        page = Page::After(SortKey::Created(last.created_at, last.id));
        for row in &rows {
            let at = row
                .created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            out.write_record([
                at,
                cell(&actor_words(&row.actor)),
                cell(&row.action),
                cell(row.slug.as_deref().unwrap_or("")),
                cell(&detail_text(&row.detail)),
            ])
            .map_err(write_failed)?;
        }
        written += rows.len();
        if !more || written >= CSV_MAX_ROWS {
            break;
        }
    }
    let bytes = out.into_inner().map_err(|e| {
        tracing::error!(error = %e, "cannot finish the audit CSV");
        Error::Internal
    })?;
    String::from_utf8(bytes).map_err(|_| Error::Internal)
}

/// The time an export is made, for its file name.
pub fn export_name() -> String {
    let now = OffsetDateTime::now_utc();
    format!(
        "audit-{}.csv",
        now.format(format_description!("[year][month][day]-[hour][minute]"))
            .unwrap_or_default()
    )
}
