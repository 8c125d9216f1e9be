//! `ticket`: a hazard report and where it is in its life.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub number: String,
    pub version: i64,
    pub status: String,
    pub channel: String,
    pub reporter_id: Uuid,
    pub anonymous: bool,
    pub category: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub urgency: String,
    pub hazard_level: Option<String>,
    #[sea_orm(column_type = "Double")]
    pub lat: f64,
    #[sea_orm(column_type = "Double")]
    pub lng: f64,
    #[sea_orm(column_type = "Double")]
    pub wgs_lat: f64,
    #[sea_orm(column_type = "Double")]
    pub wgs_lng: f64,
    pub coord_system: String,
    pub address: Option<String>,
    pub region_id: Option<Uuid>,
    pub region_path: String,
    pub grid_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub grid_worker_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub routing: String,
    #[sea_orm(column_type = "Text")]
    pub workflow: String,
    pub pending_kind: Option<String>,
    pub rejection_kind: Option<String>,
    pub duplicate_of: Option<Uuid>,
    pub rectification_deadline: Option<DateTimeUtc>,
    pub step_started_at: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub overdue: bool,
    pub escalation_level: i16,
    pub escalated_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub reopen_count: i32,
    pub follower_count: i32,
    pub priority: i32,
    pub rating: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rating_comment: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub flags: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// First `confirm` or `resolve_on_spot` (written with the event; see `tickets::store::insert_event`).
    pub first_verified_at: Option<DateTimeUtc>,
    /// First `accept` into `rectifying`.
    pub first_accepted_at: Option<DateTimeUtc>,
    /// First `complete`.
    pub first_rectified_at: Option<DateTimeUtc>,
    /// Latest `complete`.
    pub last_rectified_at: Option<DateTimeUtc>,
    /// First move into `closed` by `pass` or `resolve_on_spot`.
    pub first_closed_at: Option<DateTimeUtc>,
    /// `escalate` events.
    pub escalation_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::ticket_event::Entity")]
    TicketEvent,
}

impl Related<super::ticket_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TicketEvent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
