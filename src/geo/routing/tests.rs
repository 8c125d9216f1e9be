use super::*;
use crate::geo::index::{BorderCandidate, NearBorder};

fn region(level: RegionLevel, code: &str, name: &str) -> RegionRef {
    RegionRef { id: Uuid::new_v4(), level, code: code.into(), name: name.into() }
}

fn dept(name: &str, region: &RegionRef, categories: &[&str], is_safety_office: bool) -> Department {
    Department {
        id: Uuid::new_v4(),
        name: name.into(),
        kind: if is_safety_office { "safety_office".into() } else { "sector".into() },
        region_id: region.id,
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        is_safety_office,
    }
}

fn worker(grid: &RegionRef, n: u128, on_duty: bool, open_assignments: u32) -> GridWorkerAssignment {
    GridWorkerAssignment { user_id: Uuid::from_u128(n), grid_id: grid.id, on_duty, open_assignments }
}

struct World {
    district: RegionRef,
    street: RegionRef,
    grid: RegionRef,
    located: Located,
    district_fire: Department,
    street_fire: Department,
    housing: Department,
    district_office: Department,
    street_office: Department,
}

fn world() -> World {
    let district = region(RegionLevel::District, "440304", "福田区");
    let street = region(RegionLevel::Street, "440304001", "园岭街道");
    let community = region(RegionLevel::Community, "440304001001", "百花社区");
    let grid = region(RegionLevel::Grid, "G-03", "百花第3网格");
    let located = Located { chain: vec![grid.clone(), community, street.clone(), district.clone()], near_border: None };
    World {
        district_fire: dept("福田消防救援大队", &district, &["fire"], false),
        street_fire: dept("园岭街道消防安全办", &street, &["fire"], false),
        housing: dept("福田区住建局", &district, &["building", "construction"], false),
        district_office: dept("福田区安委办", &district, &[], true),
        street_office: dept("园岭街道安委办", &street, &[], true),
        district,
        street,
        grid,
        located,
    }
}

impl World {
    fn departments(&self) -> Vec<Department> {
        vec![
            self.district_fire.clone(),
            self.street_fire.clone(),
            self.housing.clone(),
            self.district_office.clone(),
            self.street_office.clone(),
        ]
    }
}

fn run(
    category: &str,
    located: &Located,
    departments: &[Department],
    rules: &[RoutingRule],
    workers: &[GridWorkerAssignment],
) -> RoutingDecision {
    route(&RoutingInput {
        category_code: category,
        category_name: category,
        located,
        departments,
        rules,
        grid_workers: workers,
    })
}

#[test]
fn the_most_specific_department_wins() {
    let w = world();
    let d = run("fire", &w.located, &w.departments(), &[], &[]);
    assert_eq!(d.outcome, Outcome::Routed);
    assert_eq!(d.matched, MatchKind::MostSpecificDepartment);
    assert_eq!(d.department.as_ref().map(|x| x.id), Some(w.street_fire.id));
    assert_eq!(d.matched_region.as_ref().map(|r| r.id), Some(w.street.id));
    assert_eq!(d.region_chain.len(), 4);
    assert!(d.reason.starts_with("位置属于 福田区 › 园岭街道 › 百花社区 › 百花第3网格。"), "{}", d.reason);
    assert!(d.reason.contains("负责「fire」的部门是园岭街道的园岭街道消防安全办"), "{}", d.reason);
    // Higher up only: the district's housing bureau.
    let d = run("building", &w.located, &w.departments(), &[], &[]);
    assert_eq!(d.department.map(|x| x.id), Some(w.housing.id));
}

#[test]
fn a_sector_department_goes_before_a_safety_office_listing_the_category() {
    let w = world();
    let mut office = w.street_office.clone();
    office.categories = vec!["fire".into()];
    let departments = vec![office, w.street_fire.clone()];
    let d = run("fire", &w.located, &departments, &[], &[]);
    assert_eq!(d.department.map(|x| x.id), Some(w.street_fire.id));
}

#[test]
fn an_explicit_rule_overrides_and_the_most_specific_rule_wins() {
    let w = world();
    let to_district =
        RoutingRule { category: "fire".into(), region_id: w.district.id, department_id: w.district_fire.id };
    let d = run("fire", &w.located, &w.departments(), std::slice::from_ref(&to_district), &[]);
    assert_eq!(d.matched, MatchKind::Rule);
    assert_eq!(d.department.as_ref().map(|x| x.id), Some(w.district_fire.id));
    assert_eq!(d.rule.as_ref(), Some(&to_district));
    assert!(d.reason.contains("按路由规则，福田区的「fire」类隐患由福田消防救援大队负责"), "{}", d.reason);
    let to_housing = RoutingRule { category: "fire".into(), region_id: w.street.id, department_id: w.housing.id };
    let other_category =
        RoutingRule { category: "gas".into(), region_id: w.grid.id, department_id: w.district_office.id };
    let d = run("fire", &w.located, &w.departments(), &[to_district, to_housing, other_category], &[]);
    assert_eq!(d.department.map(|x| x.id), Some(w.housing.id));
}

#[test]
fn a_rule_to_an_unknown_department_is_ignored_and_said_so() {
    let w = world();
    let dangling = RoutingRule { category: "fire".into(), region_id: w.grid.id, department_id: Uuid::nil() };
    let d = run("fire", &w.located, &w.departments(), &[dangling], &[]);
    assert_eq!(d.matched, MatchKind::MostSpecificDepartment);
    assert!(d.reason.contains("有 1 条路由规则指向已不存在的部门"), "{}", d.reason);
}

#[test]
fn a_category_nobody_handles_falls_back_to_the_smallest_safety_office() {
    let w = world();
    let d = run("mine", &w.located, &w.departments(), &[], &[]);
    assert_eq!(d.outcome, Outcome::Routed);
    assert_eq!(d.matched, MatchKind::SafetyOfficeFallback);
    assert_eq!(d.department.map(|x| x.id), Some(w.street_office.id));
    assert!(d.reason.contains("由最小一级辖区园岭街道的安委办（园岭街道安委办）兜底处理"), "{}", d.reason);
    // Without the street's office, the district's takes it.
    let departments = vec![w.district_office.clone()];
    let d = run("mine", &w.located, &departments, &[], &[]);
    assert_eq!(d.department.map(|x| x.id), Some(w.district_office.id));
}

#[test]
fn no_handler_and_no_safety_office_is_unrouted_with_the_chain_kept() {
    let w = world();
    let departments = vec![w.street_fire.clone()];
    let d = run("gas", &w.located, &departments, &[], &[]);
    assert_eq!((d.outcome, d.matched), (Outcome::Unrouted, MatchKind::Unrouted));
    assert!(!d.is_routed());
    assert_eq!(d.department, None);
    assert_eq!(d.region_chain.len(), 4);
    assert!(d.reason.contains("既没有负责「gas」的部门，也没有安委办"), "{}", d.reason);
}

#[test]
fn a_point_outside_every_region_is_unrouted() {
    let w = world();
    let outside = Located { chain: vec![], near_border: None };
    let d = run("fire", &outside, &w.departments(), &[], &[worker(&w.grid, 1, true, 0)]);
    assert_eq!((d.outcome, d.matched), (Outcome::Unrouted, MatchKind::Unrouted));
    assert!(d.region_chain.is_empty() && d.grid_workers.is_empty());
    assert!(d.reason.starts_with("该位置不在任何已登记的辖区范围内"), "{}", d.reason);
}

#[test]
fn grid_workers_on_duty_first_then_least_loaded() {
    let w = world();
    let elsewhere = region(RegionLevel::Grid, "G-09", "别的网格");
    let workers = [
        worker(&w.grid, 1, true, 5),
        worker(&w.grid, 2, false, 0),
        worker(&w.grid, 3, true, 2),
        worker(&elsewhere, 4, true, 0),
        worker(&w.grid, 5, true, 2),
    ];
    let d = run("fire", &w.located, &w.departments(), &[], &workers);
    let order: Vec<u128> = d.grid_workers.iter().map(|x| x.user_id.as_u128()).collect();
    assert_eq!(order, [3, 5, 1, 2]);
    assert!(d.reason.contains("首选百花第3网格的在岗网格员（待办 2 件）"), "{}", d.reason);
}

#[test]
fn a_grid_with_no_worker_on_duty_still_lists_them_and_warns() {
    let w = world();
    let workers = [worker(&w.grid, 1, false, 4), worker(&w.grid, 2, false, 1)];
    let d = run("fire", &w.located, &w.departments(), &[], &workers);
    let order: Vec<(u128, bool)> = d.grid_workers.iter().map(|x| (x.user_id.as_u128(), x.on_duty)).collect();
    assert_eq!(order, [(2, false), (1, false)]);
    assert_eq!(d.outcome, Outcome::Routed);
    assert!(d.reason.contains("百花第3网格当前没有在岗网格员"), "{}", d.reason);
    let d = run("fire", &w.located, &w.departments(), &[], &[]);
    assert!(d.reason.contains("百花第3网格没有登记网格员"), "{}", d.reason);
    let no_grid = Located { chain: w.located.chain[1..].to_vec(), near_border: None };
    let d = run("fire", &no_grid, &w.departments(), &[], &workers);
    assert!(d.grid_workers.is_empty());
    assert!(d.reason.contains("不在任何网格内"), "{}", d.reason);
}

#[test]
fn near_border_lists_both_jurisdictions_with_their_departments() {
    let w = world();
    let luohu = region(RegionLevel::District, "440303", "罗湖区");
    let luohu_fire = dept("罗湖消防救援大队", &luohu, &["fire"], false);
    let mut located = w.located.clone();
    located.near_border = Some(NearBorder {
        level: RegionLevel::District,
        candidates: vec![
            BorderCandidate {
                region: w.district.clone(),
                distance_m: 0.0,
                contains_point: true,
                chain: vec![w.district.clone()],
            },
            BorderCandidate {
                region: luohu.clone(),
                distance_m: 34.4,
                contains_point: false,
                chain: vec![luohu.clone()],
            },
        ],
    });
    let mut departments = w.departments();
    departments.push(luohu_fire.clone());
    let d = run("fire", &located, &departments, &[], &[]);
    let near = d.near_border.as_ref().unwrap();
    assert_eq!(near.level, RegionLevel::District);
    assert_eq!(near.candidates[0].department.as_ref().map(|x| x.id), Some(w.street_fire.id));
    assert_eq!(near.candidates[1].department.as_ref().map(|x| x.id), Some(luohu_fire.id));
    assert_eq!(near.candidates[1].matched, MatchKind::MostSpecificDepartment);
    assert!(d.reason.contains("该位置靠近区界线，也可能属于 罗湖区（约 34 米，罗湖消防救援大队）"), "{}", d.reason);
}

#[test]
fn the_decision_serialises_in_snake_case() {
    let w = world();
    let d = run("mine", &w.located, &w.departments(), &[], &[]);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["outcome"], "routed");
    assert_eq!(json["matched"], "safety_office_fallback");
    assert_eq!(json["region_chain"][0]["level"], "grid");
    assert_eq!(json["department"]["name"], "园岭街道安委办");
    let back: RoutingDecision = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
    let unrouted = run("gas", &Located { chain: vec![], near_border: None }, &[], &[], &[]);
    assert_eq!(serde_json::to_value(&unrouted).unwrap()["matched"], "unrouted");
}
