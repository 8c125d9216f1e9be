//! Category and department use cases. Every write reloads the routing reference data (here and, through
//! the bus, on every instance) after it is committed.
use chrono::Utc;
use entity::{category, department, department_category, region, user, user_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{
    CategoryView, CreateCategoryRequest, CreateDepartmentRequest, DepartmentView, ListDepartmentsQuery,
    UpdateCategoryRequest, UpdateDepartmentRequest,
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    geo::{categories::Keyword, service::reference_changed},
    infra::db::is_unique_violation,
    state::AppState,
};

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

fn category_view(c: category::Model) -> CategoryView {
    CategoryView {
        keywords: serde_json::from_str(&c.keywords).unwrap_or_default(),
        code: c.code,
        name_zh: c.name_zh,
        name_en: c.name_en,
        parent_code: c.parent_code,
        default_urgency: c.default_urgency,
        usual_department_kind: c.usual_department_kind,
        accept_hours: c.accept_hours,
        verify_hours: c.verify_hours,
        rectify_days_general: c.rectify_days_general,
        rectify_days_major: c.rectify_days_major,
        active: c.active,
    }
}

fn check_range(field: &str, value: i32, max: i32) -> Result<(), ApiError> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(field, "out_of_range", format!("must be between 1 and {max}")))
    }
}

fn check_keywords(keywords: &[Keyword]) -> Result<(), ApiError> {
    for (i, k) in keywords.iter().enumerate() {
        if k.word.trim().is_empty() || k.word.chars().count() > 32 {
            return Err(invalid(&format!("keywords[{i}].word"), "invalid_keyword", "1 to 32 characters"));
        }
        if !(k.weight.is_finite() && (0.0..=10.0).contains(&k.weight)) {
            return Err(invalid(&format!("keywords[{i}].weight"), "out_of_range", "between 0 and 10"));
        }
    }
    Ok(())
}

/// Every category in display order.
pub async fn list_categories(state: &AppState) -> Result<Vec<CategoryView>, ApiError> {
    Ok(category::Entity::find()
        .order_by_asc(category::Column::SortOrder)
        .order_by_asc(category::Column::Code)
        .all(state.db())
        .await?
        .into_iter()
        .map(category_view)
        .collect())
}

/// Adds a category.
pub async fn create_category(state: &AppState, req: CreateCategoryRequest) -> Result<CategoryView, ApiError> {
    let code_ok = (2..=32).contains(&req.code.len())
        && req.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok {
        return Err(invalid("code", "invalid_code", "2–32 characters of a–z, 0–9 and _"));
    }
    if req.name_zh.trim().is_empty() {
        return Err(invalid("name_zh", "required", "must not be empty"));
    }
    check_range("accept_hours", req.accept_hours, 720)?;
    check_range("verify_hours", req.verify_hours, 720)?;
    check_range("rectify_days_general", req.rectify_days_general, 365)?;
    check_range("rectify_days_major", req.rectify_days_major, 365)?;
    check_keywords(&req.keywords)?;
    if let Some(parent) = &req.parent_code {
        if category::Entity::find_by_id(parent.clone()).one(state.db()).await?.is_none() {
            return Err(invalid("parent_code", "not_found", "no such category"));
        }
    }
    let now = Utc::now();
    let code = req.code.clone();
    let row = category::ActiveModel {
        code: Set(req.code),
        name_zh: Set(req.name_zh.trim().to_owned()),
        name_en: Set(req.name_en.trim().to_owned()),
        parent_code: Set(req.parent_code),
        keywords: Set(serde_json::to_string(&req.keywords).map_err(|e| ApiError::internal(e.into()))?),
        default_urgency: Set(req.default_urgency.as_str().to_owned()),
        usual_department_kind: Set(req.usual_department_kind.as_str()),
        accept_hours: Set(req.accept_hours),
        verify_hours: Set(req.verify_hours),
        rectify_days_general: Set(req.rectify_days_general),
        rectify_days_major: Set(req.rectify_days_major),
        sort_order: Set(1000),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    category::Entity::insert(row).exec_without_returning(state.db()).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::conflict("category_exists", "a category with this code exists")
        } else {
            e.into()
        }
    })?;
    reference_changed(state).await?;
    get_category(state, &code).await
}

async fn get_category(state: &AppState, code: &str) -> Result<CategoryView, ApiError> {
    category::Entity::find_by_id(code.to_owned())
        .one(state.db())
        .await?
        .map(category_view)
        .ok_or_else(|| ApiError::not_found("category_not_found", format!("no category `{code}`")))
}

/// Changes a category.
pub async fn update_category(
    state: &AppState,
    code: &str,
    req: UpdateCategoryRequest,
) -> Result<CategoryView, ApiError> {
    let row = category::Entity::find_by_id(code.to_owned())
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("category_not_found", format!("no category `{code}`")))?;
    let mut active: category::ActiveModel = row.into();
    if let Some(v) = req.name_zh {
        if v.trim().is_empty() {
            return Err(invalid("name_zh", "required", "must not be empty"));
        }
        active.name_zh = Set(v.trim().to_owned());
    }
    if let Some(v) = req.name_en {
        active.name_en = Set(v.trim().to_owned());
    }
    if let Some(k) = req.keywords {
        check_keywords(&k)?;
        active.keywords = Set(serde_json::to_string(&k).map_err(|e| ApiError::internal(e.into()))?);
    }
    if let Some(u) = req.default_urgency {
        active.default_urgency = Set(u.as_str().to_owned());
    }
    for (field, value, max, slot) in [
        ("accept_hours", req.accept_hours, 720, &mut active.accept_hours),
        ("verify_hours", req.verify_hours, 720, &mut active.verify_hours),
        ("rectify_days_general", req.rectify_days_general, 365, &mut active.rectify_days_general),
        ("rectify_days_major", req.rectify_days_major, 365, &mut active.rectify_days_major),
    ] {
        if let Some(v) = value {
            check_range(field, v, max)?;
            *slot = Set(v);
        }
    }
    if let Some(a) = req.active {
        active.active = Set(a);
    }
    active.updated_at = Set(Utc::now());
    let row = active.update(state.db()).await?;
    reference_changed(state).await?;
    Ok(category_view(row))
}

fn department_view(d: department::Model, categories: Vec<String>) -> DepartmentView {
    DepartmentView {
        id: d.id,
        name: d.name,
        kind: d.kind,
        region_id: d.region_id,
        categories,
        duty_contact: d.duty_contact,
        duty_phone: d.duty_phone,
        working_hours: d.working_hours,
    }
}

async fn categories_of<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<String>, ApiError> {
    Ok(department_category::Entity::find()
        .filter(department_category::Column::DepartmentId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.category_code)
        .collect())
}

/// Departments, optionally of one region.
pub async fn list_departments(state: &AppState, q: &ListDepartmentsQuery) -> Result<Vec<DepartmentView>, ApiError> {
    Ok(crate::geo::store::departments_with_categories(state.db(), q.region_id)
        .await?
        .into_iter()
        .map(|(d, categories)| department_view(d, categories))
        .collect())
}

async fn check_categories<C: ConnectionTrait>(db: &C, codes: &[String]) -> Result<(), ApiError> {
    for (i, code) in codes.iter().enumerate() {
        if category::Entity::find_by_id(code.clone()).one(db).await?.is_none() {
            return Err(invalid(&format!("categories[{i}]"), "not_found", format!("no category `{code}`")));
        }
    }
    Ok(())
}

async fn set_categories<C: ConnectionTrait>(db: &C, id: Uuid, codes: &[String]) -> Result<(), ApiError> {
    department_category::Entity::delete_many()
        .filter(department_category::Column::DepartmentId.eq(id))
        .exec(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    for code in codes.iter().filter(|c| seen.insert((*c).clone())) {
        department_category::ActiveModel { department_id: Set(id), category_code: Set(code.clone()) }
            .insert(db)
            .await?;
    }
    Ok(())
}

/// Adds a department.
pub async fn create_department(state: &AppState, req: CreateDepartmentRequest) -> Result<DepartmentView, ApiError> {
    if req.name.trim().is_empty() {
        return Err(invalid("name", "required", "must not be empty"));
    }
    if region::Entity::find_by_id(req.region_id).one(state.db()).await?.is_none() {
        return Err(invalid("region_id", "not_found", "no such region"));
    }
    check_categories(state.db(), &req.categories).await?;
    let now = Utc::now();
    let txn = state.db().begin().await?;
    let row = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(req.name.trim().to_owned()),
        kind: Set(req.kind.as_str()),
        region_id: Set(req.region_id),
        duty_contact: Set(req.duty_contact),
        duty_phone: Set(req.duty_phone),
        working_hours: Set(req.working_hours),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    set_categories(&txn, row.id, &req.categories).await?;
    let categories = categories_of(&txn, row.id).await?;
    let view = department_view(row, categories);
    txn.commit().await?;
    reference_changed(state).await?;
    Ok(view)
}

/// Changes a department.
pub async fn update_department(
    state: &AppState,
    id: Uuid,
    req: UpdateDepartmentRequest,
) -> Result<DepartmentView, ApiError> {
    let row = department::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("department_not_found", format!("no department {id}")))?;
    if let Some(codes) = &req.categories {
        check_categories(state.db(), codes).await?;
    }
    let txn = state.db().begin().await?;
    let mut active: department::ActiveModel = row.into();
    if let Some(name) = req.name {
        if name.trim().is_empty() {
            return Err(invalid("name", "required", "must not be empty"));
        }
        active.name = Set(name.trim().to_owned());
    }
    if let Some(kind) = req.kind {
        active.kind = Set(kind.as_str());
    }
    if let Some(v) = req.duty_contact {
        active.duty_contact = Set(Some(v));
    }
    if let Some(v) = req.duty_phone {
        active.duty_phone = Set(Some(v));
    }
    if let Some(v) = req.working_hours {
        active.working_hours = Set(v);
    }
    active.updated_at = Set(Utc::now());
    let row = active.update(&txn).await?;
    if let Some(codes) = &req.categories {
        set_categories(&txn, id, codes).await?;
    }
    let categories = categories_of(&txn, row.id).await?;
    let view = department_view(row, categories);
    txn.commit().await?;
    reference_changed(state).await?;
    Ok(view)
}

/// Makes a user staff of a department (a `dept_staff` grant scoped to it). Idempotent.
pub async fn add_member(state: &AppState, department_id: Uuid, user_id: Uuid) -> Result<(), ApiError> {
    if department::Entity::find_by_id(department_id).one(state.db()).await?.is_none() {
        return Err(ApiError::not_found("department_not_found", format!("no department {department_id}")));
    }
    if user::Entity::find_by_id(user_id).one(state.db()).await?.is_none() {
        return Err(invalid("user_id", "not_found", "no such user"));
    }
    let existing = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::Role.eq(Role::DeptStaff.as_str()))
        .filter(user_role::Column::DepartmentId.eq(department_id))
        .one(state.db())
        .await?;
    if existing.is_none() {
        user_role::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            role: Set(Role::DeptStaff.as_str().to_owned()),
            department_id: Set(Some(department_id)),
            region_id: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(state.db())
        .await?;
    }
    Ok(())
}
