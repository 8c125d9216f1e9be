use super::*;
use crate::geo::planar::LocalFrame;
use crate::geo::planar::METRES_PER_DEGREE;
use geo::{polygon, MultiPolygon, Polygon};

const LAT0: f64 = 22.5;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]
}

fn shape(level: RegionLevel, parent: Option<&RegionShape>, code: &str, polys: Vec<Polygon<f64>>) -> RegionShape {
    RegionShape {
        id: Uuid::now_v7(),
        parent_id: parent.map(|p| p.id),
        level,
        code: code.into(),
        name: format!("{code}名"),
        geometry: MultiPolygon(polys),
    }
}

/// Degrees of longitude for `m` metres at LAT0.
fn east(m: f64) -> f64 {
    m / (METRES_PER_DEGREE * LAT0.to_radians().cos())
}

fn pt(lng: f64, lat: f64) -> GeoPoint {
    GeoPoint::parse(lat, lng).unwrap()
}

/// D1 = [114.00,114.02]×[22.50,22.52] with street S1 = community C1 = D1, grids G1 (west half) and
/// G2 (east half). D2 = [114.02,114.04]×[22.50,22.52] with an island part and no lower levels.
/// D3 has a hole that holds the enclave district D4.
struct Fixture {
    index: RegionIndex,
    ids: HashMap<String, Uuid>,
}

fn fixture(config: IndexConfig) -> Fixture {
    let d1 = shape(RegionLevel::District, None, "D1", vec![rect(114.0, LAT0, 114.02, 22.52)]);
    let s1 = shape(RegionLevel::Street, Some(&d1), "S1", vec![rect(114.0, LAT0, 114.02, 22.52)]);
    let c1 = shape(RegionLevel::Community, Some(&s1), "C1", vec![rect(114.0, LAT0, 114.02, 22.52)]);
    let g1 = shape(RegionLevel::Grid, Some(&c1), "G1", vec![rect(114.0, LAT0, 114.01, 22.52)]);
    let g2 = shape(RegionLevel::Grid, Some(&c1), "G2", vec![rect(114.01, LAT0, 114.02, 22.52)]);
    let d2 = shape(
        RegionLevel::District,
        None,
        "D2",
        vec![rect(114.02, LAT0, 114.04, 22.52), rect(114.10, 22.40, 114.11, 22.41)],
    );
    let holed = polygon!(
        exterior: [(x: 115.0, y: 23.0), (x: 115.1, y: 23.0), (x: 115.1, y: 23.1), (x: 115.0, y: 23.1)],
        interiors: [[(x: 115.04, y: 23.04), (x: 115.06, y: 23.04), (x: 115.06, y: 23.06), (x: 115.04, y: 23.06)]],
    );
    let d3 = shape(RegionLevel::District, None, "D3", vec![holed]);
    let d4 = shape(RegionLevel::District, None, "D4", vec![rect(115.045, 23.045, 115.055, 23.055)]);
    let all = [d1, s1, c1, g1, g2, d2, d3, d4];
    let ids = all.iter().map(|r| (r.code.clone(), r.id)).collect();
    let index = RegionIndex::build(all.to_vec(), config).unwrap();
    Fixture { index, ids }
}

fn codes(chain: &[RegionRef]) -> Vec<&str> {
    chain.iter().map(|r| &*r.code).collect()
}

#[test]
fn locates_the_full_chain_most_specific_first() {
    let f = fixture(IndexConfig::default());
    let located = f.index.locate(pt(114.005, 22.51));
    assert_eq!(codes(&located.chain), ["G1", "C1", "S1", "D1"]);
    assert_eq!(located.near_border, None);
    assert_eq!(located.most_specific().map(|r| r.id), Some(f.ids["G1"]));
    assert_eq!(located.at_level(RegionLevel::Street).map(|r| &*r.code), Some("S1"));
    assert_eq!(codes(&f.index.locate(pt(114.015, 22.51)).chain), ["G2", "C1", "S1", "D1"]);
}

#[test]
fn multipolygon_islands_and_holes_are_respected() {
    let f = fixture(IndexConfig::default());
    assert_eq!(codes(&f.index.locate(pt(114.105, 22.405)).chain), ["D2"]);
    assert_eq!(codes(&f.index.locate(pt(115.02, 23.02)).chain), ["D3"]);
    // Inside D3's hole: the enclave D4, not D3.
    assert_eq!(codes(&f.index.locate(pt(115.05, 23.05)).chain), ["D4"]);
    // Inside the hole but outside the enclave: nowhere.
    let gap = f.index.locate(pt(115.042, 23.058));
    assert!(gap.chain.is_empty(), "{gap:?}");
}

#[test]
fn outside_every_region_locates_to_nothing() {
    let f = fixture(IndexConfig::default());
    for p in [pt(0.0, 0.0), pt(113.0, 22.0), pt(114.05, 22.51)] {
        let located = f.index.locate(p);
        assert!(located.chain.is_empty() && located.near_border.is_none(), "{located:?}");
    }
}

#[test]
fn near_a_grid_border_lists_both_grids() {
    let f = fixture(IndexConfig::default());
    let located = f.index.locate(pt(114.01 - east(10.0), 22.51));
    assert_eq!(codes(&located.chain), ["G1", "C1", "S1", "D1"]);
    let near = located.near_border.unwrap();
    assert_eq!(near.level, RegionLevel::Grid);
    let c: Vec<(&str, bool)> = near.candidates.iter().map(|c| (&*c.region.code, c.contains_point)).collect();
    assert_eq!(c, [("G1", true), ("G2", false)]);
    assert!((near.candidates[1].distance_m - 10.0).abs() < 0.05, "{near:?}");
    assert_eq!(codes(&near.candidates[1].chain), ["G2", "C1", "S1", "D1"]);
}

#[test]
fn near_a_district_border_lists_both_districts_and_their_chains() {
    let f = fixture(IndexConfig::default());
    let located = f.index.locate(pt(114.02 - east(20.0), 22.51));
    let near = located.near_border.unwrap();
    assert_eq!(near.level, RegionLevel::District);
    let c: Vec<&str> = near.candidates.iter().map(|c| &*c.region.code).collect();
    assert_eq!(c, ["D1", "D2"]);
    assert_eq!(codes(&near.candidates[0].chain), ["D1"]);
    assert!((near.candidates[1].distance_m - 20.0).abs() < 0.05);
    // Beyond the configured reach nothing is reported.
    assert_eq!(f.index.locate(pt(114.02 - east(40.0), 22.51)).near_border, None);
}

#[test]
fn just_outside_the_city_reports_the_nearby_region() {
    let f = fixture(IndexConfig::default());
    let located = f.index.locate(pt(114.0 - east(5.0), 22.51));
    assert!(located.chain.is_empty());
    let near = located.near_border.unwrap();
    assert_eq!(near.level, RegionLevel::Grid);
    assert_eq!(near.candidates.len(), 1);
    assert!(!near.candidates[0].contains_point);
    assert_eq!(&*near.candidates[0].region.code, "G1");
}

#[test]
fn near_border_distance_is_configurable() {
    let wide = fixture(IndexConfig { near_border_m: 50.0 });
    assert!(wide.index.locate(pt(114.02 - east(40.0), 22.51)).near_border.is_some());
    let off = fixture(IndexConfig { near_border_m: 0.0 });
    assert_eq!(off.index.locate(pt(114.01 - east(1.0), 22.51)).near_border, None);
}

#[test]
fn a_point_on_a_shared_border_is_decided_the_same_way_every_time() {
    let f = fixture(IndexConfig::default());
    for _ in 0..3 {
        let located = f.index.locate(pt(114.01, 22.51));
        assert_eq!(codes(&located.chain), ["G1", "C1", "S1", "D1"]);
    }
}

#[test]
fn wgs84_input_is_converted_before_locating() {
    let f = fixture(IndexConfig::default());
    // A GCJ-02 point inside G1, 300 m from its west edge; the raw WGS-84 fix is ~500 m further west.
    let gcj = pt(114.0 + east(300.0), 22.51);
    let wgs = gcj.gcj02_to_wgs84();
    assert_eq!(codes(&f.index.locate_in(wgs, CoordSystem::Wgs84).chain), ["G1", "C1", "S1", "D1"]);
    assert!(f.index.locate(wgs).chain.is_empty());
}

#[test]
fn lookups_by_id() {
    let f = fixture(IndexConfig::default());
    assert_eq!(f.index.len(), 8);
    assert!(!f.index.is_empty());
    assert_eq!(f.index.get(f.ids["C1"]).map(|r| &*r.name), Some("C1名"));
    assert_eq!(codes(&f.index.chain_of(f.ids["G2"])), ["G2", "C1", "S1", "D1"]);
    assert!(f.index.chain_of(Uuid::nil()).is_empty());
    assert_eq!(f.index.config().near_border_m, DEFAULT_NEAR_BORDER_M);
}

#[test]
fn build_rejects_a_broken_tree_and_a_bad_distance() {
    let orphan = shape(RegionLevel::Grid, None, "G", vec![rect(0.0, 0.0, 1.0, 1.0)]);
    let err = RegionIndex::build(vec![orphan], IndexConfig::default()).unwrap_err();
    assert!(matches!(&err, IndexError::InvalidTree(v) if v.len() == 1), "{err}");
    let err = RegionIndex::build(vec![], IndexConfig { near_border_m: f64::NAN }).unwrap_err();
    assert!(matches!(err, IndexError::InvalidNearBorder(_)));
    let empty = RegionIndex::build(vec![], IndexConfig::default()).unwrap();
    assert!(empty.locate(pt(114.0, 22.5)).chain.is_empty());
}

/// Reference definition of `locate`, by brute force over every region.
fn brute_force(regions: &[RegionShape], p: GeoPoint, reach: f64) -> (Option<Uuid>, Option<(RegionLevel, Vec<Uuid>)>) {
    let c = p.coord();
    let hit = regions
        .iter()
        .filter(|r| r.geometry.coordinate_position(&c) == CoordPos::Inside)
        .max_by_key(|r| r.level)
        .map(|r| r.id);
    let mut own: Vec<Uuid> = Vec::new();
    let mut cursor = hit;
    while let Some(id) = cursor {
        own.push(id);
        cursor = regions.iter().find(|r| r.id == id).and_then(|r| r.parent_id);
    }
    let frame = LocalFrame::at(c);
    let near = RegionLevel::ALL.into_iter().rev().find_map(|level| {
        let mut ids: Vec<Uuid> = regions
            .iter()
            .filter(|r| r.level == level && !own.contains(&r.id))
            .filter(|r| r.geometry.0.iter().any(|poly| frame.distance_to_boundary_m(poly) <= reach))
            .map(|r| r.id)
            .collect();
        ids.sort();
        (!ids.is_empty()).then_some((level, ids))
    });
    (hit, near)
}

#[test]
fn locate_matches_a_brute_force_definition_on_a_tiled_city() {
    // 100 m cells: district D = 8×8 cells (2 streets, 4 communities, 15 grids: one 2×2 gap),
    // and a bare district E = 4×8 cells to its east.
    let cell = 0.001;
    let block = |x0: usize, y0: usize, w: usize, h: usize| {
        let (x, y) = (114.0 + x0 as f64 * cell, LAT0 + y0 as f64 * cell);
        vec![rect(x, y, x + w as f64 * cell, y + h as f64 * cell)]
    };
    let d = shape(RegionLevel::District, None, "D", block(0, 0, 8, 8));
    let e = shape(RegionLevel::District, None, "E", block(8, 0, 4, 8));
    let mut all = vec![d.clone(), e];
    for sx in [0, 4] {
        let s = shape(RegionLevel::Street, Some(&d), &format!("S{sx}"), block(sx, 0, 4, 8));
        for cy in [0, 4] {
            let c = shape(RegionLevel::Community, Some(&s), &format!("C{sx}{cy}"), block(sx, cy, 4, 4));
            for (gx, gy) in [(0, 0), (2, 0), (0, 2), (2, 2)] {
                if (sx, cy, gx, gy) != (4, 4, 2, 2) {
                    let code = format!("G{}{}", sx + gx, cy + gy);
                    all.push(shape(RegionLevel::Grid, Some(&c), &code, block(sx + gx, cy + gy, 2, 2)));
                }
            }
            all.push(c);
        }
        all.push(s);
    }
    let index = RegionIndex::build(all.clone(), IndexConfig::default()).unwrap();
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut near_count, mut gap_count) = (0, 0);
    for _ in 0..3000 {
        let p = pt(114.0 + (next() * 14.0 - 1.0) * cell, LAT0 + (next() * 10.0 - 1.0) * cell);
        let (hit, near) = brute_force(&all, p, DEFAULT_NEAR_BORDER_M);
        let located = index.locate(p);
        assert_eq!(located.most_specific().map(|r| r.id), hit, "{p:?}");
        let got = located.near_border.as_ref().map(|nb| {
            let mut ids: Vec<Uuid> = nb.candidates.iter().filter(|c| !c.contains_point).map(|c| c.region.id).collect();
            ids.sort();
            (nb.level, ids)
        });
        assert_eq!(got, near, "{p:?}");
        near_count += usize::from(got.is_some());
        gap_count += usize::from(located.most_specific().is_some_and(|r| r.level == RegionLevel::Community));
    }
    assert!(near_count > 500 && gap_count > 20, "{near_count} near, {gap_count} in the gap");
}
