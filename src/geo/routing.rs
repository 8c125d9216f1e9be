//! Pure jurisdiction routing: (where, what) → which department, which grid workers, and why.
//!
//! Order of decision, walking the located chain from the most specific region up:
//! 1. an explicit rule (category × region → department) on any region of the chain, the most
//!    specific one first, overrides everything else;
//! 2. otherwise the department that handles the category in the most specific region of the chain
//!    (sector departments before a safety office listing the category, then input order);
//! 3. otherwise the safety committee office (安委办) of the smallest enclosing region;
//! 4. otherwise, or when the point is outside every region, the decision is `unrouted`.
//!
//! Grid workers of the point's grid are listed on duty first, then by fewest open assignments.

use crate::geo::{
    index::Located,
    region::{RegionLevel, RegionRef},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A department that can receive hazards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Department id.
    pub id: Uuid,
    /// Display name, e.g. 福田区消防救援大队.
    pub name: String,
    /// Kind of department (free text from the department table, e.g. `fire_rescue`).
    pub kind: String,
    /// Region it answers for.
    pub region_id: Uuid,
    /// Category codes it handles.
    pub categories: Vec<String>,
    /// Whether it is the region's safety committee office (安委办).
    pub is_safety_office: bool,
}

/// An explicit override: hazards of `category` in `region_id` go to `department_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoutingRule {
    /// Category code.
    pub category: String,
    /// Region the rule applies to (and, through the chain, everything below it).
    pub region_id: Uuid,
    /// Receiving department.
    pub department_id: Uuid,
}

/// A grid worker's assignment to a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridWorkerAssignment {
    /// The worker's user id.
    pub user_id: Uuid,
    /// The grid region.
    pub grid_id: Uuid,
    /// Whether the worker is on duty now.
    pub on_duty: bool,
    /// Open tasks the worker already holds.
    pub open_assignments: u32,
}

/// Everything `route` needs; the caller loads it and locates the point beforehand.
#[derive(Debug, Clone, Copy)]
pub struct RoutingInput<'a> {
    /// Category code, e.g. `fire`.
    pub category_code: &'a str,
    /// Category name for the reason text, e.g. 消防安全.
    pub category_name: &'a str,
    /// Result of `RegionIndex::locate`.
    pub located: &'a Located,
    /// Departments of the regions involved (more do no harm).
    pub departments: &'a [Department],
    /// Routing rules.
    pub rules: &'a [RoutingRule],
    /// Grid-worker assignments (more do no harm).
    pub grid_workers: &'a [GridWorkerAssignment],
}

/// Whether a department was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A department receives the hazard.
    Routed,
    /// Nobody could be chosen; a dispatcher must assign it.
    Unrouted,
}

/// Which step of the decision matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// An explicit routing rule.
    Rule,
    /// The department handling the category in the most specific region.
    MostSpecificDepartment,
    /// The 安委办 of the smallest enclosing region.
    SafetyOfficeFallback,
    /// Nothing matched.
    Unrouted,
}

/// The chosen department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentRef {
    /// Department id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Kind of department.
    pub kind: String,
    /// Region it answers for.
    pub region_id: Uuid,
}

/// A grid worker in the order to offer the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GridWorkerPick {
    /// The worker's user id.
    pub user_id: Uuid,
    /// Whether the worker is on duty.
    pub on_duty: bool,
    /// Open tasks the worker holds.
    pub open_assignments: u32,
}

/// The decision had the point belonged to one near-border candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BorderAlternative {
    /// The candidate region.
    pub region: RegionRef,
    /// Distance to it in metres (0 for the containing one).
    pub distance_m: f64,
    /// Whether the point is inside it.
    pub contains_point: bool,
    /// The department that would receive the hazard there.
    pub department: Option<DepartmentRef>,
    /// How that department would be chosen.
    pub matched: MatchKind,
}

/// Both (or all) jurisdictions a near-border point may belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NearBorderDecision {
    /// Level at which the border is near.
    pub level: RegionLevel,
    /// The containing candidate first, then neighbours by distance.
    pub candidates: Vec<BorderAlternative>,
}

/// The routing decision, with the evidence a dispatcher needs to trust or override it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoutingDecision {
    /// Routed or unrouted.
    pub outcome: Outcome,
    /// Which step matched.
    pub matched: MatchKind,
    /// Receiving department, when routed.
    pub department: Option<DepartmentRef>,
    /// The rule, when `matched` is `rule`.
    pub rule: Option<RoutingRule>,
    /// Region of the chain at which the match was made.
    pub matched_region: Option<RegionRef>,
    /// Containing regions, most specific first.
    pub region_chain: Vec<RegionRef>,
    /// Workers of the point's grid: on duty first, then fewest open assignments.
    pub grid_workers: Vec<GridWorkerPick>,
    /// Set when the point is within the near-border distance of another jurisdiction.
    pub near_border: Option<NearBorderDecision>,
    /// Plain-Chinese explanation for the dispatcher.
    pub reason: String,
}

impl RoutingDecision {
    /// Whether a department was chosen.
    pub fn is_routed(&self) -> bool {
        self.outcome == Outcome::Routed
    }
}

/// One step's result on one chain.
struct Match<'a> {
    kind: MatchKind,
    department: Option<&'a Department>,
    rule: Option<&'a RoutingRule>,
    region: Option<&'a RegionRef>,
    /// Rules skipped because their department is unknown.
    dangling_rules: usize,
}

fn decide<'a>(input: &RoutingInput<'a>, chain: &'a [RegionRef]) -> Match<'a> {
    let department = |id: Uuid| input.departments.iter().find(|d| d.id == id);
    let mut dangling_rules = 0;
    for region in chain {
        for rule in input.rules.iter().filter(|r| r.region_id == region.id && r.category == input.category_code) {
            match department(rule.department_id) {
                Some(d) => {
                    return Match {
                        kind: MatchKind::Rule,
                        department: Some(d),
                        rule: Some(rule),
                        region: Some(region),
                        dangling_rules,
                    }
                }
                None => dangling_rules += 1,
            }
        }
    }
    for region in chain {
        let handles =
            |d: &&Department| d.region_id == region.id && d.categories.iter().any(|c| c == input.category_code);
        let sector = input.departments.iter().filter(handles).find(|d| !d.is_safety_office);
        if let Some(d) = sector.or_else(|| input.departments.iter().find(handles)) {
            return Match {
                kind: MatchKind::MostSpecificDepartment,
                department: Some(d),
                rule: None,
                region: Some(region),
                dangling_rules,
            };
        }
    }
    for region in chain {
        if let Some(d) = input.departments.iter().find(|d| d.region_id == region.id && d.is_safety_office) {
            return Match {
                kind: MatchKind::SafetyOfficeFallback,
                department: Some(d),
                rule: None,
                region: Some(region),
                dangling_rules,
            };
        }
    }
    Match { kind: MatchKind::Unrouted, department: None, rule: None, region: None, dangling_rules }
}

fn department_ref(d: &Department) -> DepartmentRef {
    DepartmentRef { id: d.id, name: d.name.clone(), kind: d.kind.clone(), region_id: d.region_id }
}

/// Routes a located hazard of one category to a department and grid workers.
pub fn route(input: &RoutingInput<'_>) -> RoutingDecision {
    let chain = input.located.chain.as_slice();
    let found = decide(input, chain);
    let grid = input.located.at_level(RegionLevel::Grid);
    let mut workers: Vec<GridWorkerPick> = grid
        .map(|g| {
            input
                .grid_workers
                .iter()
                .filter(|w| w.grid_id == g.id)
                .map(|w| GridWorkerPick {
                    user_id: w.user_id,
                    on_duty: w.on_duty,
                    open_assignments: w.open_assignments,
                })
                .collect()
        })
        .unwrap_or_default();
    workers.sort_by(|a, b| {
        b.on_duty.cmp(&a.on_duty).then(a.open_assignments.cmp(&b.open_assignments)).then(a.user_id.cmp(&b.user_id))
    });
    let near_border = input.located.near_border.as_ref().map(|nb| NearBorderDecision {
        level: nb.level,
        candidates: nb
            .candidates
            .iter()
            .map(|c| {
                let alt = if c.contains_point { None } else { Some(decide(input, &c.chain)) };
                let (department, matched) = match &alt {
                    Some(m) => (m.department, m.kind),
                    None => (found.department, found.kind),
                };
                BorderAlternative {
                    region: c.region.clone(),
                    distance_m: c.distance_m,
                    contains_point: c.contains_point,
                    department: department.map(department_ref),
                    matched,
                }
            })
            .collect(),
    });
    let reason = reason::explain(input, &found, grid, &workers, near_border.as_ref());
    RoutingDecision {
        outcome: if found.department.is_some() { Outcome::Routed } else { Outcome::Unrouted },
        matched: found.kind,
        department: found.department.map(department_ref),
        rule: found.rule.cloned(),
        matched_region: found.region.cloned(),
        region_chain: chain.to_vec(),
        grid_workers: workers,
        near_border,
        reason,
    }
}

mod reason;

#[cfg(test)]
mod tests;
