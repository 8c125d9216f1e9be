//! Jurisdiction at run time: the in-memory region index (rebuilt when regions change, on every
//! instance through the bus), locating a point, and routing a (category, point) pair.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use anyhow::Context;
use entity::category;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::{
    index::{IndexConfig, Located, RegionIndex},
    point::{CoordSystem, GeoPoint},
    routing::{route, RoutingDecision, RoutingInput},
    store,
};
use crate::{error::ApiError, state::AppState, telemetry::spawn_blocking_with_tracing};

/// Bus topic announcing that regions changed and indexes must be rebuilt.
pub const REGIONS_CHANGED: &str = "geo.regions_changed";

/// The current region index, swapped whole on rebuild so readers never wait.
pub struct Jurisdiction {
    index: RwLock<Arc<RegionIndex>>,
    config: IndexConfig,
    // Tags this instance's change announcements, so it does not rebuild twice for its own change.
    instance: String,
}

impl Jurisdiction {
    /// An empty index with the configured near-border distance.
    pub fn new(near_border_m: f64) -> anyhow::Result<Self> {
        let config = IndexConfig { near_border_m };
        let empty = RegionIndex::build(Vec::new(), config).context("geo.near_border_m")?;
        Ok(Self { index: RwLock::new(Arc::new(empty)), config, instance: uuid::Uuid::new_v4().to_string() })
    }

    /// The index in force.
    pub fn current(&self) -> Arc<RegionIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Rebuilds from the database; on failure the old index stays in force.
    pub async fn reload<C: ConnectionTrait>(&self, db: &C) -> anyhow::Result<usize> {
        let shapes = store::load_shapes(db).await?;
        let config = self.config;
        let index = spawn_blocking_with_tracing(move || RegionIndex::build(shapes, config))
            .await
            .context("index build task failed")?
            .context("stored regions do not form a valid tree")?;
        let count = index.len();
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
        Ok(count)
    }
}

/// Rebuilds this instance's index and tells the others to do the same.
pub async fn regions_changed(state: &AppState) -> anyhow::Result<()> {
    let count = state.jurisdiction().reload(state.db()).await?;
    tracing::info!(regions = count, "region index rebuilt");
    if let Err(e) = state.backends().bus.publish(REGIONS_CHANGED, &state.jurisdiction().instance).await {
        tracing::warn!(error = %e, "could not announce the region change; other instances rebuild on restart");
    }
    Ok(())
}

/// Listens for region changes announced by other instances and rebuilds.
pub async fn watch_region_changes(state: AppState) -> anyhow::Result<()> {
    let mut rx = state.backends().bus.subscribe(REGIONS_CHANGED).await?;
    loop {
        match rx.recv().await {
            Ok(from) if from == state.jurisdiction().instance => {}
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                match state.jurisdiction().reload(state.db()).await {
                    Ok(n) => tracing::info!(regions = n, "region index rebuilt after a change elsewhere"),
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "region index rebuild failed"),
                }
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
        }
    }
}

/// A point parsed from user input, in its own and in canonical coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    /// As given.
    pub given: GeoPoint,
    /// The system it was given in.
    pub coord_system: CoordSystem,
    /// GCJ-02 (the boundaries' system).
    pub gcj02: GeoPoint,
    /// WGS-84.
    pub wgs84: GeoPoint,
}

/// Validates a point: 422 naming `lat`/`lng` when out of range or not a number.
pub fn position(lat: f64, lng: f64, coord_system: CoordSystem) -> Result<Position, ApiError> {
    let given = GeoPoint::parse(lat, lng).map_err(|e| {
        let field = if e.to_string().to_lowercase().contains("lat") { "lat" } else { "lng" };
        ApiError::validation(vec![crate::error::FieldError::new(field, e.code(), e.to_string())])
    })?;
    Ok(Position {
        given,
        coord_system,
        gcj02: given.convert(coord_system, CoordSystem::Gcj02),
        wgs84: given.convert(coord_system, CoordSystem::Wgs84),
    })
}

/// Where a point lies.
pub fn locate(state: &AppState, at: &Position) -> Located {
    state.jurisdiction().current().locate(at.gcj02)
}

/// Which department and grid workers a hazard of `category` at `at` goes to, and why.
pub async fn route_hazard(state: &AppState, category_code: &str, at: &Position) -> Result<RoutingDecision, ApiError> {
    let category =
        category::Entity::find_by_id(category_code.to_owned()).one(state.db()).await?.filter(|c| c.active).ok_or_else(
            || ApiError::not_found("category_not_found", format!("no active category `{category_code}`")),
        )?;
    let located = locate(state, at);
    let departments = store::load_departments(state.db()).await?;
    let rules = store::load_rules(state.db(), &category.code).await?;
    let mut grids: Vec<_> = located.chain.iter().map(|r| r.id).collect();
    if let Some(nb) = &located.near_border {
        grids.extend(nb.candidates.iter().map(|c| c.region.id));
    }
    let workers = store::load_grid_workers(state.db(), &grids, &HashMap::new()).await?;
    Ok(route(&RoutingInput {
        category_code: &category.code,
        category_name: &category.name_zh,
        located: &located,
        departments: &departments,
        rules: &rules,
        grid_workers: &workers,
    }))
}
