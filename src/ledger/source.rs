//! Reading the ledger from the database a page at a time: the tickets the caller may see that pass
//! the list's filters, oldest first, by keyset on `(created_at, id)` (no offset, so page 1,000 costs
//! what page 1 does), each page completed with its events (plan, completion, check, escalations)
//! and the names of people, departments, categories and regions. Memory holds one page and the
//! name tables, never the result.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{category, department, region, ticket, ticket_event, user};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::row::{source_label, LedgerRow};
use crate::tickets::{
    access::Viewer,
    query::{condition, Filters},
    status::{HazardLevel, TicketStatus},
};

/// The ticket columns a ledger row needs (not the JSON blobs).
#[derive(Debug, Clone, FromQueryResult)]
struct LedgerTicket {
    id: Uuid,
    number: String,
    channel: String,
    category: String,
    description: String,
    hazard_level: Option<String>,
    lat: f64,
    lng: f64,
    address: Option<String>,
    region_path: String,
    department_id: Option<Uuid>,
    grid_worker_id: Option<Uuid>,
    status: String,
    rejection_kind: Option<String>,
    rectification_deadline: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    overdue: bool,
    rating: Option<i16>,
    created_at: DateTime<Utc>,
}

/// The event columns a ledger row needs.
#[derive(Debug, Clone, FromQueryResult)]
struct LedgerEvent {
    ticket_id: Uuid,
    action: String,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    note: Option<String>,
}

/// The events that fill ledger columns.
const EVENT_ACTIONS: [&str; 5] = ["accept", "complete", "resolve_on_spot", "pass", "escalate"];

/// What one ticket's events say for the ledger.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Facts {
    /// The plan of the latest acceptance that carried one (the department's).
    pub measures: Option<String>,
    /// The latest `complete` or `resolve_on_spot`.
    pub completed: Option<(DateTime<Utc>, Option<Uuid>)>,
    /// The latest `pass` or `resolve_on_spot`: who checked, when.
    pub checked: Option<(DateTime<Utc>, Option<Uuid>)>,
    /// `escalate` events.
    pub escalations: i64,
}

impl Facts {
    /// Folds events of one ticket, in time order.
    fn add(&mut self, e: &LedgerEvent) {
        match e.action.as_str() {
            "accept" if e.note.is_some() => self.measures.clone_from(&e.note),
            "complete" => self.completed = Some((e.at, e.actor_id)),
            "resolve_on_spot" => {
                self.completed = Some((e.at, e.actor_id));
                self.checked = Some((e.at, e.actor_id));
            }
            "pass" => self.checked = Some((e.at, e.actor_id)),
            "escalate" => self.escalations += 1,
            _ => {}
        }
    }
}

/// 是否逾期, decided once for the ledger: yes when the ticket is overdue now (flagged, or an open
/// step past its deadline at export time), when it was ever escalated (the first escalation level
/// is "overdue"), or when the fix was reported after the rectification deadline. A hazard fixed
/// late stays "overdue" in the ledger after it is closed: offices report on-time rectification.
pub fn was_overdue(
    open: bool,
    flagged: bool,
    due_at: Option<DateTime<Utc>>,
    escalations: i64,
    deadline: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    flagged
        || escalations > 0
        || (open && due_at.is_some_and(|d| d < now))
        || matches!((completed_at, deadline), (Some(c), Some(d)) if c > d)
}

/// The 状态 column: the staff label, with the reason for rejected tickets (cancelled as recorded in
/// error must never read as rectified).
pub fn status_label(status: TicketStatus, rejection: Option<&str>) -> String {
    let reason = match rejection {
        Some("not_a_hazard") => "非安全隐患",
        Some("invalid") => "信息无效",
        Some("duplicate_of") => "重复上报",
        Some("withdrawn") => "群众撤回",
        Some("recorded_in_error") => "登记有误，申请销号",
        _ => "",
    };
    if status == TicketStatus::Rejected && !reason.is_empty() {
        format!("{}（{reason}）", status.staff_label())
    } else {
        status.staff_label().to_owned()
    }
}

/// Names loaded once per export (categories, departments, regions) or per page (people, cached).
#[derive(Debug, Default)]
struct Names {
    categories: HashMap<String, String>,
    departments: HashMap<Uuid, String>,
    regions: HashMap<Uuid, String>,
    users: HashMap<Uuid, String>,
}

impl Names {
    async fn load(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let categories: Vec<(String, String)> = category::Entity::find()
            .select_only()
            .columns([category::Column::Code, category::Column::NameZh])
            .into_tuple()
            .all(db)
            .await?;
        let departments: Vec<(Uuid, String)> = department::Entity::find()
            .select_only()
            .columns([department::Column::Id, department::Column::Name])
            .into_tuple()
            .all(db)
            .await?;
        let regions: Vec<(Uuid, String)> = region::Entity::find()
            .select_only()
            .columns([region::Column::Id, region::Column::Name])
            .into_tuple()
            .all(db)
            .await?;
        Ok(Self {
            categories: categories.into_iter().collect(),
            departments: departments.into_iter().collect(),
            regions: regions.into_iter().collect(),
            users: HashMap::new(),
        })
    }

    async fn add_users(&mut self, db: &DatabaseConnection, ids: Vec<Uuid>) -> Result<(), DbErr> {
        let missing: Vec<Uuid> = ids.into_iter().filter(|id| !self.users.contains_key(id)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let found: Vec<(Uuid, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::DisplayName])
            .filter(user::Column::Id.is_in(missing.clone()))
            .into_tuple()
            .all(db)
            .await?;
        self.users.extend(found);
        // Remember the unknown too, so they are not asked for again.
        for id in missing {
            self.users.entry(id).or_default();
        }
        Ok(())
    }

    fn user(&self, id: Option<Uuid>) -> Option<String> {
        id.and_then(|id| self.users.get(&id)).filter(|n| !n.is_empty()).cloned()
    }

    /// The chain below the district, e.g. `幸福街道/阳光社区/1号网格`.
    fn area(&self, region_path: &str) -> String {
        let names: Vec<&str> = region_path
            .split('/')
            .filter(|p| !p.is_empty())
            .skip(1)
            .filter_map(|p| p.parse::<Uuid>().ok())
            .filter_map(|id| self.regions.get(&id).map(String::as_str))
            .collect();
        names.join("/")
    }
}

/// An export in progress: where the last page ended.
pub struct LedgerSource {
    db: DatabaseConnection,
    filter: Condition,
    after: Option<(DateTime<Utc>, Uuid)>,
    page_size: u64,
    names: Names,
    now: DateTime<Utc>,
    done: bool,
}

impl LedgerSource {
    /// Starts an export of what `viewer` may see under `filters`, `page_size` tickets a page.
    pub async fn open(
        db: DatabaseConnection,
        viewer: &Viewer,
        filters: &Filters,
        page_size: u64,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let names = Names::load(&db).await?;
        let filter = condition(viewer, filters);
        Ok(Self { db, filter, after: None, page_size: page_size.max(1), names, now, done: false })
    }

    /// How many rows the export will have (for a progress bar).
    pub async fn count(&self) -> Result<u64, DbErr> {
        ticket::Entity::find().filter(self.filter.clone()).count(&self.db).await
    }

    /// The next page of rows; `None` when the export is complete.
    pub async fn next_page(&mut self) -> Result<Option<Vec<LedgerRow>>, DbErr> {
        use ticket::Column as T;
        if self.done {
            return Ok(None);
        }
        let mut select = ticket::Entity::find()
            .select_only()
            .columns([
                T::Id,
                T::Number,
                T::Channel,
                T::Category,
                T::Description,
                T::HazardLevel,
                T::Lat,
                T::Lng,
                T::Address,
                T::RegionPath,
                T::DepartmentId,
                T::GridWorkerId,
                T::Status,
                T::RejectionKind,
                T::RectificationDeadline,
                T::DueAt,
                T::Overdue,
                T::Rating,
                T::CreatedAt,
            ])
            .filter(self.filter.clone());
        if let Some((t, id)) = self.after {
            // `created_at >= t` first, so the page is a range scan of `idx_ticket_created_id`.
            select =
                select.filter(T::CreatedAt.gte(t)).filter(Condition::any().add(T::CreatedAt.gt(t)).add(T::Id.gt(id)));
        }
        let tickets: Vec<LedgerTicket> = select
            .order_by_asc(T::CreatedAt)
            .order_by_asc(T::Id)
            .limit(self.page_size)
            .into_model()
            .all(&self.db)
            .await?;
        if (tickets.len() as u64) < self.page_size {
            self.done = true;
        }
        let Some(last) = tickets.last() else { return Ok(None) };
        self.after = Some((last.created_at, last.id));
        let ids: Vec<Uuid> = tickets.iter().map(|t| t.id).collect();
        let events: Vec<LedgerEvent> = ticket_event::Entity::find()
            .select_only()
            .columns([
                ticket_event::Column::TicketId,
                ticket_event::Column::Action,
                ticket_event::Column::ActorId,
                ticket_event::Column::At,
                ticket_event::Column::Note,
            ])
            .filter(ticket_event::Column::TicketId.is_in(ids))
            .filter(ticket_event::Column::Action.is_in(EVENT_ACTIONS))
            .order_by_asc(ticket_event::Column::At)
            .order_by_asc(ticket_event::Column::Id)
            .into_model()
            .all(&self.db)
            .await?;
        let mut facts: HashMap<Uuid, Facts> = HashMap::new();
        for e in &events {
            facts.entry(e.ticket_id).or_default().add(e);
        }
        let mut people: Vec<Uuid> = tickets.iter().filter_map(|t| t.grid_worker_id).collect();
        people.extend(facts.values().filter_map(|f| f.checked.and_then(|c| c.1)));
        people.sort_unstable();
        people.dedup();
        self.names.add_users(&self.db, people).await?;
        let rows = tickets.iter().map(|t| self.row(t, facts.remove(&t.id).unwrap_or_default())).collect();
        Ok(Some(rows))
    }

    fn row(&self, t: &LedgerTicket, facts: Facts) -> LedgerRow {
        let status = TicketStatus::parse(&t.status).ok();
        let closed = status == Some(TicketStatus::Closed);
        let done = matches!(status, Some(TicketStatus::Closed | TicketStatus::AwaitingCheck));
        // A later round (failed check, reopen) clears what belonged to the earlier one.
        let completed_at = facts.completed.filter(|_| done).map(|c| c.0);
        let checked = facts.checked.filter(|_| closed);
        let open = status.is_some_and(TicketStatus::is_open);
        let overdue = was_overdue(
            open,
            t.overdue,
            t.due_at,
            facts.escalations,
            t.rectification_deadline,
            facts.completed.map(|c| c.0),
            self.now,
        );
        LedgerRow {
            number: t.number.clone(),
            found_at: t.created_at,
            source: source_label(&t.channel).to_owned(),
            category: self.names.categories.get(&t.category).cloned().unwrap_or_else(|| t.category.clone()),
            level: t.hazard_level.as_deref().and_then(|l| HazardLevel::parse(l).ok()).map(|l| l.label().to_owned()),
            description: t.description.clone(),
            place: t.address.clone().unwrap_or_else(|| format!("{:.6},{:.6}", t.lat, t.lng)),
            area: self.names.area(&t.region_path),
            department: t.department_id.and_then(|d| self.names.departments.get(&d)).cloned(),
            grid_worker: self.names.user(t.grid_worker_id),
            measures: facts.measures,
            deadline: t.rectification_deadline,
            completed_at,
            checker: checked.and_then(|c| self.names.user(c.1)),
            struck_off_at: checked.map(|c| c.0),
            status: status.map_or_else(|| t.status.clone(), |s| status_label(s, t.rejection_kind.as_deref())),
            overdue,
            escalations: facts.escalations,
            rating: t.rating.map(i64::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn overdue_now_or_ever_or_fixed_late() {
        let now = Utc::now();
        let (before, after) = (now - TimeDelta::hours(1), now + TimeDelta::hours(1));
        assert!(!was_overdue(true, false, Some(after), 0, None, None, now));
        assert!(was_overdue(true, false, Some(before), 0, None, None, now), "open past its deadline");
        assert!(!was_overdue(false, false, Some(before), 0, None, None, now), "closed steps keep no deadline");
        assert!(was_overdue(false, false, None, 1, None, None, now), "escalated once");
        assert!(was_overdue(false, false, None, 0, Some(before), Some(now), now), "fixed late");
        assert!(!was_overdue(false, false, None, 0, Some(after), Some(now), now), "fixed in time");
    }

    #[test]
    fn rejected_rows_say_why() {
        assert_eq!(status_label(TicketStatus::Rejected, Some("recorded_in_error")), "已驳回（登记有误，申请销号）");
        assert_eq!(status_label(TicketStatus::Closed, None), "已销号");
    }
}
