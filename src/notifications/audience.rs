//! Who an outbox row reaches: the stored audience (`reporter`, `followers`, `grid_worker`,
//! `department`, `dispatchers`, `user`, `district_office`) expanded to users when it is delivered,
//! so a follower who joined after the change is still told; and the desk users who handle a
//! ticket ([`desk_users`]), whom `tickets::live` tells of every change.

use entity::{outbox, ticket, ticket_follower, user_role};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Role;

/// The users a row is addressed to.
pub async fn audience_users<C: ConnectionTrait>(
    db: &C,
    row: &outbox::Model,
    ticket: &ticket::Model,
) -> Result<Vec<Uuid>, DbErr> {
    let staff_of = |role: Role| user_role::Entity::find().filter(user_role::Column::Role.eq(role.as_str()));
    let users = match (row.audience.as_str(), row.audience_id) {
        ("reporter", _) => vec![ticket.reporter_id],
        ("followers", _) => ticket_follower::Entity::find()
            .filter(ticket_follower::Column::TicketId.eq(ticket.id))
            .all(db)
            .await?
            .into_iter()
            .map(|f| f.user_id)
            .collect(),
        ("grid_worker" | "user", Some(id)) => vec![id],
        ("department", Some(id)) => staff_of(Role::DeptStaff)
            .filter(user_role::Column::DepartmentId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.user_id)
            .collect(),
        // Dispatchers of the ticket's place (or of everywhere); a district's office is its dispatchers.
        ("dispatchers" | "district_office", scope) => staff_of(Role::Dispatcher)
            .all(db)
            .await?
            .into_iter()
            .filter(|r| match (r.region_id, scope.filter(|_| row.audience == "district_office")) {
                (_, Some(district)) => r.region_id.is_none_or(|region| region == district),
                (Some(region), None) => ticket.region_path.contains(&region.to_string()),
                (None, None) => true,
            })
            .map(|r| r.user_id)
            .collect(),
        _ => Vec::new(),
    };
    let mut unique = Vec::with_capacity(users.len());
    for u in users {
        if !unique.contains(&u) {
            unique.push(u);
        }
    }
    Ok(unique)
}

/// Whether the same change also wrote a row for the reporter (same ticket, kind, event and time).
pub async fn has_reporter_sibling<C: ConnectionTrait>(db: &C, row: &outbox::Model) -> Result<bool, DbErr> {
    let event = match row.event_id {
        Some(id) => outbox::Column::EventId.eq(id),
        None => outbox::Column::EventId.is_null(),
    };
    Ok(outbox::Entity::find()
        .filter(outbox::Column::TicketId.eq(row.ticket_id))
        .filter(outbox::Column::Audience.eq("reporter"))
        .filter(outbox::Column::Kind.eq(row.kind.as_str()))
        .filter(outbox::Column::CreatedAt.eq(row.created_at))
        .filter(event)
        .one(db)
        .await?
        .is_some())
}

/// The desk users who handle `ticket` (the rule of `tickets::access::Viewer::handles` for the desk
/// roles): staff of its department and of the co-handling `co_departments`, dispatchers whose region
/// is on its path (or who dispatch everywhere), and admins. Residents and grid workers are not in it.
pub async fn desk_users<C: ConnectionTrait>(
    db: &C,
    ticket: &ticket::Model,
    co_departments: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    let departments: Vec<Uuid> = ticket.department_id.into_iter().chain(co_departments.iter().copied()).collect();
    let staff = Condition::all()
        .add(user_role::Column::Role.eq(Role::DeptStaff.as_str()))
        .add(user_role::Column::DepartmentId.is_in(departments.iter().copied()));
    let grants = user_role::Entity::find()
        .filter(
            Condition::any()
                .add(staff)
                .add(user_role::Column::Role.is_in([Role::Dispatcher.as_str(), Role::Admin.as_str()])),
        )
        .all(db)
        .await?;
    let mut users: Vec<Uuid> = Vec::new();
    for grant in grants {
        let handles = match Role::parse(&grant.role) {
            Some(Role::DeptStaff) => grant.department_id.is_some_and(|d| departments.contains(&d)),
            Some(Role::Dispatcher) => {
                grant.region_id.is_none_or(|region| ticket.region_path.contains(&format!("/{region}/")))
            }
            Some(Role::Admin) => true,
            _ => false,
        };
        if handles && !users.contains(&grant.user_id) {
            users.push(grant.user_id);
        }
    }
    Ok(users)
}
