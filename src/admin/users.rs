//! Accounts as administrators keep them: find people by phone or name with their roles, grant and
//! revoke roles (department staff of a department, grid worker of a grid, dispatcher of a region or
//! everywhere, admin), disable and enable an account. A role change reaches the holder's scope at
//! once (scopes are read from the grants on every request) and their token's role list at its next
//! renewal; disabling also revokes every refresh token, so the account's sessions end within one
//! access token's lifetime. Nobody can lock themselves out: an admin cannot disable their own
//! account or revoke their own admin grant.

use chrono::Utc;
use entity::{department, grid_assignment, refresh_token, region, user, user_role};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Phone, Role},
    error::{ApiError, FieldError},
    geo::{region::RegionLevel, store::parse_level},
    state::AppState,
};

/// Most accounts one search shows.
pub const SEARCH_LIMIT: u64 = 50;

/// One role grant of an account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    /// Grant id (what revoking names).
    pub id: Uuid,
    /// The role.
    pub role: Role,
    /// Department a `dept_staff` grant is limited to.
    pub department_id: Option<Uuid>,
    /// Region a `dispatcher` grant is limited to.
    pub region_id: Option<Uuid>,
}

/// An account with its grants and, for grid workers, their grids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    /// User id.
    pub id: Uuid,
    /// Phone number.
    pub phone: Option<String>,
    /// Name shown to others.
    pub display_name: String,
    /// Whether the account may not log in.
    pub disabled: bool,
    /// Roles held.
    pub grants: Vec<GrantView>,
    /// Grids the account patrols (grid workers).
    pub grids: Vec<Uuid>,
}

/// `GET /api/v1/users` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListUsersQuery {
    /// Part of a phone number or name; without it, everyone holding a role other than resident.
    pub q: Option<String>,
}

/// `POST /api/v1/users/{id}/roles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRoleRequest {
    /// The role.
    pub role: Role,
    /// The department (`dept_staff`: required; ignored for other roles).
    pub department_id: Option<Uuid>,
    /// The grid (`grid_worker`: required) or the region a dispatcher works in (none: everywhere);
    /// ignored for other roles.
    pub region_id: Option<Uuid>,
}

impl GrantRoleRequest {
    /// The scope the request gives its role.
    pub fn scope(&self) -> Scope {
        match (self.role, self.department_id, self.region_id) {
            (Role::DeptStaff, Some(d), _) => Scope::Department(d),
            (Role::GridWorker | Role::Dispatcher, _, Some(r)) => Scope::Region(r),
            _ => Scope::None,
        }
    }
}

/// `PATCH /api/v1/users/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Whether the account may not log in.
    pub disabled: bool,
}

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

/// Accounts whose phone or name contains `q` (all accounts holding a role other than resident
/// when `q` is empty), by phone.
pub async fn search(state: &AppState, q: &str) -> Result<Vec<AccountView>, ApiError> {
    let q = q.trim();
    let mut find = user::Entity::find().order_by_asc(user::Column::Phone).limit(SEARCH_LIMIT);
    if q.is_empty() {
        let staff = user_role::Entity::find()
            .select_only()
            .column(user_role::Column::UserId)
            .filter(user_role::Column::Role.ne(Role::Resident.as_str()))
            .into_query();
        find = find.filter(user::Column::Id.in_subquery(staff));
    } else {
        let like = format!("%{}%", q.replace(['%', '_'], ""));
        find = find.filter(
            Condition::any().add(user::Column::Phone.like(like.clone())).add(user::Column::DisplayName.like(like)),
        );
    }
    let accounts = find.all(state.db()).await?;
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let grants = user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(ids.clone()))
        .order_by_asc(user_role::Column::CreatedAt)
        .all(state.db())
        .await?;
    let grids = grid_assignment::Entity::find()
        .filter(grid_assignment::Column::UserId.is_in(ids))
        .order_by_asc(grid_assignment::Column::CreatedAt)
        .all(state.db())
        .await?;
    Ok(accounts
        .into_iter()
        .map(|a| AccountView {
            grants: grants
                .iter()
                .filter(|g| g.user_id == a.id)
                .filter_map(|g| {
                    Some(GrantView {
                        id: g.id,
                        role: Role::parse(&g.role)?,
                        department_id: g.department_id,
                        region_id: g.region_id,
                    })
                })
                .collect(),
            grids: grids.iter().filter(|g| g.user_id == a.id).map(|g| g.grid_id).collect(),
            id: a.id,
            phone: a.phone,
            display_name: a.display_name,
            disabled: a.disabled,
        })
        .collect())
}

/// The account with this phone number (`field` names the form field in the refusal).
pub async fn by_phone(state: &AppState, phone: &str, field: &str) -> Result<user::Model, ApiError> {
    let phone = Phone::parse(phone).map_err(|_| invalid(field, "invalid_phone", "an 11-digit mobile number"))?;
    user::Entity::find()
        .filter(user::Column::Phone.eq(phone.as_str()))
        .one(state.db())
        .await?
        .ok_or_else(|| invalid(field, "unknown_user", "nobody has this phone number"))
}

/// What a grant is limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nothing (admin, resident, a dispatcher for everywhere).
    None,
    /// A department (`dept_staff`: required).
    Department(Uuid),
    /// A region (`dispatcher`: its subtree; `grid_worker`: a grid, which becomes an assignment).
    Region(Uuid),
}

/// Grants `role` to `user_id`. Department staff need a department, grid workers a grid (the grant is
/// unscoped and the grid becomes an on-duty assignment), a dispatcher may have a region. Idempotent:
/// granting what is held changes nothing.
pub async fn grant(state: &AppState, user_id: Uuid, role: Role, scope: Scope) -> Result<(), ApiError> {
    if user::Entity::find_by_id(user_id).one(state.db()).await?.is_none() {
        return Err(invalid("user_id", "unknown_user", "no such user"));
    }
    let (department_id, region_id, grid) = match (role, scope) {
        (Role::DeptStaff, Scope::Department(d)) => {
            if department::Entity::find_by_id(d).one(state.db()).await?.is_none() {
                return Err(invalid("department_id", "not_found", "no such department"));
            }
            (Some(d), None, None)
        }
        (Role::DeptStaff, _) => return Err(invalid("department_id", "required", "choose the department")),
        (Role::GridWorker, Scope::Region(g)) => {
            let row = region::Entity::find_by_id(g).one(state.db()).await?;
            if row.is_none_or(|r| parse_level(&r.level) != Some(RegionLevel::Grid)) {
                return Err(invalid("region_id", "not_a_grid", "choose a grid"));
            }
            (None, None, Some(g))
        }
        (Role::GridWorker, _) => return Err(invalid("region_id", "required", "choose the grid")),
        (Role::Dispatcher, Scope::Region(r)) => {
            if region::Entity::find_by_id(r).one(state.db()).await?.is_none() {
                return Err(invalid("region_id", "not_found", "no such region"));
            }
            (None, Some(r), None)
        }
        (_, _) => (None, None, None),
    };
    let txn = state.db().begin().await?;
    let held = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::Role.eq(role.as_str()))
        .all(&txn)
        .await?;
    let same = held.iter().any(|g| g.department_id == department_id && g.region_id == region_id);
    if !same {
        user_role::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
            department_id: Set(department_id),
            region_id: Set(region_id),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
    }
    if let Some(grid) = grid {
        let assigned = grid_assignment::Entity::find()
            .filter(grid_assignment::Column::UserId.eq(user_id))
            .filter(grid_assignment::Column::GridId.eq(grid))
            .one(&txn)
            .await?;
        if assigned.is_none() {
            grid_assignment::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                grid_id: Set(grid),
                on_duty: Set(true),
                created_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    tracing::info!(user.id = %user_id, role = role.as_str(), "role granted");
    Ok(())
}

/// Revokes a grant of `user_id` (`caller` may not revoke their own admin grant). Revoking the
/// grid worker role also ends the account's grid assignments.
pub async fn revoke(state: &AppState, caller: Uuid, user_id: Uuid, grant_id: Uuid) -> Result<(), ApiError> {
    let row = user_role::Entity::find_by_id(grant_id)
        .one(state.db())
        .await?
        .filter(|g| g.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("grant_not_found", "no such role grant"))?;
    if row.user_id == caller && row.role == Role::Admin.as_str() {
        return Err(ApiError::conflict("own_admin_grant", "you cannot revoke your own admin role"));
    }
    let txn = state.db().begin().await?;
    user_role::Entity::delete_by_id(grant_id).exec(&txn).await?;
    if row.role == Role::GridWorker.as_str() {
        grid_assignment::Entity::delete_many()
            .filter(grid_assignment::Column::UserId.eq(row.user_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(user.id = %row.user_id, role = row.role, "role revoked");
    Ok(())
}

/// Disables or enables an account (`caller` may not disable themselves). Disabling revokes the
/// account's refresh tokens.
pub async fn set_disabled(state: &AppState, caller: Uuid, user_id: Uuid, disabled: bool) -> Result<(), ApiError> {
    if disabled && user_id == caller {
        return Err(ApiError::conflict("own_account", "you cannot disable your own account"));
    }
    let row = user::Entity::find_by_id(user_id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("user_not_found", "no such user"))?;
    let now = Utc::now();
    let txn = state.db().begin().await?;
    let mut active: user::ActiveModel = row.into();
    active.disabled = Set(disabled);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    if disabled {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::UserId.eq(user_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(user.id = %user_id, disabled, "account access changed");
    Ok(())
}

/// A member of a department: the account and its `dept_staff` grant.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// The grant (what removing names).
    pub grant_id: Uuid,
    /// The account.
    pub user_id: Uuid,
    /// Phone number.
    pub phone: Option<String>,
    /// Name shown to others.
    pub display_name: String,
}

/// The staff of a department, by phone.
pub async fn department_members(state: &AppState, department_id: Uuid) -> Result<Vec<Member>, ApiError> {
    let grants = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::DeptStaff.as_str()))
        .filter(user_role::Column::DepartmentId.eq(department_id))
        .all(state.db())
        .await?;
    let accounts = user::Entity::find()
        .filter(user::Column::Id.is_in(grants.iter().map(|g| g.user_id)))
        .order_by_asc(user::Column::Phone)
        .all(state.db())
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            let grant = grants.iter().find(|g| g.user_id == a.id)?;
            Some(Member { grant_id: grant.id, user_id: a.id, phone: a.phone, display_name: a.display_name })
        })
        .collect())
}
