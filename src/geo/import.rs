//! Pure GeoJSON boundary import: a FeatureCollection becomes region shapes, and every feature that
//! cannot be used is reported with a reason instead of being dropped silently.
//!
//! Steps: parse the collection (one bad feature never sinks the others), read name/code/parent
//! code from configurable properties, convert and validate the geometry (ring size, closure,
//! coordinate range, then `geo`'s OGC validation: self-intersection, holes outside, overlapping
//! parts), attach each region to its parent among the existing regions, and check that it lies
//! within that parent (`tree` module rules). Coordinates are taken as GCJ-02, like stored boundaries.

use crate::geo::{
    region::{RegionLevel, RegionShape},
    tree::{check_containment, TreeViolation, DEFAULT_CONTAINMENT_TOLERANCE_M},
};
use convert::{code_value, geometry_to_multipolygon, json_kind, name_value};
use geo::MultiPolygon;
use geojson::{Feature, JsonValue};
use serde::Serialize;
use std::collections::HashMap;
use thiserror::Error;
use uuid::Uuid;

/// How to read a FeatureCollection and where its regions go in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// Level of every region in the file.
    pub level: RegionLevel,
    /// Property holding the display name (a dotted path reaches into objects).
    pub name_field: String,
    /// Property holding the administrative code (string or integer).
    pub code_field: String,
    /// Property holding the parent's code, e.g. `parent.adcode`; ignored for districts.
    pub parent_code_field: Option<String>,
    /// Parent for features that name none (e.g. a file of one street's communities).
    pub parent_id: Option<Uuid>,
    /// Tolerance of the within-parent check, in metres.
    pub tolerance_m: f64,
}

impl ImportOptions {
    /// Defaults: `name` and `code` properties, no parent field, 5 m tolerance.
    pub fn new(level: RegionLevel) -> Self {
        Self {
            level,
            name_field: "name".into(),
            code_field: "code".into(),
            parent_code_field: None,
            parent_id: None,
            tolerance_m: DEFAULT_CONTAINMENT_TOLERANCE_M,
        }
    }
}

/// The whole input is unusable.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ImportError {
    /// Not JSON at all.
    #[error("not valid JSON: {0}")]
    InvalidJson(String),
    /// JSON, but not a FeatureCollection.
    #[error("expected a GeoJSON FeatureCollection, found {0}")]
    NotAFeatureCollection(String),
}

/// Why one feature was skipped; the message is for the administrator who uploaded the file.
#[derive(Debug, Clone, PartialEq, Serialize, Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The feature is not valid GeoJSON.
    #[error("要素格式错误：{detail}")]
    MalformedFeature {
        /// Parser message.
        detail: String,
    },
    /// No usable name.
    #[error("缺少名称字段 {field}")]
    MissingName {
        /// Configured field.
        field: String,
    },
    /// No usable code (string or integer).
    #[error("缺少编码字段 {field}（需为字符串或整数）")]
    MissingCode {
        /// Configured field.
        field: String,
    },
    /// The feature has no geometry or an empty one.
    #[error("没有边界几何")]
    MissingGeometry,
    /// Geometry is not a Polygon or MultiPolygon.
    #[error("边界不是面（Polygon/MultiPolygon），而是 {geometry_type}")]
    NotAPolygon {
        /// GeoJSON type found.
        geometry_type: String,
    },
    /// A position is outside lon ±180 / lat ±90.
    #[error("坐标超出范围：经度 {lng}，纬度 {lat}")]
    CoordinateOutOfRange {
        /// Longitude as given.
        lng: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// A ring has fewer than four positions (three distinct plus closing).
    #[error("第 {part} 个面第 {ring} 个环只有 {points} 个点，至少需要 4 个（首尾相同）")]
    TooFewPoints {
        /// Polygon part, from 1.
        part: usize,
        /// Ring within the part, from 1 (1 = outer ring).
        ring: usize,
        /// Positions found.
        points: usize,
    },
    /// First and last positions of a ring differ.
    #[error("第 {part} 个面第 {ring} 个环未闭合（首尾坐标不同）")]
    UnclosedRing {
        /// Polygon part, from 1.
        part: usize,
        /// Ring within the part, from 1.
        ring: usize,
    },
    /// A ring crosses itself (e.g. a bow-tie).
    #[error("第 {part} 个面自相交：{detail}")]
    SelfIntersection {
        /// Polygon part, from 1.
        part: usize,
        /// Validator message.
        detail: String,
    },
    /// Other OGC validity failures (holes outside, touching rings, overlapping parts).
    #[error("边界无效：{detail}")]
    InvalidGeometry {
        /// Validator message.
        detail: String,
    },
    /// Another feature of the file has the same code.
    #[error("编码与第 {first_index} 个要素重复")]
    DuplicateCode {
        /// Index of the first feature with the code.
        first_index: usize,
    },
    /// The parent named by the feature (or the options) is not an existing region one level up.
    #[error("找不到上级区域 {parent}")]
    ParentNotFound {
        /// Parent code or id looked for (empty when none was given).
        parent: String,
    },
    /// The region is not within its parent.
    #[error("不在上级区域范围内：{violation}")]
    OutsideParent {
        /// The containment violation.
        violation: Box<TreeViolation>,
    },
}

/// A feature that passed parsing and geometry validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeature {
    /// Position in the `features` array, from 0.
    pub feature_index: usize,
    /// Administrative code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Parent code, when the options name a parent field and the feature has it.
    pub parent_code: Option<String>,
    /// Validated boundary.
    pub geometry: MultiPolygon<f64>,
}

/// A feature left out, with what could be read of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedFeature {
    /// Position in the `features` array, from 0.
    pub feature_index: usize,
    /// Code, if readable.
    pub code: Option<String>,
    /// Name, if readable.
    pub name: Option<String>,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// Result of parsing alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParseReport {
    /// Usable features, in file order.
    pub parsed: Vec<ParsedFeature>,
    /// Unusable features, in file order.
    pub skipped: Vec<SkippedFeature>,
}

/// Result of a full import: shapes ready for the tree, and what was left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// Regions attached to their parents and within them.
    pub imported: Vec<RegionShape>,
    /// Features left out, in file order.
    pub skipped: Vec<SkippedFeature>,
}

/// Parses and validates a FeatureCollection; fails only when the input as a whole is unusable.
pub fn parse_feature_collection(text: &str, options: &ImportOptions) -> Result<ParseReport, ImportError> {
    let root: JsonValue = serde_json::from_str(text).map_err(|e| ImportError::InvalidJson(e.to_string()))?;
    let JsonValue::Object(mut root) = root else {
        return Err(ImportError::NotAFeatureCollection(json_kind(&root).into()));
    };
    match root.get("type").and_then(JsonValue::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => return Err(ImportError::NotAFeatureCollection(other.into())),
        None => return Err(ImportError::NotAFeatureCollection("an object without type".into())),
    }
    let Some(JsonValue::Array(features)) = root.remove("features") else {
        return Err(ImportError::NotAFeatureCollection("a FeatureCollection without a features array".into()));
    };
    let mut report = ParseReport::default();
    let mut first_by_code: HashMap<String, usize> = HashMap::new();
    for (feature_index, value) in features.into_iter().enumerate() {
        match parse_feature(feature_index, value, options) {
            Ok(parsed) => match first_by_code.get(&parsed.code) {
                Some(&first_index) => report.skipped.push(SkippedFeature {
                    feature_index,
                    code: Some(parsed.code),
                    name: Some(parsed.name),
                    reason: SkipReason::DuplicateCode { first_index },
                }),
                None => {
                    first_by_code.insert(parsed.code.clone(), feature_index);
                    report.parsed.push(parsed);
                }
            },
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    Ok(report)
}

/// Parses, validates, attaches each region to its parent among `existing` and checks it lies
/// within it; `new_id` supplies the ids of imported regions (e.g. `Uuid::now_v7`).
pub fn import_regions(
    text: &str,
    options: &ImportOptions,
    existing: &[RegionShape],
    mut new_id: impl FnMut() -> Uuid,
) -> Result<ImportReport, ImportError> {
    let parsed = parse_feature_collection(text, options)?;
    let mut report = ImportReport { imported: Vec::with_capacity(parsed.parsed.len()), skipped: parsed.skipped };
    let parent_level = options.level.parent_level();
    let parents: Vec<&RegionShape> = existing.iter().filter(|r| Some(r.level) == parent_level).collect();
    for feature in parsed.parsed {
        let parent = match parent_level {
            None => Ok(None),
            Some(_) => find_parent(&parents, feature.parent_code.as_deref(), options.parent_id),
        };
        let skip = |reason| SkippedFeature {
            feature_index: feature.feature_index,
            code: Some(feature.code.clone()),
            name: Some(feature.name.clone()),
            reason,
        };
        let parent = match parent {
            Ok(parent) => parent,
            Err(reason) => {
                report.skipped.push(skip(reason));
                continue;
            }
        };
        let shape = RegionShape {
            id: new_id(),
            parent_id: parent.map(|p| p.id),
            level: options.level,
            code: feature.code.clone(),
            name: feature.name.clone(),
            geometry: feature.geometry.clone(),
        };
        if let Some(parent) = parent {
            let pair = [(*parent).clone(), shape.clone()];
            if let Some(violation) = check_containment(&pair, options.tolerance_m).into_iter().next() {
                report.skipped.push(skip(SkipReason::OutsideParent { violation: Box::new(violation) }));
                continue;
            }
        }
        report.imported.push(shape);
    }
    report.skipped.sort_by_key(|s| s.feature_index);
    Ok(report)
}

fn find_parent<'a>(
    parents: &[&'a RegionShape],
    parent_code: Option<&str>,
    parent_id: Option<Uuid>,
) -> Result<Option<&'a RegionShape>, SkipReason> {
    let found = match (parent_code, parent_id) {
        (Some(code), _) => parents.iter().find(|p| p.code == code),
        (None, Some(id)) => parents.iter().find(|p| p.id == id),
        (None, None) => None,
    };
    found.map(|p| Some(*p)).ok_or_else(|| SkipReason::ParentNotFound {
        parent: parent_code.map(str::to_owned).or(parent_id.map(|id| id.to_string())).unwrap_or_default(),
    })
}

fn parse_feature(
    feature_index: usize,
    value: JsonValue,
    options: &ImportOptions,
) -> Result<ParsedFeature, SkippedFeature> {
    let mut skipped = SkippedFeature { feature_index, code: None, name: None, reason: SkipReason::MissingGeometry };
    let feature: Feature = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => {
            skipped.reason = SkipReason::MalformedFeature { detail: e.to_string() };
            return Err(skipped);
        }
    };
    let props = feature.properties.as_ref();
    skipped.code = props.and_then(|p| code_value(p, &options.code_field));
    skipped.name = props.and_then(|p| name_value(p, &options.name_field));
    let (Some(code), Some(name)) = (skipped.code.clone(), skipped.name.clone()) else {
        skipped.reason = match skipped.name {
            None => SkipReason::MissingName { field: options.name_field.clone() },
            Some(_) => SkipReason::MissingCode { field: options.code_field.clone() },
        };
        return Err(skipped);
    };
    let parent_code = options.parent_code_field.as_deref().and_then(|field| props.and_then(|p| code_value(p, field)));
    match feature.geometry.map(|g| geometry_to_multipolygon(&g.value)) {
        Some(Ok(geometry)) => Ok(ParsedFeature { feature_index, code, name, parent_code, geometry }),
        Some(Err(reason)) => {
            skipped.reason = reason;
            Err(skipped)
        }
        None => Err(skipped),
    }
}

mod convert;

#[cfg(test)]
mod tests;

/// Parses one GeoJSON geometry (Polygon or MultiPolygon, as JSON text) and validates it the way
/// imported features are validated.
pub fn parse_boundary(geometry: &serde_json::Value) -> Result<MultiPolygon<f64>, SkipReason> {
    let parsed: geojson::Geometry =
        serde_json::from_value(geometry.clone()).map_err(|e| SkipReason::MalformedFeature { detail: e.to_string() })?;
    geometry_to_multipolygon(&parsed.value)
}
