//! Checks that a set of regions forms a proper tree: structure (ids, parents, levels) and geometry
//! (every child lies within its parent).
//!
//! Containment rule, with a tolerance `tol` in metres for borders digitised twice:
//! 1. every vertex of the child is covered by the parent, or lies within `tol` of the parent's
//!    boundary (the parent "buffered by `tol`", without building a buffer polygon); and
//! 2. no boundary vertex of the parent (outer ring or hole) lies inside the child deeper than `tol`.
//!
//! Rule 1 alone misses a parent boundary that cuts straight through a child between two child
//! vertices; such a cut always leaves a parent vertex inside the child, which rule 2 catches.
//! Each child gets at most one violation per rule, at its worst vertex.

use crate::geo::{
    planar::LocalFrame,
    region::{RegionLevel, RegionShape},
};
use geo::{
    coordinate_position::{CoordPos, CoordinatePosition},
    BoundingRect, CoordsIter, Intersects, MultiPolygon, Rect,
};
use serde::Serialize;
use std::collections::HashMap;
use thiserror::Error;
use uuid::Uuid;

/// Default tolerance for shared borders, in metres.
pub const DEFAULT_CONTAINMENT_TOLERANCE_M: f64 = 5.0;

/// One way in which a set of regions fails to be a tree; the message is for an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TreeViolation {
    /// Two regions share an id.
    #[error("区域编号 {id} 重复（{code}）")]
    DuplicateId {
        /// The repeated id.
        id: Uuid,
        /// Code of the second region with that id.
        code: String,
    },
    /// The parent id names no region in the set.
    #[error("{name}（{code}）的上级区域 {parent_id} 不存在")]
    UnknownParent {
        /// Child id.
        id: Uuid,
        /// Child code.
        code: String,
        /// Child name.
        name: String,
        /// The missing parent id.
        parent_id: Uuid,
    },
    /// The parent's level is not the one directly above the child's (or a district has a parent,
    /// or a lower region has none).
    #[error("{name}（{code}）是{}，其上级应为{}，实际为{}", level.label_zh(), expected_label(*level), parent_label(*parent_level))]
    LevelMismatch {
        /// Child id.
        id: Uuid,
        /// Child code.
        code: String,
        /// Child name.
        name: String,
        /// Child level.
        level: RegionLevel,
        /// Level of the given parent, `None` when there is none.
        parent_level: Option<RegionLevel>,
    },
    /// The boundary has no polygon.
    #[error("{name}（{code}）没有边界")]
    EmptyGeometry {
        /// Region id.
        id: Uuid,
        /// Region code.
        code: String,
        /// Region name.
        name: String,
    },
    /// A child vertex lies outside its parent by more than the tolerance.
    #[error("{name}（{code}）超出上级区域 {parent_code} 约 {distance_m:.0} 米（{lng:.6}, {lat:.6}）")]
    OutsideParent {
        /// Child id.
        id: Uuid,
        /// Child code.
        code: String,
        /// Child name.
        name: String,
        /// Parent code.
        parent_code: String,
        /// Longitude of the worst vertex.
        lng: f64,
        /// Latitude of the worst vertex.
        lat: f64,
        /// How far outside the parent that vertex is, in metres.
        distance_m: f64,
    },
    /// The parent's boundary passes through the child's interior.
    #[error("上级区域 {parent_code} 的边界穿过 {name}（{code}）内部约 {distance_m:.0} 米（{lng:.6}, {lat:.6}）")]
    ParentBoundaryInside {
        /// Child id.
        id: Uuid,
        /// Child code.
        code: String,
        /// Child name.
        name: String,
        /// Parent code.
        parent_code: String,
        /// Longitude of the deepest parent vertex inside the child.
        lng: f64,
        /// Latitude of that vertex.
        lat: f64,
        /// Its depth inside the child, in metres.
        distance_m: f64,
    },
}

fn expected_label(level: RegionLevel) -> &'static str {
    level.parent_level().map_or("无", RegionLevel::label_zh)
}

fn parent_label(level: Option<RegionLevel>) -> &'static str {
    level.map_or("无", RegionLevel::label_zh)
}

/// Structural problems: duplicate ids, unknown parents, wrong parent levels, empty boundaries.
pub fn check_structure(regions: &[RegionShape]) -> Vec<TreeViolation> {
    let mut out = Vec::new();
    let mut levels: HashMap<Uuid, RegionLevel> = HashMap::with_capacity(regions.len());
    for r in regions {
        if levels.insert(r.id, r.level).is_some() {
            out.push(TreeViolation::DuplicateId { id: r.id, code: r.code.clone() });
        }
    }
    for r in regions {
        if r.geometry.0.is_empty() {
            out.push(TreeViolation::EmptyGeometry { id: r.id, code: r.code.clone(), name: r.name.clone() });
        }
        let parent_level = match r.parent_id {
            None => None,
            Some(pid) => match levels.get(&pid) {
                Some(level) => Some(*level),
                None => {
                    out.push(TreeViolation::UnknownParent {
                        id: r.id,
                        code: r.code.clone(),
                        name: r.name.clone(),
                        parent_id: pid,
                    });
                    continue;
                }
            },
        };
        if parent_level != r.level.parent_level() {
            out.push(TreeViolation::LevelMismatch {
                id: r.id,
                code: r.code.clone(),
                name: r.name.clone(),
                level: r.level,
                parent_level,
            });
        }
    }
    out
}

/// Geometric problems: children that are not within their parents (see the module doc).
pub fn check_containment(regions: &[RegionShape], tolerance_m: f64) -> Vec<TreeViolation> {
    let by_id: HashMap<Uuid, &RegionShape> = regions.iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::new();
    for child in regions {
        let Some(parent) = child.parent_id.and_then(|pid| by_id.get(&pid)) else {
            continue;
        };
        if let Some(v) = child_vertex_outside(child, parent, tolerance_m) {
            out.push(v);
        }
        if let Some(v) = parent_vertex_inside(child, parent, tolerance_m) {
            out.push(v);
        }
    }
    out
}

/// Structure first, then containment of every child whose parent is known.
pub fn check_tree(regions: &[RegionShape], tolerance_m: f64) -> Vec<TreeViolation> {
    let mut out = check_structure(regions);
    out.extend(check_containment(regions, tolerance_m));
    out
}

/// Distance from `c` to the nearest boundary (any part, any ring) of `shape`, in metres.
fn distance_to_boundary_m(shape: &MultiPolygon<f64>, c: geo::Coord<f64>) -> f64 {
    let frame = LocalFrame::at(c);
    shape.0.iter().map(|poly| frame.distance_to_boundary_m(poly)).fold(f64::INFINITY, f64::min)
}

fn child_vertex_outside(child: &RegionShape, parent: &RegionShape, tol: f64) -> Option<TreeViolation> {
    let parent_box = parent.geometry.bounding_rect()?;
    let mut worst: Option<(geo::Coord<f64>, f64)> = None;
    for c in child.geometry.exterior_coords_iter() {
        if parent_box.intersects(&c) && parent.geometry.coordinate_position(&c) != CoordPos::Outside {
            continue;
        }
        let d = distance_to_boundary_m(&parent.geometry, c);
        if d > tol && worst.is_none_or(|(_, w)| d > w) {
            worst = Some((c, d));
        }
    }
    worst.map(|(c, d)| TreeViolation::OutsideParent {
        id: child.id,
        code: child.code.clone(),
        name: child.name.clone(),
        parent_code: parent.code.clone(),
        lng: c.x,
        lat: c.y,
        distance_m: d,
    })
}

fn parent_vertex_inside(child: &RegionShape, parent: &RegionShape, tol: f64) -> Option<TreeViolation> {
    let child_box: Rect<f64> = child.geometry.bounding_rect()?;
    let mut worst: Option<(geo::Coord<f64>, f64)> = None;
    for c in parent.geometry.coords_iter() {
        if !child_box.intersects(&c) || child.geometry.coordinate_position(&c) != CoordPos::Inside {
            continue;
        }
        let d = distance_to_boundary_m(&child.geometry, c);
        if d > tol && worst.is_none_or(|(_, w)| d > w) {
            worst = Some((c, d));
        }
    }
    worst.map(|(c, d)| TreeViolation::ParentBoundaryInside {
        id: child.id,
        code: child.code.clone(),
        name: child.name.clone(),
        parent_code: parent.code.clone(),
        lng: c.x,
        lat: c.y,
        distance_m: d,
    })
}

#[cfg(test)]
mod tests;
