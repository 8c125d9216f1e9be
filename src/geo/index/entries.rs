//! R-tree entries of the region index: polygon-part boxes and chunks of boundary segments.

use rstar::{RTreeObject, AABB};

/// R-tree entry: bounding box of one polygon part of one region.
pub(super) struct PartEntry {
    pub(super) envelope: AABB<[f64; 2]>,
    pub(super) region: usize,
    pub(super) part: usize,
}

impl RTreeObject for PartEntry {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// Consecutive boundary segments per edge entry: fewer, larger entries keep the edge tree small
/// enough to stay in cache, for a few more exact distance computations per hit.
pub(super) const SEGMENTS_PER_EDGE_ENTRY: usize = 8;

/// R-tree entry: up to `SEGMENTS_PER_EDGE_ENTRY` consecutive segments of one ring of one region.
pub(super) struct EdgeEntry {
    pub(super) envelope: AABB<[f64; 2]>,
    pub(super) region: usize,
    pub(super) part: usize,
    /// 0 for the outer ring, k for the k-th hole.
    pub(super) ring: usize,
    /// Index of the first vertex in the ring.
    pub(super) start: usize,
}

impl RTreeObject for EdgeEntry {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// Edge entries covering every ring of `poly`.
pub(super) fn edge_entries(
    poly: &geo::Polygon<f64>,
    region: usize,
    part: usize,
) -> impl Iterator<Item = EdgeEntry> + '_ {
    let rings = std::iter::once(poly.exterior()).chain(poly.interiors());
    rings.enumerate().flat_map(move |(ring, line)| {
        let coords = line.0.as_slice();
        let segments = coords.len().saturating_sub(1);
        (0..segments).step_by(SEGMENTS_PER_EDGE_ENTRY).filter_map(move |start| {
            let end = (start + SEGMENTS_PER_EDGE_ENTRY).min(segments);
            let chunk = coords.get(start..=end)?;
            let points: Vec<[f64; 2]> = chunk.iter().map(|c| [c.x, c.y]).collect();
            Some(EdgeEntry { envelope: AABB::from_points(points.iter()), region, part, ring, start })
        })
    })
}
