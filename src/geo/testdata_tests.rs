//! Tests against the real Shenzhen district boundaries in `shared/testdata/boundaries/`.

use crate::geo::{
    import::{import_regions, parse_feature_collection, ImportOptions},
    index::{IndexConfig, RegionIndex},
    point::{CoordSystem, GeoPoint},
    region::{RegionLevel, RegionShape},
    routing::{route, Department, MatchKind, RoutingInput},
    tree::{check_tree, TreeViolation, DEFAULT_CONTAINMENT_TOLERANCE_M},
};
use geo::{InteriorPoint, MultiPolygon, Polygon};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// `<manifest>/../shared/testdata/<rel>` if present; otherwise says why the test is skipped.
fn shared_testdata(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: shared test data {} not found", path.display());
        None
    }
}

fn district_options() -> ImportOptions {
    let mut options = ImportOptions::new(RegionLevel::District);
    options.code_field = "adcode".into();
    options.parent_code_field = Some("parent.adcode".into());
    options
}

fn districts() -> Option<Vec<RegionShape>> {
    let text = std::fs::read_to_string(shared_testdata("boundaries/shenzhen-districts.geojson")?).unwrap();
    let report = import_regions(&text, &district_options(), &[], Uuid::now_v7).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    Some(report.imported)
}

struct SamplePoint {
    point: GeoPoint,
    adcode: Option<String>,
    kind: String,
}

fn sample_points() -> Option<Vec<SamplePoint>> {
    let text = std::fs::read_to_string(shared_testdata("boundaries/shenzhen-districts-points.csv")?).unwrap();
    let rows = text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|line| {
        let cols: Vec<&str> = line.splitn(5, ',').collect();
        SamplePoint {
            point: GeoPoint::parse(cols[1].parse().unwrap(), cols[0].parse().unwrap()).unwrap(),
            adcode: Some(cols[3].to_owned()).filter(|c| !c.is_empty()),
            kind: cols[4].to_owned(),
        }
    });
    Some(rows.collect())
}

#[test]
fn the_shenzhen_file_parses_into_nine_valid_districts() {
    let Some(path) = shared_testdata("boundaries/shenzhen-districts.geojson") else {
        return;
    };
    let report = parse_feature_collection(&std::fs::read_to_string(path).unwrap(), &district_options()).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let codes: Vec<&str> = report.parsed.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["440303", "440304", "440305", "440306", "440307", "440308", "440309", "440310", "440311"]);
    assert!(report.parsed.iter().all(|p| p.parent_code.as_deref() == Some("440300")));
    let parts: usize = report.parsed.iter().map(|p| p.geometry.0.len()).sum();
    assert_eq!(parts, 14);
    let nanshan = report.parsed.iter().find(|p| p.name == "南山区").unwrap();
    assert_eq!(nanshan.geometry.0.len(), 4);
}

#[test]
fn every_sample_point_locates_to_its_district_and_outside_points_to_nothing() {
    let (Some(regions), Some(points)) = (districts(), sample_points()) else {
        return;
    };
    let index = RegionIndex::build(regions, IndexConfig::default()).unwrap();
    assert_eq!(points.len(), 30);
    for p in &points {
        let located = index.locate(p.point);
        let got = located.most_specific().map(|r| r.code.to_string());
        assert_eq!(got, p.adcode, "{} at {:?}", p.kind, p.point);
        if p.adcode.is_none() {
            assert!(located.chain.is_empty());
        }
        if p.kind == "interior" {
            assert_eq!(located.near_border, None, "{:?}", p.point);
        }
    }
}

#[test]
fn near_border_samples_name_their_neighbour_when_the_reach_covers_it() {
    let (Some(regions), Some(points)) = (districts(), sample_points()) else {
        return;
    };
    let default = RegionIndex::build(regions.clone(), IndexConfig::default()).unwrap();
    let wide = RegionIndex::build(regions, IndexConfig { near_border_m: 60.0 }).unwrap();
    let mut checked = 0;
    for p in points.iter().filter(|p| p.kind.starts_with("near-border")) {
        // kind reads "near-border (~40 m from 罗湖区)".
        let stated: f64 = p.kind.split("(~").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let neighbour = p.kind.split("from ").nth(1).unwrap().trim_end_matches(')');
        // Every sample is 34–48 m away, beyond the default 30 m.
        assert_eq!(default.locate(p.point).near_border, None, "{}", p.kind);
        let near = wide.locate(p.point).near_border.unwrap();
        assert_eq!(near.level, RegionLevel::District);
        assert_eq!(Some(&*near.candidates[0].region.code), p.adcode.as_deref());
        let other = near.candidates.iter().find(|c| &*c.region.name == neighbour).unwrap();
        assert!((other.distance_m - stated).abs() < 5.0, "{} got {}", p.kind, other.distance_m);
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn every_island_part_locates_to_its_district() {
    let Some(regions) = districts() else { return };
    let index = RegionIndex::build(regions.clone(), IndexConfig::default()).unwrap();
    let mut islands = 0;
    for region in regions.iter().filter(|r| r.geometry.0.len() > 1) {
        for part in &region.geometry.0 {
            let inner = part.interior_point().unwrap();
            let located = index.locate(GeoPoint::parse(inner.y(), inner.x()).unwrap());
            assert_eq!(located.most_specific().map(|r| &*r.code), Some(region.code.as_str()));
            islands += 1;
        }
    }
    assert_eq!(islands, 8, "南山 4 + 宝安 2 + 龙岗 2 parts");
}

#[test]
fn the_real_phone_photo_fix_lands_in_futian() {
    let Some(regions) = districts() else { return };
    let index = RegionIndex::build(regions, IndexConfig::default()).unwrap();
    let wgs = GeoPoint::parse(22.531133, 114.021481).unwrap();
    let located = index.locate_in(wgs, CoordSystem::Wgs84);
    assert_eq!(located.most_specific().map(|r| &*r.name), Some("福田区"));
    let gcj = GeoPoint::parse(22.528329, 114.026527).unwrap();
    assert_eq!(index.locate(gcj).chain, located.chain);
}

#[test]
fn the_real_districts_form_a_tree_and_a_straddling_street_is_reported() {
    let Some(mut regions) = districts() else {
        return;
    };
    assert_eq!(check_tree(&regions, DEFAULT_CONTAINMENT_TOLERANCE_M), vec![]);
    let futian = regions.iter().find(|r| r.code == "440304").unwrap().id;
    // A 2 km box around the sample point 34 m from the 罗湖 border: half of it lies in 罗湖.
    let (x, y, h) = (114.091218, 22.565425, 0.01);
    let straddling = Polygon::new(
        vec![(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h), (x - h, y - h)].into(),
        vec![],
    );
    regions.push(RegionShape {
        id: Uuid::now_v7(),
        parent_id: Some(futian),
        level: RegionLevel::Street,
        code: "440304999".into(),
        name: "跨界街道".into(),
        geometry: MultiPolygon(vec![straddling]),
    });
    let violations = check_tree(&regions, DEFAULT_CONTAINMENT_TOLERANCE_M);
    assert!(
        violations.iter().any(|v| matches!(v, TreeViolation::OutsideParent { code, .. } if code == "440304999")),
        "{violations:?}"
    );
}

#[test]
fn a_hazard_near_the_futian_luohu_border_is_routed_with_both_candidates() {
    let Some(regions) = districts() else { return };
    let id_of = |code: &str| regions.iter().find(|r| r.code == code).unwrap().id;
    let departments = vec![
        Department {
            id: Uuid::now_v7(),
            name: "福田消防救援大队".into(),
            kind: "fire_rescue".into(),
            region_id: id_of("440304"),
            categories: vec!["fire".into()],
            is_safety_office: false,
        },
        Department {
            id: Uuid::now_v7(),
            name: "罗湖区安委办".into(),
            kind: "safety_office".into(),
            region_id: id_of("440303"),
            categories: vec![],
            is_safety_office: true,
        },
    ];
    let index = RegionIndex::build(regions.clone(), IndexConfig { near_border_m: 50.0 }).unwrap();
    let located = index.locate(GeoPoint::parse(22.565425, 114.091218).unwrap());
    let decision = route(&RoutingInput {
        category_code: "fire",
        category_name: "消防安全",
        located: &located,
        departments: &departments,
        rules: &[],
        grid_workers: &[],
    });
    assert_eq!(decision.department.as_ref().map(|d| d.name.as_str()), Some("福田消防救援大队"));
    let near = decision.near_border.as_ref().unwrap();
    assert_eq!(&*near.candidates[1].region.name, "罗湖区");
    assert_eq!(near.candidates[1].matched, MatchKind::SafetyOfficeFallback);
    assert!(decision.reason.contains("也可能属于 罗湖区（约 34 米，罗湖区安委办）"), "{}", decision.reason);
}
