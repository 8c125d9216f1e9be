//! Who sees which tickets and in which capacity they act: residents their own and followed tickets,
//! grid workers their grids' and their own assignments, department staff their departments' (and
//! co-handled) tickets, dispatchers their region's subtree, admins everything. A ticket the caller
//! may not see does not exist for them (404).

use entity::{grid_assignment, ticket, ticket_department, ticket_follower, user_role};
use sea_orm::{
    sea_query::{Query, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{status::ActorRole, workflow::Actor};
use crate::auth::Role;

/// Where a dispatcher's grants reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchScope {
    /// No dispatcher grant.
    None,
    /// These regions and everything below them.
    Regions(Vec<Uuid>),
    /// Everywhere (an unscoped grant, or admin).
    All,
}

/// The caller with the scopes of their grants, loaded per request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// User id.
    pub id: Uuid,
    /// Granted roles.
    pub roles: Vec<Role>,
    /// Departments they are staff of.
    pub departments: Vec<Uuid>,
    /// Grids they are assigned to as a grid worker.
    pub grids: Vec<Uuid>,
    /// Dispatcher reach.
    pub dispatch: DispatchScope,
}

impl Viewer {
    /// Loads the caller's grants and grids.
    pub async fn load<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Self, DbErr> {
        let grants = user_role::Entity::find().filter(user_role::Column::UserId.eq(id)).all(db).await?;
        let mut roles = Vec::new();
        let mut departments = Vec::new();
        let mut regions = Vec::new();
        let mut unscoped_dispatch = false;
        for grant in &grants {
            let Some(role) = Role::parse(&grant.role) else { continue };
            if !roles.contains(&role) {
                roles.push(role);
            }
            match role {
                Role::DeptStaff => departments.extend(grant.department_id),
                Role::Dispatcher => match grant.region_id {
                    Some(region) => regions.push(region),
                    None => unscoped_dispatch = true,
                },
                Role::Admin => unscoped_dispatch = true,
                Role::Resident | Role::GridWorker => {}
            }
        }
        if roles.is_empty() {
            roles.push(Role::Resident);
        }
        let grids = if roles.contains(&Role::GridWorker) {
            grid_assignment::Entity::find()
                .filter(grid_assignment::Column::UserId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.grid_id)
                .collect()
        } else {
            Vec::new()
        };
        let dispatch = if unscoped_dispatch {
            DispatchScope::All
        } else if regions.is_empty() {
            DispatchScope::None
        } else {
            DispatchScope::Regions(regions)
        };
        Ok(Self { id, roles, departments, grids, dispatch })
    }

    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller is staff (any role but resident).
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| r.is_staff())
    }

    /// Whether the caller dispatches for the place of `row`.
    pub fn dispatches(&self, row: &ticket::Model) -> bool {
        match &self.dispatch {
            DispatchScope::None => false,
            DispatchScope::All => true,
            DispatchScope::Regions(regions) => regions.iter().any(|r| row.region_path.contains(&format!("/{r}/"))),
        }
    }

    /// Whether the caller sees the reporter of `row` (anonymous reports show them to dispatchers only).
    pub fn sees_reporter(&self, row: &ticket::Model) -> bool {
        !row.anonymous || row.reporter_id == self.id || self.dispatches(row)
    }

    /// The condition selecting the tickets the caller may see: those they handle, report or follow.
    pub fn visible(&self) -> Condition {
        if self.dispatch == DispatchScope::All {
            return Condition::all();
        }
        Condition::any()
            .add(ticket::Column::ReporterId.eq(self.id))
            .add(
                ticket::Column::Id.in_subquery(
                    Query::select()
                        .column(ticket_follower::Column::TicketId)
                        .from(ticket_follower::Entity)
                        .and_where(ticket_follower::Column::UserId.eq(self.id))
                        .to_owned(),
                ),
            )
            .add(self.handled())
    }

    /// The condition selecting the tickets the caller handles as staff (the SQL form of
    /// [`Viewer::handles`]): their grids', their departments' and co-handled, their region's, or all.
    /// Statistics count these; a resident handles none.
    pub fn handled(&self) -> Condition {
        if self.dispatch == DispatchScope::All {
            return Condition::all();
        }
        let mut any = Condition::any();
        if self.has(Role::GridWorker) {
            any = any.add(ticket::Column::GridWorkerId.eq(self.id));
            if !self.grids.is_empty() {
                any = any.add(ticket::Column::GridId.is_in(self.grids.clone()));
            }
        }
        if !self.departments.is_empty() {
            any = any.add(ticket::Column::DepartmentId.is_in(self.departments.clone())).add(
                ticket::Column::Id.in_subquery(
                    Query::select()
                        .column(ticket_department::Column::TicketId)
                        .from(ticket_department::Entity)
                        .and_where(ticket_department::Column::DepartmentId.is_in(self.departments.clone()))
                        .to_owned(),
                ),
            );
        }
        if let DispatchScope::Regions(regions) = &self.dispatch {
            for region in regions {
                let pattern: SimpleExpr = ticket::Column::RegionPath.like(format!("%/{region}/%"));
                any = any.add(pattern);
            }
        }
        any
    }

    /// Whether the caller may see `row`, given whether they follow it and the co-handling departments.
    pub fn can_see(&self, row: &ticket::Model, follows: bool, co_departments: &[Uuid]) -> bool {
        row.reporter_id == self.id || follows || self.handles(row, co_departments)
    }

    /// Whether the caller sees `row` as staff handling it (its grid, department, co-handling
    /// department or region), not merely as its reporter or a follower: only then do they read
    /// internal notes.
    pub fn handles(&self, row: &ticket::Model, co_departments: &[Uuid]) -> bool {
        self.dispatch == DispatchScope::All
            || (self.has(Role::GridWorker)
                && (row.grid_worker_id == Some(self.id) || row.grid_id.is_some_and(|g| self.grids.contains(&g))))
            || row.department_id.is_some_and(|d| self.departments.contains(&d))
            || co_departments.iter().any(|d| self.departments.contains(d))
            || self.dispatches(row)
    }

    /// The capacities the caller may act in on `row`, most specific first: grid worker, department
    /// staff (for the ticket's department if they are its staff), dispatcher (within their reach),
    /// admin, and always the plain user (who is the reporter if they reported it).
    pub fn actors(&self, row: &ticket::Model) -> Vec<Actor> {
        let mut actors = Vec::new();
        let actor = |role, department_id| Actor { user_id: self.id, role, department_id };
        if self.has(Role::GridWorker) {
            actors.push(actor(ActorRole::GridWorker, None));
        }
        if self.has(Role::DeptStaff) {
            let department =
                row.department_id.filter(|d| self.departments.contains(d)).or(self.departments.first().copied());
            actors.push(actor(ActorRole::DeptStaff, department));
        }
        if self.has(Role::Dispatcher) && self.dispatches(row) {
            actors.push(actor(ActorRole::Dispatcher, None));
        }
        if self.has(Role::Admin) {
            actors.push(actor(ActorRole::Admin, None));
        }
        actors.push(actor(ActorRole::Reporter, None));
        actors
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn viewer(roles: Vec<Role>, dispatch: DispatchScope) -> Viewer {
        Viewer { id: Uuid::from_u128(1), roles, departments: vec![], grids: vec![], dispatch }
    }

    /// A stored ticket under `path`, assigned, held by nobody (other tests start from it).
    pub(crate) fn row(path: &str) -> ticket::Model {
        let now = chrono::Utc::now();
        ticket::Model {
            id: Uuid::from_u128(9),
            number: "YH202611230001".into(),
            version: 1,
            status: "assigned".into(),
            channel: "app".into(),
            reporter_id: Uuid::from_u128(2),
            anonymous: true,
            category: "fire".into(),
            description: "x".into(),
            urgency: "normal".into(),
            hazard_level: None,
            lat: 0.0,
            lng: 0.0,
            wgs_lat: 0.0,
            wgs_lng: 0.0,
            coord_system: "gcj02".into(),
            address: None,
            region_id: None,
            region_path: path.into(),
            grid_id: None,
            department_id: None,
            grid_worker_id: None,
            routing: "{}".into(),
            workflow: "{}".into(),
            pending_kind: None,
            rejection_kind: None,
            duplicate_of: None,
            rectification_deadline: None,
            step_started_at: now,
            due_at: None,
            overdue: false,
            escalation_level: 0,
            escalated_at: None,
            closed_at: None,
            reopen_count: 0,
            follower_count: 0,
            priority: 0,
            rating: None,
            rating_comment: None,
            rated_at: None,
            first_verified_at: None,
            first_accepted_at: None,
            first_rectified_at: None,
            last_rectified_at: None,
            first_closed_at: None,
            escalation_count: 0,
            flags: "[]".into(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn dispatchers_reach_their_subtree_only_and_alone_see_anonymous_reporters() {
        let (a, b) = (Uuid::from_u128(100), Uuid::from_u128(200));
        let inside = row(&format!("/{a}/{}/", Uuid::from_u128(101)));
        let outside = row(&format!("/{b}/"));
        let scoped = viewer(vec![Role::Dispatcher], DispatchScope::Regions(vec![a]));
        assert!(scoped.dispatches(&inside) && !scoped.dispatches(&outside));
        assert!(scoped.can_see(&inside, false, &[]) && !scoped.can_see(&outside, false, &[]));
        assert!(scoped.sees_reporter(&inside) && !scoped.sees_reporter(&outside));
        let resident = viewer(vec![Role::Resident], DispatchScope::None);
        assert!(!resident.can_see(&inside, false, &[]) && resident.can_see(&inside, true, &[]));
        assert!(!resident.sees_reporter(&inside));
        assert_eq!(resident.actors(&inside).len(), 1);
    }

    #[test]
    fn reporting_or_following_is_seeing_but_not_handling() {
        let dept = Uuid::from_u128(300);
        let mut staff = viewer(vec![Role::DeptStaff], DispatchScope::None);
        staff.departments = vec![dept];
        let mut theirs = row("/");
        assert!(staff.can_see(&theirs, true, &[]) && !staff.handles(&theirs, &[]));
        assert!(staff.handles(&theirs, &[dept]), "co-handling");
        theirs.department_id = Some(dept);
        assert!(staff.handles(&theirs, &[]));
        theirs.department_id = None;
        theirs.reporter_id = staff.id;
        assert!(staff.can_see(&theirs, false, &[]) && !staff.handles(&theirs, &[]));
    }
}
