//! Boundary import into the database: parse and validate the whole file first (pure `import`),
//! then write every region in one transaction, so a file is imported entirely or not at all.

use chrono::Utc;
use entity::region;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use super::{
    import::{import_regions, ImportOptions, SkippedFeature},
    point::CoordSystem,
    service::regions_changed,
    store::{load_shapes, new_row},
};
use crate::state::AppState;

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome {
    /// Regions written.
    pub imported: usize,
    /// Features left out, with reasons.
    pub skipped: Vec<SkippedFeature>,
    /// Whether anything was written (false when strict and something was skipped).
    pub committed: bool,
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is not a FeatureCollection.
    #[error(transparent)]
    Input(#[from] super::import::ImportError),
    /// Codes in the file exist already.
    #[error("codes already in the database: {0}")]
    CodesTaken(String),
    /// Database or index failure.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Imports a FeatureCollection. Coordinates in `crs` are converted to GCJ-02 first. With
/// `strict`, any skipped feature aborts the import before anything is written.
pub async fn import_boundaries(
    state: &AppState,
    text: &str,
    options: &ImportOptions,
    crs: CoordSystem,
    strict: bool,
    progress: impl Fn(u64, u64),
) -> Result<ImportOutcome, ImportFailure> {
    let existing = load_shapes(state.db()).await?;
    let converted;
    let text = if crs == CoordSystem::Wgs84 {
        // Convert before validating, so containment is checked in the stored system.
        converted = wgs84_text_to_gcj02(text)?;
        converted.as_str()
    } else {
        text
    };
    let report = import_regions(text, options, &existing, Uuid::now_v7)?;
    let taken: Vec<String> = {
        let codes: Vec<String> = report.imported.iter().map(|r| r.code.clone()).collect();
        region::Entity::find()
            .filter(region::Column::Code.is_in(codes))
            .all(state.db())
            .await
            .map_err(anyhow::Error::from)?
            .into_iter()
            .map(|r| r.code)
            .collect()
    };
    if !taken.is_empty() {
        return Err(ImportFailure::CodesTaken(taken.join(", ")));
    }
    if strict && !report.skipped.is_empty() {
        return Ok(ImportOutcome { imported: 0, skipped: report.skipped, committed: false });
    }
    let total = report.imported.len() as u64;
    let now = Utc::now();
    let txn = state.db().begin().await.map_err(anyhow::Error::from)?;
    for (i, shape) in report.imported.iter().enumerate() {
        new_row(shape, now)?.insert(&txn).await.map_err(anyhow::Error::from)?;
        progress(i as u64 + 1, total);
    }
    txn.commit().await.map_err(anyhow::Error::from)?;
    regions_changed(state).await?;
    Ok(ImportOutcome { imported: report.imported.len(), skipped: report.skipped, committed: true })
}

/// Rewrites every `coordinates` position of a GeoJSON text from WGS-84 to GCJ-02.
pub fn wgs84_text_to_gcj02(text: &str) -> Result<String, super::import::ImportError> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| super::import::ImportError::InvalidJson(e.to_string()))?;
    convert_value(&mut value, false);
    Ok(value.to_string())
}

fn convert_value(value: &mut serde_json::Value, in_coordinates: bool) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                convert_value(v, key == "coordinates");
            }
        }
        Value::Array(items) if in_coordinates => {
            let position = items.len() >= 2 && items.iter().all(Value::is_number);
            if position {
                let (Some(lng), Some(lat)) =
                    (items.first().and_then(Value::as_f64), items.get(1).and_then(Value::as_f64))
                else {
                    return;
                };
                if let Ok(p) = super::point::GeoPoint::parse(lat, lng) {
                    let g = p.wgs84_to_gcj02();
                    items.splice(0..2, [Value::from(g.lng()), Value::from(g.lat())]);
                }
            } else {
                for v in items.iter_mut() {
                    convert_value(v, true);
                }
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                convert_value(v, false);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positions_under_coordinates_are_converted() {
        let text = r#"{"type":"Feature","properties":{"center":[114.05,22.54]},
            "geometry":{"type":"Polygon","coordinates":[[[114.05,22.54],[114.06,22.54],[114.06,22.55],[114.05,22.54]]]}}"#;
        let out: serde_json::Value = serde_json::from_str(&wgs84_text_to_gcj02(text).unwrap()).unwrap();
        assert_eq!(out["properties"]["center"][0], 114.05);
        let first = &out["geometry"]["coordinates"][0][0];
        let expect = crate::geo::point::GeoPoint::parse(22.54, 114.05).unwrap().wgs84_to_gcj02();
        assert!((first[0].as_f64().unwrap() - expect.lng()).abs() < 1e-12);
        assert!((first[1].as_f64().unwrap() - expect.lat()).abs() < 1e-12);
        assert!(first[0].as_f64().unwrap() > 114.05, "moved east");
    }
}
