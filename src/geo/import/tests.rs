use super::*;
use geo::polygon;

fn fc(features: &[String]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

fn feature(props: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#)
}

/// A square polygon geometry of `size` degrees at (x, y).
fn square(x: f64, y: f64, size: f64) -> String {
    let (x1, y1) = (x + size, y + size);
    format!(r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}"#)
}

fn reasons(report: &ParseReport) -> Vec<(usize, &SkipReason)> {
    report.skipped.iter().map(|s| (s.feature_index, &s.reason)).collect()
}

#[test]
fn whole_input_errors_are_typed() {
    let options = ImportOptions::new(RegionLevel::District);
    assert!(matches!(parse_feature_collection("{not json", &options), Err(ImportError::InvalidJson(_))));
    assert_eq!(
        parse_feature_collection(&feature("{}", &square(0.0, 0.0, 1.0)), &options),
        Err(ImportError::NotAFeatureCollection("Feature".into()))
    );
    assert_eq!(parse_feature_collection("[1,2]", &options), Err(ImportError::NotAFeatureCollection("an array".into())));
    assert!(matches!(
        parse_feature_collection(r#"{"type":"FeatureCollection"}"#, &options),
        Err(ImportError::NotAFeatureCollection(_))
    ));
}

#[test]
fn each_bad_feature_is_skipped_with_its_reason_and_the_rest_imported() {
    let bow_tie = r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#;
    let unclosed = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#;
    let too_few = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#;
    let lat_95 = r#"{"type":"Polygon","coordinates":[[[114,22],[114.1,22],[114.1,95],[114,22]]]}"#;
    let point = r#"{"type":"Point","coordinates":[114,22]}"#;
    let features = [
        feature(r#"{"name":"好","code":"A"}"#, &square(114.0, 22.0, 0.1)),
        feature(r#"{"code":"B"}"#, &square(114.0, 22.0, 0.1)),
        feature(r#"{"name":"无编码","code":4.5}"#, &square(114.0, 22.0, 0.1)),
        feature(r#"{"name":"点","code":"D"}"#, point),
        feature(r#"{"name":"蝴蝶结","code":"E"}"#, bow_tie),
        feature(r#"{"name":"未闭合","code":"F"}"#, unclosed),
        feature(r#"{"name":"太少","code":"G"}"#, too_few),
        feature(r#"{"name":"越界","code":"H"}"#, lat_95),
        feature(r#"{"name":"空","code":"I"}"#, "null"),
        r#"{"type":"Feature","properties":{"name":"坏"},"geometry":{"type":"Polygon","coordinates":"x"}}"#.into(),
        feature(r#"{"name":"重复","code":"A"}"#, &square(115.0, 22.0, 0.1)),
        feature(r#"{"name":" 整数编码 ","code":440304}"#, &square(116.0, 22.0, 0.1)),
    ];
    let report = parse_feature_collection(&fc(&features), &ImportOptions::new(RegionLevel::District)).unwrap();
    let ok: Vec<(&str, &str)> = report.parsed.iter().map(|p| (p.code.as_str(), p.name.as_str())).collect();
    assert_eq!(ok, [("A", "好"), ("440304", "整数编码")]);
    let r = reasons(&report);
    assert_eq!(r[0], (1, &SkipReason::MissingName { field: "name".into() }));
    assert_eq!(r[1], (2, &SkipReason::MissingCode { field: "code".into() }));
    assert_eq!(r[2], (3, &SkipReason::NotAPolygon { geometry_type: "Point".into() }));
    assert!(matches!(r[3], (4, SkipReason::SelfIntersection { part: 1, .. })), "{:?}", r[3]);
    assert_eq!(r[4], (5, &SkipReason::UnclosedRing { part: 1, ring: 1 }));
    assert_eq!(r[5], (6, &SkipReason::TooFewPoints { part: 1, ring: 1, points: 3 }));
    assert_eq!(r[6], (7, &SkipReason::CoordinateOutOfRange { lng: 114.1, lat: 95.0 }));
    assert_eq!(r[7], (8, &SkipReason::MissingGeometry));
    assert!(matches!(r[8], (9, SkipReason::MalformedFeature { .. })), "{:?}", r[8]);
    assert_eq!(r[9], (10, &SkipReason::DuplicateCode { first_index: 0 }));
    assert_eq!(report.skipped[3].name.as_deref(), Some("蝴蝶结"));
    assert_eq!(report.skipped[3].code.as_deref(), Some("E"));
    assert!(report.skipped[3].reason.to_string().contains("自相交"), "{}", report.skipped[3].reason);
    let json = serde_json::to_value(&report.skipped[2]).unwrap();
    assert_eq!(json["reason"]["kind"], "not_a_polygon");
}

#[test]
fn holes_and_multipolygon_parts_are_kept_and_invalid_holes_rejected() {
    let with_hole = r#"{"type":"MultiPolygon","coordinates":[
        [[[0,0],[1,0],[1,1],[0,1],[0,0]],[[0.4,0.4],[0.6,0.4],[0.6,0.6],[0.4,0.6],[0.4,0.4]]],
        [[[2,2],[3,2],[3,3],[2,3],[2,2]]]]}"#;
    let hole_outside = r#"{"type":"Polygon","coordinates":[
        [[0,0],[1,0],[1,1],[0,1],[0,0]],[[2,2],[3,2],[3,3],[2,3],[2,2]]]}"#;
    let overlapping_parts = r#"{"type":"MultiPolygon","coordinates":[
        [[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[0.5,0.5],[1.5,0.5],[1.5,1.5],[0.5,1.5],[0.5,0.5]]]]}"#;
    let features = [
        feature(r#"{"name":"环","code":"A"}"#, with_hole),
        feature(r#"{"name":"洞在外","code":"B"}"#, hole_outside),
        feature(r#"{"name":"重叠","code":"C"}"#, overlapping_parts),
    ];
    let report = parse_feature_collection(&fc(&features), &ImportOptions::new(RegionLevel::District)).unwrap();
    assert_eq!(report.parsed.len(), 1);
    let g = &report.parsed[0].geometry;
    assert_eq!((g.0.len(), g.0[0].interiors().len()), (2, 1));
    assert!(matches!(
        reasons(&report)[..],
        [(1, SkipReason::InvalidGeometry { .. }), (2, SkipReason::InvalidGeometry { .. })]
    ));
}

#[test]
fn fields_are_configurable_including_dotted_paths() {
    let f = feature(r#"{"名称":"福田区","adcode":440304,"parent":{"adcode":440300}}"#, &square(114.0, 22.5, 0.01));
    let mut options = ImportOptions::new(RegionLevel::Street);
    options.name_field = "名称".into();
    options.code_field = "adcode".into();
    options.parent_code_field = Some("parent.adcode".into());
    let report = parse_feature_collection(&fc(&[f]), &options).unwrap();
    assert_eq!(report.parsed[0].parent_code.as_deref(), Some("440300"));
    assert_eq!(report.parsed[0].name, "福田区");
}

fn district(code: &str, g: MultiPolygon<f64>) -> RegionShape {
    RegionShape {
        id: Uuid::new_v4(),
        parent_id: None,
        level: RegionLevel::District,
        code: code.into(),
        name: code.into(),
        geometry: g,
    }
}

#[test]
fn import_attaches_to_parents_and_reports_children_outside_them() {
    let parent = district(
        "440304",
        MultiPolygon(vec![polygon![
            (x: 114.0, y: 22.5), (x: 114.1, y: 22.5), (x: 114.1, y: 22.6), (x: 114.0, y: 22.6)
        ]]),
    );
    let other = district(
        "440303",
        MultiPolygon(vec![polygon![
            (x: 114.1, y: 22.5), (x: 114.2, y: 22.5), (x: 114.2, y: 22.6), (x: 114.1, y: 22.6)
        ]]),
    );
    let features = [
        feature(r#"{"name":"内","code":"S1","p":"440304"}"#, &square(114.01, 22.51, 0.02)),
        feature(r#"{"name":"越界","code":"S2","p":"440304"}"#, &square(114.09, 22.51, 0.02)),
        feature(r#"{"name":"无上级","code":"S3","p":"999999"}"#, &square(114.01, 22.51, 0.02)),
        feature(r#"{"name":"默认上级","code":"S4"}"#, &square(114.12, 22.51, 0.02)),
    ];
    let mut options = ImportOptions::new(RegionLevel::Street);
    options.parent_code_field = Some("p".into());
    options.parent_id = Some(other.id);
    let mut next = 0u128;
    let report = import_regions(&fc(&features), &options, &[parent.clone(), other.clone()], || {
        next += 1;
        Uuid::from_u128(next)
    })
    .unwrap();
    let imported: Vec<(&str, Option<Uuid>)> = report.imported.iter().map(|r| (&*r.code, r.parent_id)).collect();
    assert_eq!(imported, [("S1", Some(parent.id)), ("S4", Some(other.id))]);
    assert_eq!(report.imported[0].level, RegionLevel::Street);
    assert_eq!(report.imported[0].id, Uuid::from_u128(1));
    match &report.skipped[..] {
        [a, b] => {
            assert!(
                matches!(&a.reason, SkipReason::OutsideParent { violation }
                    if matches!(**violation, TreeViolation::OutsideParent { .. })),
                "{a:?}"
            );
            assert_eq!(b.reason, SkipReason::ParentNotFound { parent: "999999".into() });
            assert!(a.reason.to_string().contains("不在上级区域范围内"), "{}", a.reason);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_district_import_ignores_parent_codes_outside_the_tree() {
    let f = feature(r#"{"name":"福田区","code":"440304","parent":{"adcode":440300}}"#, &square(114.0, 22.5, 0.01));
    let mut options = ImportOptions::new(RegionLevel::District);
    options.parent_code_field = Some("parent.adcode".into());
    let report = import_regions(&fc(&[f]), &options, &[], Uuid::now_v7).unwrap();
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.imported[0].parent_id, None);
}

#[test]
fn a_child_level_without_any_parent_is_reported() {
    let f = feature(r#"{"name":"孤儿网格","code":"G1"}"#, &square(114.0, 22.5, 0.01));
    let report = import_regions(&fc(&[f]), &ImportOptions::new(RegionLevel::Grid), &[], Uuid::now_v7).unwrap();
    assert!(report.imported.is_empty());
    assert_eq!(report.skipped[0].reason, SkipReason::ParentNotFound { parent: String::new() });
}
