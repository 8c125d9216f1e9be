//! Parsing a list or count request: every query value arrives as text and becomes a typed filter,
//! order, page size or cursor here, or a 400 naming the parameter.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, Utc};
use entity::ticket;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{ApiError, FieldError},
    tickets::{
        dto::{ListTicketsQuery, TicketCountsQuery},
        status::{HazardLevel, TicketStatus, Urgency},
    },
};

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: u64 = 20;
/// The largest page.
pub const MAX_LIMIT: u64 = 100;
/// The longest search text, in characters.
pub const MAX_Q_CHARS: usize = 100;

/// What a list or a count is restricted to (besides the caller's scope).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Any of these statuses (empty: any).
    pub statuses: Vec<TicketStatus>,
    /// Category code.
    pub category: Option<String>,
    /// Urgency.
    pub urgency: Option<Urgency>,
    /// Responsible department.
    pub department_id: Option<Uuid>,
    /// A region and its subtree.
    pub region_id: Option<Uuid>,
    /// A grid.
    pub grid_id: Option<Uuid>,
    /// Overdue or not.
    pub overdue: Option<bool>,
    /// With or without a request awaiting a dispatcher.
    pub pending: Option<bool>,
    /// Hazard level (tickets not yet verified have none and never match).
    pub hazard_level: Option<HazardLevel>,
    /// Tagged with this campaign (专项整治).
    pub campaign_id: Option<Uuid>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
    /// Search text, trimmed, not empty.
    pub q: Option<String>,
    /// Only the caller's own and followed tickets.
    pub mine: bool,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    CreatedDesc,
    /// Earliest step deadline first, tickets without one last.
    DueAsc,
    /// Highest desk priority first.
    PriorityDesc,
}

impl Sort {
    fn parse(text: &str) -> Option<Sort> {
        match text {
            "created_desc" => Some(Sort::CreatedDesc),
            "due_asc" => Some(Sort::DueAsc),
            "priority_desc" => Some(Sort::PriorityDesc),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sort::CreatedDesc => "created_desc",
            Sort::DueAsc => "due_asc",
            Sort::PriorityDesc => "priority_desc",
        }
    }
}

/// Where the previous page ended: its last row's sort key and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The order the cursor belongs to.
    pub(super) s: String,
    /// `created_at` (newest first) or `due_at` (deadline first) of the last row.
    pub(super) t: Option<DateTime<Utc>>,
    /// `priority` of the last row.
    pub(super) p: Option<i32>,
    /// Id of the last row.
    pub(super) id: Uuid,
}

impl Cursor {
    /// The cursor after `row` in the order `sort`.
    pub(super) fn after(sort: Sort, row: &ticket::Model) -> Cursor {
        let (t, p) = match sort {
            Sort::CreatedDesc => (Some(row.created_at), None),
            Sort::DueAsc => (row.due_at, None),
            Sort::PriorityDesc => (None, Some(row.priority)),
        };
        Cursor { s: sort.as_str().to_owned(), t, p, id: row.id }
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor for `sort`; anything else is `invalid_cursor`.
    pub fn decode(text: &str, sort: Sort) -> Result<Cursor, ApiError> {
        let bad = || ApiError::bad_request("invalid_cursor", "the cursor is not one this list handed out");
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let fits = match sort {
            Sort::CreatedDesc => cursor.t.is_some() && cursor.p.is_none(),
            Sort::DueAsc => cursor.p.is_none(),
            Sort::PriorityDesc => cursor.t.is_none() && cursor.p.is_some(),
        };
        if cursor.s != sort.as_str() || !fits {
            return Err(bad());
        }
        Ok(cursor)
    }
}

/// A parsed list request.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    /// Filters.
    pub filters: Filters,
    /// Order.
    pub sort: Sort,
    /// Page size.
    pub limit: u64,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::bad_request("invalid_query", format!("{field}: {message}"))
        .with_fields(vec![FieldError::new(field, "invalid", message)])
}

fn text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Err(bad(field, "empty value")),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

fn uuid(field: &str, value: Option<String>) -> Result<Option<Uuid>, ApiError> {
    text(field, value)?.map(|v| v.parse().map_err(|_| bad(field, "not a UUID"))).transpose()
}

fn flag(field: &str, value: Option<String>) -> Result<Option<bool>, ApiError> {
    text(field, value)?
        .map(|v| match v.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(bad(field, "expected `true` or `false`")),
        })
        .transpose()
}

fn instant(field: &str, value: Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text(field, value)?
        .map(|v| {
            // An unencoded `+08:00` arrives as ` 08:00`.
            DateTime::parse_from_rfc3339(&v)
                .or_else(|_| DateTime::parse_from_rfc3339(&v.replace(' ', "+")))
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| bad(field, "expected an RFC 3339 time, e.g. 2026-11-23T08:00:00Z"))
        })
        .transpose()
}

/// The filters both lists and counts take.
#[allow(clippy::too_many_arguments)]
fn filters(
    category: Option<String>,
    urgency: Option<String>,
    department_id: Option<String>,
    region_id: Option<String>,
    grid_id: Option<String>,
    overdue: Option<String>,
    pending: Option<String>,
    (hazard_level, campaign_id): (Option<String>, Option<String>),
    (from, to): (Option<String>, Option<String>),
    q: Option<String>,
    mine: Option<String>,
) -> Result<Filters, ApiError> {
    let hazard_level = text("hazard_level", hazard_level)?
        .map(|l| HazardLevel::parse(&l).map_err(|_| bad("hazard_level", "expected `general` or `major`")))
        .transpose()?;
    let urgency = text("urgency", urgency)?
        .map(|u| Urgency::parse(&u).map_err(|_| bad("urgency", "expected `emergency`, `urgent` or `normal`")))
        .transpose()?;
    let q = match q.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(q) if q.chars().count() > MAX_Q_CHARS => {
            return Err(bad("q", format!("at most {MAX_Q_CHARS} characters")))
        }
        Some(q) => Some(q.to_owned()),
    };
    let from = instant("from", from)?;
    let to = instant("to", to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(bad("to", "`to` is before `from`"));
        }
    }
    Ok(Filters {
        statuses: Vec::new(),
        category: text("category", category)?,
        urgency,
        department_id: uuid("department_id", department_id)?,
        region_id: uuid("region_id", region_id)?,
        grid_id: uuid("grid_id", grid_id)?,
        overdue: flag("overdue", overdue)?,
        pending: flag("pending", pending)?,
        hazard_level,
        campaign_id: uuid("campaign_id", campaign_id)?,
        from,
        to,
        q,
        mine: flag("mine", mine)?.unwrap_or(false),
    })
}

impl TryFrom<ListTicketsQuery> for ListParams {
    type Error = ApiError;

    fn try_from(raw: ListTicketsQuery) -> Result<Self, Self::Error> {
        let mut filters = filters(
            raw.category,
            raw.urgency,
            raw.department_id,
            raw.region_id,
            raw.grid_id,
            raw.overdue,
            raw.pending,
            (raw.hazard_level, raw.campaign_id),
            (raw.from, raw.to),
            raw.q,
            raw.mine,
        )?;
        for part in text("status", raw.status)?.iter().flat_map(|s| s.split(',')) {
            let status = TicketStatus::parse(part.trim()).map_err(|e| bad("status", e.to_string()))?;
            if !filters.statuses.contains(&status) {
                filters.statuses.push(status);
            }
        }
        let sort = text("sort", raw.sort)?
            .map(|s| {
                Sort::parse(&s).ok_or_else(|| bad("sort", "expected `created_desc`, `due_asc` or `priority_desc`"))
            })
            .transpose()?
            .unwrap_or_default();
        let limit = text("limit", raw.limit)?
            .map(|l| {
                l.parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad("limit", format!("expected a whole number from 1 to {MAX_LIMIT}")))
            })
            .transpose()?
            .unwrap_or(DEFAULT_LIMIT);
        let cursor = text("cursor", raw.cursor)?.map(|c| Cursor::decode(&c, sort)).transpose()?;
        Ok(ListParams { filters, sort, limit, cursor })
    }
}

impl TryFrom<TicketCountsQuery> for Filters {
    type Error = ApiError;

    fn try_from(raw: TicketCountsQuery) -> Result<Self, Self::Error> {
        filters(
            raw.category,
            raw.urgency,
            raw.department_id,
            raw.region_id,
            raw.grid_id,
            raw.overdue,
            raw.pending,
            (raw.hazard_level, raw.campaign_id),
            (raw.from, raw.to),
            raw.q,
            raw.mine,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_order() {
        let c = Cursor { s: "priority_desc".into(), t: None, p: Some(10), id: Uuid::from_u128(7) };
        let text = c.encode();
        assert_eq!(Cursor::decode(&text, Sort::PriorityDesc).unwrap(), c);
        assert_eq!(Cursor::decode(&text, Sort::CreatedDesc).unwrap_err().code(), "invalid_cursor");
        assert_eq!(Cursor::decode("not a cursor", Sort::CreatedDesc).unwrap_err().code(), "invalid_cursor");
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"{}"), Sort::DueAsc).unwrap_err().code(), "invalid_cursor");
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let parse = |raw: ListTicketsQuery| ListParams::try_from(raw).unwrap_err();
        let cases = [
            (ListTicketsQuery { status: Some("open".into()), ..Default::default() }, "status"),
            (ListTicketsQuery { limit: Some("0".into()), ..Default::default() }, "limit"),
            (ListTicketsQuery { limit: Some("101".into()), ..Default::default() }, "limit"),
            (ListTicketsQuery { grid_id: Some("x".into()), ..Default::default() }, "grid_id"),
            (ListTicketsQuery { overdue: Some("yes".into()), ..Default::default() }, "overdue"),
            (ListTicketsQuery { from: Some("yesterday".into()), ..Default::default() }, "from"),
            (ListTicketsQuery { sort: Some("oldest".into()), ..Default::default() }, "sort"),
            (ListTicketsQuery { q: Some("x".repeat(101)), ..Default::default() }, "q"),
        ];
        for (raw, field) in cases {
            let e = parse(raw);
            assert_eq!((e.code(), e.status().as_u16()), ("invalid_query", 400));
            assert!(e.to_string().starts_with(field), "{e}");
        }
        let ok = ListParams::try_from(ListTicketsQuery {
            status: Some("assigned, closed,assigned".into()),
            from: Some("2026-11-23T08:00:00 08:00".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.filters.statuses, [TicketStatus::Assigned, TicketStatus::Closed]);
        assert_eq!((ok.limit, ok.sort), (DEFAULT_LIMIT, Sort::CreatedDesc));
        assert!(ok.filters.from.is_some());
    }
}
