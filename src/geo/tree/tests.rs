use super::*;
use crate::geo::planar::METRES_PER_DEGREE;
use geo::{polygon, MultiPolygon};

/// Axis-aligned square in degrees.
fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
    ]])
}

fn region(level: RegionLevel, parent: Option<Uuid>, code: &str, g: MultiPolygon<f64>) -> RegionShape {
    RegionShape {
        id: Uuid::new_v4(),
        parent_id: parent,
        level,
        code: code.into(),
        name: format!("{code}名"),
        geometry: g,
    }
}

#[test]
fn a_proper_tree_has_no_violations() {
    let d = region(RegionLevel::District, None, "d", square(114.0, 22.0, 0.1));
    let s = region(RegionLevel::Street, Some(d.id), "s", square(114.0, 22.0, 0.05));
    // Shares two borders with the district, digitised 1 m outside: within tolerance.
    let nudge = 1.0 / METRES_PER_DEGREE;
    let s2 = region(RegionLevel::Street, Some(d.id), "s2", square(114.05, 22.05, 0.05 + nudge));
    assert_eq!(check_tree(&[d, s, s2], DEFAULT_CONTAINMENT_TOLERANCE_M), vec![]);
}

#[test]
fn a_grid_outside_its_parent_is_reported_with_distance() {
    let d = region(RegionLevel::District, None, "d", square(114.0, 22.0, 0.1));
    let s = region(RegionLevel::Street, Some(d.id), "s", square(114.0, 22.0, 0.1));
    let c = region(RegionLevel::Community, Some(s.id), "c", square(114.0, 22.0, 0.01));
    // 0.001° ≈ 100 m to the west of the community.
    let g = region(RegionLevel::Grid, Some(c.id), "g", square(113.999, 22.0, 0.005));
    let v = check_tree(&[d, s, c, g.clone()], DEFAULT_CONTAINMENT_TOLERANCE_M);
    assert_eq!(v.len(), 1, "{v:?}");
    match &v[0] {
        TreeViolation::OutsideParent { id, distance_m, parent_code, .. } => {
            assert_eq!(*id, g.id);
            assert_eq!(parent_code, "c");
            assert!((distance_m - 0.001 * METRES_PER_DEGREE * 22f64.to_radians().cos()).abs() < 1.0);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(v[0].to_string().contains("超出上级区域 c"), "{}", v[0]);
}

#[test]
fn a_parent_edge_cutting_through_a_child_is_reported() {
    // A notch in the parent: child vertices are all inside, but the notch tip is inside the child.
    let parent = MultiPolygon(vec![polygon![
        (x: 0.0, y: 0.0), (x: 0.02, y: 0.0), (x: 0.02, y: 0.02),
        (x: 0.011, y: 0.02), (x: 0.01, y: 0.005), (x: 0.009, y: 0.02), (x: 0.0, y: 0.02)
    ]]);
    let d = region(RegionLevel::District, None, "d", parent);
    let child = MultiPolygon(vec![polygon![
        (x: 0.005, y: 0.001), (x: 0.015, y: 0.001), (x: 0.012, y: 0.0199), (x: 0.008, y: 0.0199)
    ]]);
    let s = region(RegionLevel::Street, Some(d.id), "s", child);
    let v = check_containment(&[d, s], DEFAULT_CONTAINMENT_TOLERANCE_M);
    assert!(v.iter().any(|x| matches!(x, TreeViolation::ParentBoundaryInside { .. })), "{v:?}");
}

#[test]
fn a_child_inside_a_parent_hole_is_outside() {
    let holed = MultiPolygon(vec![polygon!(
        exterior: [(x: 0.0, y: 0.0), (x: 0.1, y: 0.0), (x: 0.1, y: 0.1), (x: 0.0, y: 0.1)],
        interiors: [[(x: 0.04, y: 0.04), (x: 0.06, y: 0.04), (x: 0.06, y: 0.06), (x: 0.04, y: 0.06)]],
    )]);
    let d = region(RegionLevel::District, None, "d", holed);
    let s = region(RegionLevel::Street, Some(d.id), "s", square(0.045, 0.045, 0.01));
    let v = check_containment(&[d, s], DEFAULT_CONTAINMENT_TOLERANCE_M);
    assert!(matches!(v.as_slice(), [TreeViolation::OutsideParent { .. }]), "{v:?}");
}

#[test]
fn structural_problems_are_all_reported() {
    let d = region(RegionLevel::District, None, "d", square(0.0, 0.0, 1.0));
    let mut dup = region(RegionLevel::District, None, "dup", square(0.0, 0.0, 1.0));
    dup.id = d.id;
    let orphan = region(RegionLevel::Street, Some(Uuid::new_v4()), "o", square(0.0, 0.0, 0.1));
    let grid_under_district = region(RegionLevel::Grid, Some(d.id), "g", square(0.0, 0.0, 0.1));
    let rootless_street = region(RegionLevel::Street, None, "r", square(0.0, 0.0, 0.1));
    let empty = region(RegionLevel::Street, Some(d.id), "e", MultiPolygon(vec![]));
    let v = check_structure(&[d, dup, orphan, grid_under_district, rootless_street, empty]);
    let kinds: Vec<&str> = v
        .iter()
        .map(|x| match x {
            TreeViolation::DuplicateId { .. } => "dup",
            TreeViolation::UnknownParent { .. } => "unknown",
            TreeViolation::LevelMismatch { .. } => "level",
            TreeViolation::EmptyGeometry { .. } => "empty",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["dup", "unknown", "level", "level", "empty"]);
    assert!(v[2].to_string().contains("其上级应为社区，实际为区"), "{}", v[2]);
    let json = serde_json::to_value(&v[1]).unwrap();
    assert_eq!(json["kind"], "unknown_parent");
}
