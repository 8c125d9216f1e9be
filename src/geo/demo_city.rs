//! A fictional city, 青川市, for demos and tests: 2 districts, 6 streets, 18 communities and 72
//! grids whose boundaries tile the city exactly (no gaps, no overlaps), in GCJ-02.
//!
//! The boundaries come from one jittered lattice: each grid is a lattice cell, and every larger
//! region's outline walks the same lattice points along its block's perimeter, so a child always
//! lies inside its parent and neighbours share their border to the last vertex.

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::region::RegionLevel;

/// Lattice columns (west → east) and rows (south → north).
const COLS: usize = 12;
const ROWS: usize = 6;
/// South-west corner and cell size in degrees (about 500 m × 500 m).
const LNG0: f64 = 112.900;
const LAT0: f64 = 28.180;
const DX: f64 = 0.0051;
const DY: f64 = 0.0045;

/// A region of the demo city.
#[derive(Debug, Clone)]
pub struct DemoRegion {
    /// Administrative code (fictional range 4399xx).
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: RegionLevel,
    /// Parent's code.
    pub parent_code: Option<String>,
    /// Boundary, GCJ-02.
    pub geometry: MultiPolygon<f64>,
}

/// District names and their streets' names.
pub const DISTRICTS: [(&str, [&str; 3]); 2] =
    [("东湖区", ["湖滨街道", "望江街道", "桃源街道"]), ("西岭区", ["岭南街道", "青石街道", "松柏街道"])];

/// Community names, three per street in street order.
pub const COMMUNITIES: [&str; 18] = [
    "幸福社区",
    "光明社区",
    "和平社区",
    "建设社区",
    "新华社区",
    "文化社区",
    "长青社区",
    "东风社区",
    "红星社区",
    "向阳社区",
    "金桥社区",
    "滨江社区",
    "梅园社区",
    "竹林社区",
    "石门村",
    "柳溪村",
    "枫林村",
    "白沙村",
];

/// Every region of the city, parents before children.
pub fn regions() -> Vec<DemoRegion> {
    let mut out = Vec::new();
    for (d, (district, streets)) in DISTRICTS.iter().enumerate() {
        let d_code = format!("43990{}", d + 1);
        out.push(block(&d_code, district, RegionLevel::District, None, 6 * d, 6 * d + 6, 0, ROWS));
        for (s, street) in streets.iter().enumerate() {
            let s_code = format!("{d_code}{:03}", s + 1);
            let c0 = 6 * d + 2 * s;
            out.push(block(&s_code, street, RegionLevel::Street, Some(&d_code), c0, c0 + 2, 0, ROWS));
            for k in 0..3 {
                let name = COMMUNITIES.get(d * 9 + s * 3 + k).copied().unwrap_or("社区");
                let k_code = format!("{s_code}{:03}", k + 1);
                out.push(block(&k_code, name, RegionLevel::Community, Some(&s_code), c0, c0 + 2, 2 * k, 2 * k + 2));
                for g in 0..4 {
                    let (col, row) = (c0 + g % 2, 2 * k + g / 2);
                    let g_name = format!("{name}第{}网格", g + 1);
                    let g_code = format!("{k_code}{:02}", g + 1);
                    out.push(block(&g_code, &g_name, RegionLevel::Grid, Some(&k_code), col, col + 1, row, row + 1));
                }
            }
        }
    }
    out
}

/// A point well inside grid `g` (0..4) of community `k` (0..18): for tests and demos.
pub fn grid_center(community: usize, grid: usize) -> (f64, f64) {
    let (d, s, k) = (community / 9, (community % 9) / 3, community % 3);
    let col = 6 * d + 2 * s + grid % 2;
    let row = 2 * k + grid / 2;
    let lng = LNG0 + (col as f64 + 0.5) * DX;
    let lat = LAT0 + (row as f64 + 0.5) * DY;
    (lng, lat)
}

/// A point about 5 m inside the east border of grid `g` (0 or 2, the western grids) of community
/// `k`: near the neighbouring grid, for near-border demos and tests.
pub fn near_east_border(community: usize, grid: usize) -> (f64, f64) {
    let (d, s, k) = (community / 9, (community % 9) / 3, community % 3);
    let col = 6 * d + 2 * s + grid % 2 + 1;
    let row = 2 * k + grid / 2;
    let m = midpoint_v(col, row);
    (m.x - 0.00005, m.y)
}

#[allow(clippy::too_many_arguments)]
fn block(
    code: &str,
    name: &str,
    level: RegionLevel,
    parent: Option<&str>,
    c0: usize,
    c1: usize,
    r0: usize,
    r1: usize,
) -> DemoRegion {
    let mut ring = Vec::new();
    // Counter-clockwise: south edge west→east, east edge south→north, north edge east→west,
    // west edge north→south; every lattice edge contributes its start point and its midpoint.
    for c in c0..c1 {
        ring.push(lattice(c, r0));
        ring.push(midpoint_h(c, r0));
    }
    for r in r0..r1 {
        ring.push(lattice(c1, r));
        ring.push(midpoint_v(c1, r));
    }
    for c in (c0 + 1..=c1).rev() {
        ring.push(lattice(c, r1));
        ring.push(midpoint_h(c - 1, r1));
    }
    for r in (r0 + 1..=r1).rev() {
        ring.push(lattice(c0, r));
        ring.push(midpoint_v(c0, r - 1));
    }
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    DemoRegion {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        parent_code: parent.map(str::to_owned),
        geometry: MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]),
    }
}

// Deterministic jitter in [-1, 1) from integer inputs.
fn jitter(a: usize, b: usize, salt: u64) -> f64 {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ salt;
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x % 2000) as f64 / 1000.0 - 1.0
}

fn lattice(c: usize, r: usize) -> Coord<f64> {
    // The outer border stays straight on its own axis so the city's outline is tidy.
    let jx = if c == 0 || c == COLS { 0.0 } else { 0.12 * jitter(c, r, 1) };
    let jy = if r == 0 || r == ROWS { 0.0 } else { 0.12 * jitter(c, r, 2) };
    Coord { x: LNG0 + (c as f64 + jx) * DX, y: LAT0 + (r as f64 + jy) * DY }
}

fn midpoint_h(c: usize, r: usize) -> Coord<f64> {
    let (a, b) = (lattice(c, r), lattice(c + 1, r));
    let bulge = if r == 0 || r == ROWS { 0.0 } else { 0.10 * jitter(c, r, 3) * DY };
    Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 + bulge }
}

fn midpoint_v(c: usize, r: usize) -> Coord<f64> {
    let (a, b) = (lattice(c, r), lattice(c, r + 1));
    let bulge = if c == 0 || c == COLS { 0.0 } else { 0.10 * jitter(c, r, 4) * DX };
    Coord { x: (a.x + b.x) / 2.0 + bulge, y: (a.y + b.y) / 2.0 }
}

#[cfg(test)]
mod tests {
    use geo::{Area, Contains, Point};

    use super::*;

    #[test]
    fn the_city_has_the_promised_shape() {
        let all = regions();
        let count = |l| all.iter().filter(|r| r.level == l).count();
        assert_eq!(
            [
                count(RegionLevel::District),
                count(RegionLevel::Street),
                count(RegionLevel::Community),
                count(RegionLevel::Grid)
            ],
            [2, 6, 18, 72]
        );
        let codes: std::collections::HashSet<_> = all.iter().map(|r| &r.code).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
    }

    #[test]
    fn children_tile_their_parent_exactly() {
        let all = regions();
        for parent in &all {
            let children: Vec<_> = all.iter().filter(|r| r.parent_code.as_deref() == Some(&parent.code)).collect();
            if children.is_empty() {
                continue;
            }
            let sum: f64 = children.iter().map(|c| c.geometry.unsigned_area()).sum();
            let area = parent.geometry.unsigned_area();
            assert!((sum - area).abs() / area < 1e-9, "{}: {sum} vs {area}", parent.name);
        }
    }

    #[test]
    fn grid_centres_fall_in_their_grid() {
        let all = regions();
        for (community, name) in COMMUNITIES.iter().enumerate() {
            for grid in 0..4 {
                let (lng, lat) = grid_center(community, grid);
                let inside: Vec<_> = all
                    .iter()
                    .filter(|r| r.level == RegionLevel::Grid && r.geometry.contains(&Point::new(lng, lat)))
                    .collect();
                assert_eq!(inside.len(), 1);
                assert!(inside[0].name.starts_with(name), "{}", inside[0].name);
                assert!(inside[0].name.ends_with(&format!("第{}网格", grid + 1)));
            }
        }
    }
}
