//! In-memory spatial index over region boundaries: which regions contain a point, and which
//! neighbouring jurisdictions are within a few metres of it.
//!
//! Per level (district, street, community, grid), two R-trees are bulk-loaded at build time: one
//! over the bounding boxes of polygon parts (exact point-in-polygon, holes and islands respected,
//! runs only on parts whose box holds the point, grid level first) and one over chunks of boundary
//! segments (the near-border check measures only the boundary within reach, most specific level
//! first). The index is immutable; a boundary change builds a new one, which the service swaps in.

use crate::geo::{
    planar::LocalFrame,
    point::{CoordSystem, GeoPoint},
    region::{RegionLevel, RegionRef, RegionShape},
    tree::{check_structure, TreeViolation},
};
use entries::{edge_entries, EdgeEntry, PartEntry, SEGMENTS_PER_EDGE_ENTRY};
use geo::{
    coordinate_position::{CoordPos, CoordinatePosition},
    BoundingRect,
};
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, ops::ControlFlow};
use thiserror::Error;
use uuid::Uuid;

/// Default distance to a neighbouring jurisdiction that marks a point as near the border, in metres.
pub const DEFAULT_NEAR_BORDER_M: f64 = 30.0;

/// Settings of a `RegionIndex`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexConfig {
    /// A neighbour of the same level closer than this marks the point `near_border` (0 disables).
    pub near_border_m: f64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self { near_border_m: DEFAULT_NEAR_BORDER_M }
    }
}

/// Why an index could not be built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum IndexError {
    /// The regions do not form a tree (first problem shown; all are carried).
    #[error("region tree is invalid ({} problem(s)); first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    InvalidTree(Vec<TreeViolation>),
    /// `near_border_m` is negative or not finite.
    #[error("near_border_m must be a finite number >= 0, got {0}")]
    InvalidNearBorder(f64),
}

/// Where a point lies in the region tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Located {
    /// Containing regions, most specific first (e.g. grid, community, street, district); empty
    /// when the point is outside every region.
    pub chain: Vec<RegionRef>,
    /// Set when another region of the same level is within `near_border_m`.
    pub near_border: Option<NearBorder>,
}

impl Located {
    /// The most specific containing region.
    pub fn most_specific(&self) -> Option<&RegionRef> {
        self.chain.first()
    }

    /// The containing region at `level`, if any.
    pub fn at_level(&self, level: RegionLevel) -> Option<&RegionRef> {
        self.chain.iter().find(|r| r.level == level)
    }
}

/// Jurisdictions a point sits between, at the most specific level where that is the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NearBorder {
    /// Level of the candidates.
    pub level: RegionLevel,
    /// The containing region at that level first (if any), then neighbours by distance.
    pub candidates: Vec<BorderCandidate>,
}

/// One region a near-border point may belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BorderCandidate {
    /// The region.
    pub region: RegionRef,
    /// Distance from the point to the region, in metres (0 for the containing one).
    pub distance_m: f64,
    /// Whether the point is inside this region.
    pub contains_point: bool,
    /// The region and its ancestors, most specific first.
    pub chain: Vec<RegionRef>,
}

/// Immutable spatial index over a region tree (boundaries in GCJ-02).
pub struct RegionIndex {
    regions: Vec<RegionShape>,
    /// `regions[i].to_ref()`, made once so that chains are cheap to clone.
    refs: Vec<RegionRef>,
    parents: Vec<Option<usize>>,
    by_id: HashMap<Uuid, usize>,
    /// Polygon-part boxes, one tree per level (indexed by depth): mixing district-sized boxes
    /// with grid-sized ones would make every point query wade through the large ones.
    parts: [RTree<PartEntry>; 4],
    /// Boundary chunks, one tree per level, so the most specific level can be asked first.
    edges: [RTree<EdgeEntry>; 4],
    config: IndexConfig,
}

impl std::fmt::Debug for RegionIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionIndex")
            .field("regions", &self.regions.len())
            .field("parts", &self.parts.iter().map(RTree::size).sum::<usize>())
            .field("edges", &self.edges.iter().map(RTree::size).sum::<usize>())
            .field("config", &self.config)
            .finish()
    }
}

impl RegionIndex {
    /// Builds the index; fails if the regions do not form a tree (see `tree::check_structure`).
    pub fn build(regions: Vec<RegionShape>, config: IndexConfig) -> Result<Self, IndexError> {
        if !config.near_border_m.is_finite() || config.near_border_m < 0.0 {
            return Err(IndexError::InvalidNearBorder(config.near_border_m));
        }
        let violations = check_structure(&regions);
        if !violations.is_empty() {
            return Err(IndexError::InvalidTree(violations));
        }
        let by_id: HashMap<Uuid, usize> = regions.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let parents = regions.iter().map(|r| r.parent_id.and_then(|p| by_id.get(&p).copied())).collect();
        let mut parts: [Vec<PartEntry>; 4] = Default::default();
        let mut edges: [Vec<EdgeEntry>; 4] = Default::default();
        for (region, shape) in regions.iter().enumerate() {
            let depth = shape.level.depth();
            let (Some(level_parts), Some(level_edges)) = (parts.get_mut(depth), edges.get_mut(depth)) else {
                continue;
            };
            for (part, poly) in shape.geometry.0.iter().enumerate() {
                let Some(rect) = poly.bounding_rect() else {
                    continue;
                };
                level_parts.push(PartEntry {
                    envelope: AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]),
                    region,
                    part,
                });
                level_edges.extend(edge_entries(poly, region, part));
            }
        }
        Ok(Self {
            refs: regions.iter().map(RegionShape::to_ref).collect(),
            regions,
            parents,
            by_id,
            parts: parts.map(RTree::bulk_load),
            edges: edges.map(RTree::bulk_load),
            config,
        })
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether the index holds no region.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The settings the index was built with.
    pub fn config(&self) -> IndexConfig {
        self.config
    }

    /// Every region, in the order they were given.
    pub fn regions(&self) -> impl Iterator<Item = &RegionShape> {
        self.regions.iter()
    }

    /// A region by id.
    pub fn get(&self, id: Uuid) -> Option<&RegionShape> {
        self.by_id.get(&id).and_then(|&i| self.regions.get(i))
    }

    /// The region and its ancestors, most specific first (empty for an unknown id).
    pub fn chain_of(&self, id: Uuid) -> Vec<RegionRef> {
        self.by_id.get(&id).map_or_else(Vec::new, |&i| self.chain_from(i))
    }

    /// Locates a point given in `crs` (converted to GCJ-02 first).
    pub fn locate_in(&self, point: GeoPoint, crs: CoordSystem) -> Located {
        self.locate(point.to_gcj02(crs))
    }

    /// Locates a GCJ-02 point: its chain of regions and near-border candidates.
    pub fn locate(&self, point: GeoPoint) -> Located {
        let c = point.coord();
        let hit = self.most_specific_hit(c);
        let chain = hit.map_or_else(Vec::new, |i| self.chain_from(i));
        let near_border = self.near_border(c, hit);
        Located { chain, near_border }
    }

    /// Most specific region whose boundary covers `c`, asking the grid level first. Ties on a
    /// shared border prefer interior over boundary, then the smaller code, so the answer does not
    /// depend on R-tree order.
    fn most_specific_hit(&self, c: geo::Coord<f64>) -> Option<usize> {
        for tree in self.parts.iter().rev() {
            let mut best: Option<(usize, &RegionShape)> = None;
            // Internal iteration: noticeably faster than rstar's external iterator here.
            let inside = tree.locate_in_envelope_intersecting_int(AABB::from_point([c.x, c.y]), |entry| {
                let Some(shape) = self.regions.get(entry.region) else {
                    return ControlFlow::Continue(());
                };
                let pos =
                    shape.geometry.0.get(entry.part).map_or(CoordPos::Outside, |poly| poly.coordinate_position(&c));
                match pos {
                    CoordPos::Inside => ControlFlow::Break(entry.region),
                    CoordPos::OnBoundary => {
                        if best.is_none_or(|(_, b)| shape.code < b.code) {
                            best = Some((entry.region, shape));
                        }
                        ControlFlow::Continue(())
                    }
                    CoordPos::Outside => ControlFlow::Continue(()),
                }
            });
            if let ControlFlow::Break(region) = inside {
                return Some(region);
            }
            if let Some((region, _)) = best {
                return Some(region);
            }
        }
        None
    }

    fn chain_from(&self, start: usize) -> Vec<RegionRef> {
        let mut chain = Vec::with_capacity(RegionLevel::ALL.len());
        let mut cursor = Some(start);
        // Levels strictly decrease along parents, so the walk ends within four steps.
        while let Some(i) = cursor {
            let Some(region) = self.refs.get(i) else {
                break;
            };
            chain.push(region.clone());
            cursor = self.parents.get(i).copied().flatten();
        }
        chain
    }

    /// The vertices an edge entry stands for (empty if the entry is stale, which cannot happen).
    fn edge_coords(&self, edge: &EdgeEntry) -> &[geo::Coord<f64>] {
        let ring =
            self.regions.get(edge.region).and_then(|shape| shape.geometry.0.get(edge.part)).and_then(|poly| match edge
                .ring
            {
                0 => Some(poly.exterior()),
                k => poly.interiors().get(k - 1),
            });
        ring.and_then(|r| {
            let end = (edge.start + SEGMENTS_PER_EDGE_ENTRY).min(r.0.len().saturating_sub(1));
            r.0.get(edge.start..=end)
        })
        .unwrap_or_default()
    }

    fn near_border(&self, c: geo::Coord<f64>, hit: Option<usize>) -> Option<NearBorder> {
        let reach = self.config.near_border_m;
        if reach <= 0.0 {
            return None;
        }
        // Own region per level (indexed by depth), so its own edges are not counted as neighbours.
        let mut own: [Option<usize>; 4] = [None; 4];
        let mut cursor = hit;
        while let Some(i) = cursor {
            if let Some(slot) = self.regions.get(i).and_then(|shape| own.get_mut(shape.level.depth())) {
                *slot = Some(i);
            }
            cursor = self.parents.get(i).copied().flatten();
        }
        let frame = LocalFrame::at(c);
        // Shortcut for the common case, exact for a well-formed tree: when the point lies in a
        // grid whose own boundary is out of reach, so is every other boundary, because regions
        // of one level do not overlap and children lie within their parents (up to the few
        // metres of import tolerance, by which a border may then go unreported).
        let grid = own.get(RegionLevel::Grid.depth()).copied().flatten();
        if let Some(shape) = grid.and_then(|g| self.regions.get(g)) {
            let in_reach = shape.geometry.0.iter().any(|poly| {
                std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .flat_map(|ring| ring.lines())
                    .any(|l| frame.distance_to_segment_m(l.start, l.end) <= reach)
            });
            if !in_reach {
                return None;
            }
        }
        let (dx, dy) = frame.degree_margin(reach);
        let envelope = AABB::from_corners([c.x - dx, c.y - dy], [c.x + dx, c.y + dy]);
        let mut near: Vec<(usize, f64)> = Vec::new();
        // Most specific level first; the first level with a neighbour in reach is the answer.
        let level = RegionLevel::ALL.into_iter().rev().find(|level| {
            let own_region = own.get(level.depth()).copied().flatten();
            let Some(tree) = self.edges.get(level.depth()) else {
                return false;
            };
            let _ = tree.locate_in_envelope_intersecting_int(envelope, |edge| {
                if Some(edge.region) == own_region {
                    return ControlFlow::<()>::Continue(());
                }
                let d = self
                    .edge_coords(edge)
                    .windows(2)
                    .filter_map(|w| match w {
                        [a, b] => Some(frame.distance_to_segment_m(*a, *b)),
                        _ => None,
                    })
                    .fold(f64::INFINITY, f64::min);
                if d <= reach {
                    match near.iter_mut().find(|(r, _)| *r == edge.region) {
                        Some(entry) => entry.1 = entry.1.min(d),
                        None => near.push((edge.region, d)),
                    }
                }
                ControlFlow::Continue(())
            });
            !near.is_empty()
        })?;
        near.sort_by(|a, b| a.1.total_cmp(&b.1));
        let containing = own.get(level.depth()).copied().flatten();
        let candidates = containing
            .map(|i| (i, 0.0, true))
            .into_iter()
            .chain(near.into_iter().map(|(i, d)| (i, d, false)))
            .filter_map(|(i, distance_m, contains_point)| {
                let region = self.refs.get(i)?.clone();
                Some(BorderCandidate { region, distance_m, contains_point, chain: self.chain_from(i) })
            })
            .collect();
        Some(NearBorder { level, candidates })
    }
}

mod entries;

#[cfg(test)]
mod tests;
