//! The map feed's geometry, pure: the requested window (`bbox`), and the grid that clusters tickets
//! when more match than the answer may hold. Cells are squares of a power-of-two fraction of a
//! degree anchored at 0°,0°, chosen so the window spans at most ⌊√limit⌋ cells a side: the same
//! ticket falls into the same cell however the map is panned, and a cluster answer never has more
//! features than the limit.

use std::collections::BTreeMap;

/// A window on the map in GCJ-02 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// West edge.
    pub min_lng: f64,
    /// South edge.
    pub min_lat: f64,
    /// East edge.
    pub max_lng: f64,
    /// North edge.
    pub max_lat: f64,
}

impl BBox {
    /// All of China and its seas, the window when none is given.
    pub const CHINA: BBox = BBox { min_lng: 73.0, min_lat: 3.0, max_lng: 136.0, max_lat: 54.0 };

    /// Parses `minLng,minLat,maxLng,maxLat`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<BBox, &'static str> {
        let parts: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| "expected four numbers: minLng,minLat,maxLng,maxLat")?;
        let [min_lng, min_lat, max_lng, max_lat] = parts.as_slice() else {
            return Err("expected four numbers: minLng,minLat,maxLng,maxLat");
        };
        let b = BBox { min_lng: *min_lng, min_lat: *min_lat, max_lng: *max_lng, max_lat: *max_lat };
        if ![b.min_lng, b.max_lng].iter().all(|v| v.is_finite() && (-180.0..=180.0).contains(v))
            || ![b.min_lat, b.max_lat].iter().all(|v| v.is_finite() && (-90.0..=90.0).contains(v))
        {
            return Err("longitudes must lie in -180..180 and latitudes in -90..90");
        }
        if b.min_lng >= b.max_lng || b.min_lat >= b.max_lat {
            return Err("the minimum must be below the maximum on both axes");
        }
        Ok(b)
    }
}

/// The cell side in degrees for `bbox` so that it spans at most ⌊√limit⌋ cells a side.
pub fn cell_size(bbox: BBox, limit: u64) -> f64 {
    let side = ((limit as f64).sqrt().floor() - 1.0).max(1.0);
    let span = (bbox.max_lng - bbox.min_lng).max(bbox.max_lat - bbox.min_lat);
    // The smallest power of two not below span / side (a window one cell too wide never needs more).
    2f64.powi((span / side).log2().ceil() as i32)
}

/// The cell holding a point.
pub fn cell_of(lng: f64, lat: f64, size: f64) -> (i64, i64) {
    ((lng / size).floor() as i64, (lat / size).floor() as i64)
}

/// The centre of a cell, `(lng, lat)`, rounded to a micro-degree.
pub fn cell_centre((x, y): (i64, i64), size: f64) -> (f64, f64) {
    let round = |v: f64| (v * 1e6).round() / 1e6;
    (round((x as f64 + 0.5) * size), round((y as f64 + 0.5) * size))
}

/// What a cluster has counted so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Tickets.
    pub count: u64,
    /// Of which overdue.
    pub overdue: u64,
    /// Per status.
    pub statuses: BTreeMap<String, u64>,
    /// Per category.
    pub categories: BTreeMap<String, u64>,
    /// Per urgency.
    pub urgencies: BTreeMap<String, u64>,
    /// The oldest ticket's age in hours.
    pub max_age_hours: i64,
}

impl Tally {
    /// Counts one ticket.
    pub fn add(&mut self, status: &str, category: &str, urgency: &str, overdue: bool, age_hours: i64) {
        self.count += 1;
        self.overdue += u64::from(overdue);
        *self.statuses.entry(status.to_owned()).or_default() += 1;
        *self.categories.entry(category.to_owned()).or_default() += 1;
        *self.urgencies.entry(urgency.to_owned()).or_default() += 1;
        self.max_age_hours = self.max_age_hours.max(age_hours);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_windows_are_refused() {
        for bad in ["", "1,2,3", "1,2,3,4,5", "a,2,3,4", "114,22,113,23", "114,23,115,23", "200,0,201,1", "0,-91,1,1"] {
            assert!(BBox::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            BBox::parse(" 113.9,22.5 ,114.1,22.6").unwrap(),
            BBox { min_lng: 113.9, min_lat: 22.5, max_lng: 114.1, max_lat: 22.6 }
        );
    }

    #[test]
    fn a_window_never_spans_more_cells_than_the_limit() {
        for limit in [4u64, 10, 100, 2000, 10_000] {
            for b in [BBox::CHINA, BBox { min_lng: 113.91, min_lat: 22.51, max_lng: 114.13, max_lat: 22.58 }] {
                let size = cell_size(b, limit);
                let (x0, y0) = cell_of(b.min_lng, b.min_lat, size);
                let (x1, y1) = cell_of(b.max_lng, b.max_lat, size);
                let cells = (x1 - x0 + 1) as u64 * (y1 - y0 + 1) as u64;
                assert!(cells <= limit, "limit {limit}: {cells} cells of {size}°");
            }
        }
    }

    #[test]
    fn cells_are_anchored_so_panning_keeps_them() {
        let a = cell_size(BBox { min_lng: 114.0, min_lat: 22.0, max_lng: 114.2, max_lat: 22.2 }, 100);
        let b = cell_size(BBox { min_lng: 114.05, min_lat: 22.03, max_lng: 114.25, max_lat: 22.23 }, 100);
        assert_eq!(a, b);
        assert_eq!(cell_of(114.0601, 22.1101, a), cell_of(114.0602, 22.1102, b));
        let (lng, lat) = cell_centre(cell_of(114.0601, 22.1101, a), a);
        assert!((lng - 114.0601).abs() <= a / 2.0 && (lat - 22.1101).abs() <= a / 2.0);
    }
}
