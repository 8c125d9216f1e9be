//! The dispatcher-facing reason text of a routing decision, in plain Chinese.

use super::{GridWorkerPick, Match, MatchKind, NearBorderDecision, RoutingInput};
use crate::geo::region::RegionRef;

/// The dispatcher's explanation, one short sentence per fact.
pub(super) fn explain(
    input: &RoutingInput<'_>,
    found: &Match<'_>,
    grid: Option<&RegionRef>,
    workers: &[GridWorkerPick],
    near: Option<&NearBorderDecision>,
) -> String {
    let category = format!("「{}」", input.category_name);
    let chain = &input.located.chain;
    let mut out = Vec::new();
    if chain.is_empty() {
        out.push("该位置不在任何已登记的辖区范围内，无法按属地分派，请人工指定处理部门。".to_owned());
    } else {
        let path: Vec<&str> = chain.iter().rev().map(|r| &*r.name).collect();
        out.push(format!("位置属于 {}。", path.join(" › ")));
    }
    let region_name = found.region.map_or("", |r| &*r.name);
    let dept_name = found.department.map_or("", |d| d.name.as_str());
    match found.kind {
        MatchKind::Rule => out.push(format!("按路由规则，{region_name}的{category}类隐患由{dept_name}负责。")),
        MatchKind::MostSpecificDepartment => {
            out.push(format!("包含该位置的最小一级辖区中，负责{category}的部门是{region_name}的{dept_name}。"))
        }
        MatchKind::SafetyOfficeFallback => out.push(format!(
            "各级辖区都没有负责{category}的部门，由最小一级辖区{region_name}的安委办（{dept_name}）兜底处理。"
        )),
        MatchKind::Unrouted if !chain.is_empty() => {
            out.push(format!("所在各级辖区既没有负责{category}的部门，也没有安委办，请人工指定处理部门。"))
        }
        MatchKind::Unrouted => {}
    }
    if found.dangling_rules > 0 {
        out.push(format!("有 {} 条路由规则指向已不存在的部门，已忽略。", found.dangling_rules));
    }
    match (grid, workers.first()) {
        (Some(g), Some(first)) if first.on_duty => out.push(format!(
            "网格员按“在岗优先、待办少者优先”排序，首选{}的在岗网格员（待办 {} 件）。",
            g.name, first.open_assignments
        )),
        (Some(g), Some(_)) => {
            out.push(format!("{}当前没有在岗网格员，以下网格员均不在岗，请电话联系或另行指派。", g.name))
        }
        (Some(g), None) => out.push(format!("{}没有登记网格员。", g.name)),
        (None, _) if !chain.is_empty() => out.push("该位置不在任何网格内，没有对应的网格员。".to_owned()),
        (None, _) => {}
    }
    if let Some(near) = near {
        let others: Vec<String> = near
            .candidates
            .iter()
            .filter(|c| !c.contains_point)
            .map(|c| {
                let dept = c.department.as_ref().map_or("无负责部门".to_owned(), |d| d.name.clone());
                format!("{}（约 {:.0} 米，{}）", c.region.name, c.distance_m, dept)
            })
            .collect();
        out.push(format!(
            "注意：该位置靠近{}界线，也可能属于 {}，请核实属地。",
            near.level.label_zh(),
            others.join("、")
        ));
    }
    out.concat()
}
