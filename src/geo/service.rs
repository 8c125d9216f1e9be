//! Jurisdiction at run time: the in-memory region index and the reference data routing reads on
//! every report (categories, departments with their categories, routing rules), both rebuilt when
//! they change, on every instance through the bus; locating a point, and routing a (category, point)
//! pair. Grid assignments change with duty and are read per report (with the workers' open checks).

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
    routing::{route, Department, GridWorkerAssignment, RoutingDecision, RoutingInput, RoutingRule},
    store,
};
use crate::{error::ApiError, state::AppState, telemetry::spawn_blocking_with_tracing};

/// Bus topic announcing that regions changed and indexes must be rebuilt.
pub const REGIONS_CHANGED: &str = "geo.regions_changed";

/// Bus topic announcing that categories, departments or routing rules changed and the reference
/// data must be reloaded.
pub const REFERENCE_CHANGED: &str = "geo.reference_changed";

/// Categories (active or not), departments with the categories they handle, and routing rules by
/// category, as loaded from the database.
#[derive(Debug, Default)]
pub struct Reference {
    categories: HashMap<String, category::Model>,
    departments: Vec<Department>,
    rules: HashMap<String, Vec<RoutingRule>>,
}

impl Reference {
    /// Loads everything (four queries).
    pub async fn load<C: ConnectionTrait>(db: &C) -> anyhow::Result<Self> {
        let categories = category::Entity::find().all(db).await?.into_iter().map(|c| (c.code.clone(), c)).collect();
        let departments = store::load_departments(db).await?;
        let mut rules: HashMap<String, Vec<RoutingRule>> = HashMap::new();
        for rule in store::load_all_rules(db).await? {
            rules.entry(rule.category.clone()).or_default().push(rule);
        }
        Ok(Self { categories, departments, rules })
    }

    /// A category by code, active or not.
    pub fn category(&self, code: &str) -> Option<&category::Model> {
        self.categories.get(code)
    }

    /// Every category, active or not, ordered by code.
    pub fn categories(&self) -> Vec<&category::Model> {
        let mut all: Vec<&category::Model> = self.categories.values().collect();
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all
    }

    /// Every department, ordered by name, with the categories it handles.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The routing rules of one category.
    pub fn rules(&self, category: &str) -> &[RoutingRule] {
        self.rules.get(category).map_or(&[], Vec::as_slice)
    }
}

/// The current region index and reference data, each swapped whole on rebuild so readers never wait.
pub struct Jurisdiction {
    index: RwLock<Arc<RegionIndex>>,
    reference: RwLock<Arc<Reference>>,
    config: IndexConfig,
    // Tags this instance's change announcements, so it does not rebuild twice for its own change.
    instance: String,
}

impl Jurisdiction {
    /// An empty index with the configured near-border distance.
    pub fn new(near_border_m: f64) -> anyhow::Result<Self> {
        let config = IndexConfig { near_border_m };
        let empty = RegionIndex::build(Vec::new(), config).context("geo.near_border_m")?;
        Ok(Self {
            index: RwLock::new(Arc::new(empty)),
            reference: RwLock::new(Arc::new(Reference::default())),
            config,
            instance: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// The index in force.
    pub fn current(&self) -> Arc<RegionIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The reference data in force.
    pub fn reference(&self) -> Arc<Reference> {
        self.reference.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Reloads the reference data; on failure the old data stays in force.
    pub async fn reload_reference<C: ConnectionTrait>(&self, db: &C) -> anyhow::Result<()> {
        let reference = Reference::load(db).await.context("loading categories, departments and routing rules")?;
        *self.reference.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(reference);
        Ok(())
    }

    /// Rebuilds the index and reloads the reference data from the database; on failure the old
    /// index (and reference data) stay in force.
    pub async fn reload<C: ConnectionTrait>(&self, db: &C) -> anyhow::Result<usize> {
        // Regions are written together with departments (imports, the demo city): reload both.
        self.reload_reference(db).await?;
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

/// Reloads this instance's reference data (categories, departments, routing rules) and tells the
/// others to do the same. Every write to those tables calls it after committing.
pub async fn reference_changed(state: &AppState) -> anyhow::Result<()> {
    state.jurisdiction().reload_reference(state.db()).await?;
    tracing::info!("reference data reloaded");
    if let Err(e) = state.backends().bus.publish(REFERENCE_CHANGED, &state.jurisdiction().instance).await {
        tracing::warn!(error = %e, "could not announce the reference change; other instances reload on restart");
    }
    Ok(())
}

/// Listens for region and reference changes announced by other instances and rebuilds.
pub async fn watch_region_changes(state: AppState) -> anyhow::Result<()> {
    use tokio::sync::broadcast::error::RecvError;
    let mut regions = state.backends().bus.subscribe(REGIONS_CHANGED).await?;
    let mut reference = state.backends().bus.subscribe(REFERENCE_CHANGED).await?;
    loop {
        let (message, regions_too) = tokio::select! {
            m = regions.recv() => (m, true),
            m = reference.recv() => (m, false),
        };
        match message {
            Ok(from) if from == state.jurisdiction().instance => {}
            Ok(_) | Err(RecvError::Lagged(_)) if regions_too => match state.jurisdiction().reload(state.db()).await {
                Ok(n) => tracing::info!(regions = n, "region index rebuilt after a change elsewhere"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "region index rebuild failed"),
            },
            Ok(_) | Err(RecvError::Lagged(_)) => match state.jurisdiction().reload_reference(state.db()).await {
                Ok(()) => tracing::info!("reference data reloaded after a change elsewhere"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "reference data reload failed"),
            },
            Err(RecvError::Closed) => return Ok(()),
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

/// The category with this code if it is active, from the reference data. A code the reference data
/// does not know is looked up in the database (one query): if it exists there, it was written
/// behind the cache's back and the reference data is reloaded on this instance.
pub async fn active_category(state: &AppState, code: &str) -> Result<Option<category::Model>, ApiError> {
    if let Some(known) = state.jurisdiction().reference().category(code) {
        return Ok(Some(known.clone()).filter(|c| c.active));
    }
    let Some(row) = category::Entity::find_by_id(code.to_owned()).one(state.db()).await? else {
        return Ok(None);
    };
    state.jurisdiction().reload_reference(state.db()).await.map_err(ApiError::internal)?;
    Ok(Some(row).filter(|c| c.active))
}

/// How grid workers' open checks enter routing.
#[derive(Debug, Clone, Copy)]
pub enum Load<'a> {
    /// Not counted (every worker has none): the routing preview.
    Ignored,
    /// Tickets in these statuses, held by the worker, count as open checks.
    OpenIn(&'a [&'a str]),
}

/// Which department and grid workers a hazard of `category` at `at` goes to, and why. Reads the
/// grid assignments (with the workers' open checks when `load` asks for them) in one query; the
/// rest comes from memory.
pub async fn route_hazard(
    state: &AppState,
    category_code: &str,
    at: &Position,
    load: Load<'_>,
) -> Result<RoutingDecision, ApiError> {
    let category = active_category(state, category_code)
        .await?
        .ok_or_else(|| ApiError::not_found("category_not_found", format!("no active category `{category_code}`")))?;
    let located = locate(state, at);
    let reference = state.jurisdiction().reference();
    let mut grids: Vec<_> = located.chain.iter().map(|r| r.id).collect();
    if let Some(nb) = &located.near_border {
        grids.extend(nb.candidates.iter().map(|c| c.region.id));
    }
    let workers: Vec<GridWorkerAssignment> = match load {
        Load::Ignored => store::load_grid_workers(state.db(), &grids, &HashMap::new()).await?,
        Load::OpenIn(statuses) => store::load_grid_workers_with_load(state.db(), &grids, statuses).await?,
    };
    Ok(route(&RoutingInput {
        category_code: &category.code,
        category_name: &category.name_zh,
        located: &located,
        departments: reference.departments(),
        rules: reference.rules(&category.code),
        grid_workers: &workers,
    }))
}
