//! Campaign use cases: list, read, create and change (dispatchers within their region scope, and
//! admins), tagging the tickets the definition covers in the same transaction, and the active
//! campaigns of a place for the intake bot's greeting.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::{campaign, campaign_category, campaign_region, category, region, ticket_campaign};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{
    dto::{CampaignSummary, CampaignView, CreateCampaignRequest, UpdateCampaignRequest},
    rules::Definition,
    store,
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    idempotency,
    state::AppState,
    tickets::{
        access::{DispatchScope, Viewer},
        service::{Answer, Retry},
    },
};

fn not_found() -> ApiError {
    ApiError::not_found("campaign_not_found", "no such campaign")
}

/// Staff read campaigns; residents have none to read.
fn require_staff(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden("campaigns are for staff"))
    }
}

/// Dispatchers and admins write campaigns.
fn require_writer(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.has(Role::Dispatcher) || viewer.has(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::forbidden("this needs one of the roles: dispatcher, admin"))
    }
}

/// Every region's parent, to walk up the tree.
async fn parents<C: ConnectionTrait>(db: &C) -> Result<HashMap<Uuid, Option<Uuid>>, ApiError> {
    let rows: Vec<(Uuid, Option<Uuid>)> = region::Entity::find()
        .select_only()
        .columns([region::Column::Id, region::Column::ParentId])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Checks that the categories and regions exist and that the caller may target the regions.
async fn check_references<C: ConnectionTrait>(db: &C, viewer: &Viewer, def: &Definition) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let known: Vec<String> = category::Entity::find()
        .select_only()
        .column(category::Column::Code)
        .filter(category::Column::Code.is_in(def.categories.iter().map(String::as_str)))
        .into_tuple()
        .all(db)
        .await?;
    for code in def.categories.iter().filter(|c| !known.contains(c)) {
        errors.push(FieldError::new("categories", "unknown_category", format!("no category `{code}`")));
    }
    let tree = parents(db).await?;
    for id in def.regions.iter().filter(|r| !tree.contains_key(r)) {
        errors.push(FieldError::new("regions", "unknown_region", format!("no region {id}")));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if let DispatchScope::Regions(scope) = &viewer.dispatch {
        for id in &def.regions {
            if !within(&tree, *id, scope) {
                return Err(ApiError::forbidden(format!("region {id} lies outside your dispatch scope")));
            }
        }
    } else if viewer.dispatch == DispatchScope::None {
        return Err(ApiError::forbidden("this needs a dispatcher grant"));
    }
    Ok(())
}

/// Whether `id` is one of `scope` or below one.
fn within(tree: &HashMap<Uuid, Option<Uuid>>, id: Uuid, scope: &[Uuid]) -> bool {
    let mut at = Some(id);
    // The tree is four levels deep; the bound guards against a cycle in bad data.
    for _ in 0..16 {
        let Some(current) = at else { return false };
        if scope.contains(&current) {
            return true;
        }
        at = tree.get(&current).copied().flatten();
    }
    false
}

async fn definition_of<C: ConnectionTrait>(db: &C, row: &campaign::Model) -> Result<Definition, ApiError> {
    let categories: Vec<String> = campaign_category::Entity::find()
        .select_only()
        .column(campaign_category::Column::CategoryCode)
        .filter(campaign_category::Column::CampaignId.eq(row.id))
        .order_by_asc(campaign_category::Column::CategoryCode)
        .into_tuple()
        .all(db)
        .await?;
    let regions: Vec<Uuid> = campaign_region::Entity::find()
        .select_only()
        .column(campaign_region::Column::RegionId)
        .filter(campaign_region::Column::CampaignId.eq(row.id))
        .order_by_asc(campaign_region::Column::RegionId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(Definition {
        name: row.name.clone(),
        description: row.description.clone(),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        categories,
        regions,
    })
}

async fn ticket_counts<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>, ApiError> {
    let rows: Vec<(Uuid, i64)> = ticket_campaign::Entity::find()
        .select_only()
        .column(ticket_campaign::Column::CampaignId)
        .column_as(ticket_campaign::Column::TicketId.count(), "n")
        .filter(ticket_campaign::Column::CampaignId.is_in(ids.iter().copied()))
        .group_by(ticket_campaign::Column::CampaignId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

fn view(row: campaign::Model, def: Definition, ticket_count: i64, now: DateTime<Utc>) -> CampaignView {
    CampaignView {
        id: row.id,
        active: row.starts_at <= now && now < row.ends_at,
        name: row.name,
        description: row.description,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        categories: def.categories,
        regions: def.regions,
        ticket_count,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn load_view<C: ConnectionTrait>(
    db: &C,
    row: campaign::Model,
    now: DateTime<Utc>,
) -> Result<CampaignView, ApiError> {
    let def = definition_of(db, &row).await?;
    let count = ticket_counts(db, &[row.id]).await?.get(&row.id).copied().unwrap_or(0);
    Ok(view(row, def, count, now))
}

/// Every campaign, newest window first.
pub async fn list(state: &AppState, viewer: &Viewer) -> Result<Vec<CampaignView>, ApiError> {
    require_staff(viewer)?;
    let now = state.clock().now();
    let rows = campaign::Entity::find()
        .order_by_desc(campaign::Column::StartsAt)
        .order_by_asc(campaign::Column::Id)
        .all(state.db())
        .await?;
    let counts = ticket_counts(state.db(), &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let def = definition_of(state.db(), &row).await?;
        let count = counts.get(&row.id).copied().unwrap_or(0);
        out.push(view(row, def, count, now));
    }
    Ok(out)
}

/// One campaign.
pub async fn get(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<CampaignView, ApiError> {
    require_staff(viewer)?;
    let row = campaign::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    load_view(state.db(), row, state.clock().now()).await
}

async fn write_lists<C: ConnectionTrait>(db: &C, id: Uuid, def: &Definition) -> Result<(), ApiError> {
    campaign_category::Entity::delete_many().filter(campaign_category::Column::CampaignId.eq(id)).exec(db).await?;
    campaign_region::Entity::delete_many().filter(campaign_region::Column::CampaignId.eq(id)).exec(db).await?;
    campaign_category::Entity::insert_many(
        def.categories
            .iter()
            .map(|c| campaign_category::ActiveModel { campaign_id: Set(id), category_code: Set(c.clone()) }),
    )
    .exec_without_returning(db)
    .await?;
    campaign_region::Entity::insert_many(
        def.regions.iter().map(|r| campaign_region::ActiveModel { campaign_id: Set(id), region_id: Set(*r) }),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Creates a campaign and tags the tickets it covers, also those reported before it was entered
/// (offices often register a campaign after it started, and its figures count from its start).
/// With a retry key, a repeat gets the first answer.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    req: CreateCampaignRequest,
    retry: Option<&Retry>,
) -> Result<Answer, ApiError> {
    require_writer(viewer)?;
    let now = state.clock().now();
    let def = Definition::parse(&req.name, &req.description, req.starts_at, req.ends_at, &req.categories, &req.regions)
        .map_err(ApiError::validation)?;
    check_references(state.db(), viewer, &def).await?;
    let txn = state.db().begin().await?;
    if let Some(retry) = retry {
        if let idempotency::Begin::Replay { status, body } =
            idempotency::begin(&txn, viewer.id, &retry.key, &retry.hash, now).await?
        {
            txn.rollback().await?;
            return Ok(Answer { status, body, replayed: true });
        }
    }
    let id = Uuid::now_v7();
    let row = campaign::Model {
        id,
        name: def.name.clone(),
        description: def.description.clone(),
        starts_at: def.starts_at,
        ends_at: def.ends_at,
        created_by: viewer.id,
        created_at: now,
        updated_at: now,
    };
    campaign::Entity::insert(campaign::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
    write_lists(&txn, id, &def).await?;
    let tagged = store::retag(&txn, id, &def).await?;
    let body = serde_json::to_string(&view(row, def, i64::try_from(tagged).unwrap_or(i64::MAX), now))
        .map_err(|e| ApiError::internal(e.into()))?;
    if let Some(retry) = retry {
        idempotency::complete(&txn, viewer.id, &retry.key, StatusCode::CREATED.as_u16(), &body, now).await?;
    }
    txn.commit().await?;
    tracing::info!(campaign.id = %id, tickets = tagged, "campaign created");
    Ok(Answer { status: StatusCode::CREATED.as_u16(), body, replayed: false })
}

/// Changes a campaign and tags its tickets again for the new definition (a scoped dispatcher must
/// reach both its old and its new regions).
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: UpdateCampaignRequest,
) -> Result<CampaignView, ApiError> {
    require_writer(viewer)?;
    let now = state.clock().now();
    let row = campaign::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let old = definition_of(state.db(), &row).await?;
    check_references(state.db(), viewer, &old).await?;
    let def = Definition::parse(
        req.name.as_deref().unwrap_or(&old.name),
        req.description.as_deref().unwrap_or(&old.description),
        req.starts_at.unwrap_or(old.starts_at),
        req.ends_at.unwrap_or(old.ends_at),
        req.categories.as_deref().unwrap_or(&old.categories),
        req.regions.as_deref().unwrap_or(&old.regions),
    )
    .map_err(ApiError::validation)?;
    check_references(state.db(), viewer, &def).await?;
    let txn = state.db().begin().await?;
    let updated = campaign::Model {
        name: def.name.clone(),
        description: def.description.clone(),
        starts_at: def.starts_at,
        ends_at: def.ends_at,
        updated_at: now,
        ..row
    };
    // A model turned into an active model is all `Unchanged`, which an update would skip: set the
    // changed columns.
    let change = campaign::ActiveModel {
        name: Set(updated.name.clone()),
        description: Set(updated.description.clone()),
        starts_at: Set(updated.starts_at),
        ends_at: Set(updated.ends_at),
        updated_at: Set(now),
        ..campaign::ActiveModel::from(updated.clone())
    };
    campaign::Entity::update(change).exec(&txn).await?;
    write_lists(&txn, id, &def).await?;
    let tagged = store::retag(&txn, id, &def).await?;
    txn.commit().await?;
    tracing::info!(campaign.id = %id, tickets = tagged, "campaign changed");
    Ok(view(updated, def, i64::try_from(tagged).unwrap_or(i64::MAX), now))
}

/// The campaigns active at `now` that target one of `regions` (a place's region chain, e.g. the
/// ids in a ticket's `region_path` or a located chain), for the intake bot's greeting.
pub async fn active_for(
    state: &AppState,
    regions: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<CampaignSummary>, ApiError> {
    if regions.is_empty() {
        return Ok(Vec::new());
    }
    let targeted: Vec<Uuid> = campaign_region::Entity::find()
        .select_only()
        .column(campaign_region::Column::CampaignId)
        .filter(campaign_region::Column::RegionId.is_in(regions.iter().copied()))
        .into_tuple()
        .all(state.db())
        .await?;
    if targeted.is_empty() {
        return Ok(Vec::new());
    }
    let rows = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(targeted))
        .filter(campaign::Column::StartsAt.lte(now))
        .filter(campaign::Column::EndsAt.gt(now))
        .order_by_asc(campaign::Column::EndsAt)
        .all(state.db())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let def = definition_of(state.db(), &row).await?;
        out.push(CampaignSummary { id: row.id, name: row.name, ends_at: row.ends_at, categories: def.categories });
    }
    Ok(out)
}

/// The region ids of a `region_path` (`/district/street/community/grid/`).
pub fn regions_of_path(region_path: &str) -> Vec<Uuid> {
    region_path.split('/').filter_map(|p| p.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_reaches_down_the_tree_only() {
        let (d, s, c, other) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        let tree = HashMap::from([(d, None), (s, Some(d)), (c, Some(s)), (other, None)]);
        assert!(within(&tree, c, &[s]) && within(&tree, s, &[s]));
        assert!(!within(&tree, d, &[s]) && !within(&tree, other, &[s]));
        assert_eq!(regions_of_path(&format!("/{d}/{s}/")), [d, s]);
    }
}
