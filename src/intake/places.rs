//! Places in words: the place phrases of a message (a compound or street name, a building, a spot
//! such as 楼道 or 路口) and the gazetteer that matches a typed place against the region tree's
//! street, community/village and grid names, coping with how people say them: 幸福小区 for
//! 幸福社区, 湖滨 for 湖滨街道, one wrong character, a name inside a longer sentence.

use geo::InteriorPoint;
use uuid::Uuid;

use super::text::{contains, find_all, is_cjk, normalize};
use crate::geo::{index::RegionIndex, point::GeoPoint, region::RegionLevel};

/// What kind of place phrase a hint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceHintKind {
    /// A named place: compound, community, village, street, road (幸福小区, 人民路, 新塘村).
    Named,
    /// A building, unit, floor or group (3栋, 5号楼, 2单元, 12楼, 5组).
    Building,
    /// A spot (楼道, 门口, 路口, 地下室).
    Spot,
}

/// A place phrase found in a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PlaceHint {
    /// The phrase as written (normalised).
    pub text: String,
    /// Its kind.
    pub kind: PlaceHintKind,
}

/// Suffixes of named places, longest first.
#[rustfmt::skip]
const NAME_SUFFIXES: &[&str] = &[
    "居委会", "村委会", "工业园", "菜市场", "幼儿园", "小区", "社区", "花园", "家园", "新村", "街道", "大道", "公园",
    "广场", "市场", "商场", "小学", "中学", "医院", "苑", "村", "路", "街", "巷", "弄", "镇", "乡", "庄", "园",
];
/// Characters that cannot be part of a name: a name starts after the last of them.
const NAME_STOPS: &str = "的在是了我们到从住那这个里去和跟说家边对面旁有被把给就都也还又在和与及或哪一";
/// Whole phrases that end like a name but are not one.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "马路", "公路", "道路", "一路", "走路", "过路", "土路", "小路", "大路", "山路", "铁路", "水路", "村路", "城中村",
    "农村", "乡村", "本村", "全村", "邻村", "新村", "花园", "公园", "家园", "广场", "市场", "商场", "菜市场", "小区",
    "社区", "街道", "大街", "老街", "上街", "赶集", "下乡", "老乡", "园", "村", "路", "街", "镇", "乡",
];
/// Building words after a number, longest first.
#[rustfmt::skip]
const BUILDING_SUFFIXES: &[&str] = &["号楼", "单元", "栋", "幢", "楼", "层", "室", "组", "号", "门"];
const NUMERALS: &str = "0123456789一二三四五六七八九十两百";
/// Spots people name, longest first.
#[rustfmt::skip]
const SPOTS: &[&str] = &[
    "地下车库", "十字路口", "楼梯间", "楼梯口", "交叉口", "公交站", "校门口", "停车场", "地下室", "电梯口", "楼道",
    "车库", "车棚", "天台", "楼顶", "门口", "东门", "西门", "南门", "北门", "大门", "后门", "侧门", "路口", "天桥",
    "村口", "村头", "后山", "山脚", "河边", "楼下", "对面", "隔壁",
];

/// The place phrases in `text`, in text order, without repeats.
pub fn hints(text: &str) -> Vec<PlaceHint> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let mut found: Vec<(usize, PlaceHint)> = Vec::new();
    let mut covered = vec![false; chars.len()];
    for suffix in NAME_SUFFIXES {
        let s: Vec<char> = suffix.chars().collect();
        for at in find_all(&chars, &s) {
            let end = at + s.len();
            let mut start = at;
            while start > 0 && at - start < 4 {
                let Some(&c) = chars.get(start - 1) else { break };
                if !is_cjk(c) || NAME_STOPS.contains(c) {
                    break;
                }
                start -= 1;
            }
            let phrase: String = chars.get(start..end).unwrap_or_default().iter().collect();
            let taken = covered.get(start..end).is_some_and(|c| c.iter().any(|x| *x));
            if taken || start == at || NOT_NAMES.contains(&phrase.as_str()) {
                continue;
            }
            covered.get_mut(start..end).into_iter().flatten().for_each(|c| *c = true);
            found.push((start, PlaceHint { text: phrase, kind: PlaceHintKind::Named }));
        }
    }
    let mut i = 0;
    while i < chars.len() {
        let numeral = |k: usize| chars.get(k).is_some_and(|c| NUMERALS.contains(*c));
        if !numeral(i) || (i > 0 && numeral(i - 1)) {
            i += 1;
            continue;
        }
        let mut end = i;
        while numeral(end) {
            end += 1;
        }
        let rest = chars.get(end..).unwrap_or_default();
        let suffix = BUILDING_SUFFIXES.iter().map(|s| s.chars().collect::<Vec<_>>()).find(|s| rest.starts_with(s));
        if let Some(s) = suffix {
            let phrase: String = chars.get(i..end + s.len()).unwrap_or_default().iter().collect();
            // 一楼 / 一层 read as floors; a lone 一 before 号 or 门 is usually not a place.
            if !(end - i == 1 && chars.get(i) == Some(&'一') && matches!(s.first(), Some('号' | '门' | '组'))) {
                found.push((i, PlaceHint { text: phrase, kind: PlaceHintKind::Building }));
            }
        }
        i = end;
    }
    for spot in SPOTS {
        let s: Vec<char> = spot.chars().collect();
        for at in find_all(&chars, &s) {
            if covered.get(at..at + s.len()).is_some_and(|c| c.iter().any(|x| *x)) {
                continue;
            }
            covered.get_mut(at..at + s.len()).into_iter().flatten().for_each(|c| *c = true);
            found.push((at, PlaceHint { text: (*spot).to_owned(), kind: PlaceHintKind::Spot }));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.text.len().cmp(&a.1.text.len())));
    let mut out: Vec<PlaceHint> = Vec::new();
    for (_, hint) in found {
        if !out.contains(&hint) {
            out.push(hint);
        }
    }
    out
}

/// A region name the gazetteer knows.
#[derive(Debug, Clone, PartialEq)]
pub struct GazetteerEntry {
    /// Region id.
    pub region_id: Uuid,
    /// Level.
    pub level: RegionLevel,
    /// Name, e.g. 幸福社区.
    pub name: String,
    /// Name with its ancestors, e.g. 幸福社区 · 湖滨街道 · 东湖区.
    pub label: String,
    /// A point inside the region (GCJ-02).
    pub center: GeoPoint,
}

/// A region matching a typed place.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceMatch {
    /// Region id.
    pub region_id: Uuid,
    /// Level.
    pub level: RegionLevel,
    /// Name.
    pub name: String,
    /// Name with its ancestors.
    pub label: String,
    /// A point inside the region (GCJ-02).
    pub center: GeoPoint,
    /// 1 for the exact name, less for a looser match.
    pub score: f32,
}

/// Level words stripped from a region's name to get the part people say (幸福社区 → 幸福).
#[rustfmt::skip]
const LEVEL_SUFFIXES: &[&str] = &[
    "社区居委会", "居民委员会", "村民委员会", "街道办事处", "居委会", "村委会", "办事处", "街道", "社区", "网格",
    "片区", "村", "镇", "乡", "区", "县",
];
/// What people put after a name instead of the official level word (幸福小区, 幸福花园).
#[rustfmt::skip]
const SPOKEN_SUFFIXES: &[&str] =
    &["小区", "社区", "花园", "家园", "新村", "街道", "村委", "片区", "苑", "村", "街", "镇", "乡", "园", "里"];

/// Score of each kind of match.
const EXACT: f32 = 1.0;
const CORE_WITH_SUFFIX: f32 = 0.9;
const CORE_ALONE: f32 = 0.75;
const TYPO: f32 = 0.6;

#[derive(Debug, Clone, PartialEq)]
struct Known {
    entry: GazetteerEntry,
    name: Vec<char>,
    core: Vec<char>,
}

/// The region tree's names, ready to match typed places.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gazetteer {
    known: Vec<Known>,
}

impl Gazetteer {
    /// A gazetteer over these entries.
    pub fn new(entries: Vec<GazetteerEntry>) -> Self {
        let known = entries
            .into_iter()
            .map(|entry| {
                let name: Vec<char> = normalize(&entry.name).chars().collect();
                let core = core_of(&name, entry.level);
                Known { entry, name, core }
            })
            .collect();
        Self { known }
    }

    /// The streets, communities/villages and grids of the region index (districts are too
    /// coarse to route on), each with its label and an interior point.
    pub fn from_index(index: &RegionIndex) -> Self {
        let mut entries = Vec::new();
        for region in index.regions() {
            if region.level == RegionLevel::District {
                continue;
            }
            let Some(point) = region.geometry.interior_point() else { continue };
            let Ok(center) = GeoPoint::parse(point.y(), point.x()) else { continue };
            let label = index.chain_of(region.id).iter().map(|r| r.name.to_string()).collect::<Vec<_>>().join(" · ");
            entries.push(GazetteerEntry {
                region_id: region.id,
                level: region.level,
                name: region.name.clone(),
                label,
                center,
            });
        }
        entries.sort_by(|a, b| (a.level, &a.name, a.region_id).cmp(&(b.level, &b.name, b.region_id)));
        Self::new(entries)
    }

    /// Number of names known.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether no name is known.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// The regions whose names `text` mentions, best first (score, then the longer name, then
    /// community before street before grid, then name and id), at most `limit`.
    pub fn lookup(&self, text: &str, limit: usize) -> Vec<PlaceMatch> {
        let chars: Vec<char> = normalize(text).chars().filter(|c| !c.is_whitespace()).collect();
        let mut out: Vec<PlaceMatch> = self
            .known
            .iter()
            .filter_map(|k| {
                let score = match_score(&chars, k)?;
                let e = &k.entry;
                Some(PlaceMatch {
                    region_id: e.region_id,
                    level: e.level,
                    name: e.name.clone(),
                    label: e.label.clone(),
                    center: e.center,
                    score,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.name.chars().count().cmp(&a.name.chars().count()))
                .then_with(|| level_rank(a.level).cmp(&level_rank(b.level)))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.region_id.cmp(&b.region_id))
        });
        out.truncate(limit);
        out
    }
}

/// Communities first (the level a typed place usually means), then streets, grids, districts.
fn level_rank(level: RegionLevel) -> u8 {
    match level {
        RegionLevel::Community => 0,
        RegionLevel::Street => 1,
        RegionLevel::Grid => 2,
        RegionLevel::District => 3,
    }
}

fn core_of(name: &[char], level: RegionLevel) -> Vec<char> {
    if level == RegionLevel::Grid {
        return name.to_vec();
    }
    for suffix in LEVEL_SUFFIXES {
        let s: Vec<char> = suffix.chars().collect();
        if name.len() >= s.len() + 2 && name.ends_with(&s) {
            return name.get(..name.len() - s.len()).unwrap_or(name).to_vec();
        }
    }
    name.to_vec()
}

fn followed_by_suffix(chars: &[char], end: usize) -> bool {
    let rest = chars.get(end..).unwrap_or_default();
    SPOKEN_SUFFIXES.iter().any(|s| rest.starts_with(&s.chars().collect::<Vec<_>>()))
}

fn match_score(chars: &[char], k: &Known) -> Option<f32> {
    if contains(chars, &k.name) {
        return Some(EXACT);
    }
    if k.core.len() < 2 || k.core == k.name {
        return None;
    }
    let hits = find_all(chars, &k.core);
    if hits.iter().any(|&at| followed_by_suffix(chars, at + k.core.len())) || chars == k.core.as_slice() {
        return Some(CORE_WITH_SUFFIX);
    }
    if !hits.is_empty() {
        return Some(CORE_ALONE);
    }
    // One wrong character: only where a place word follows, or the whole text is the name.
    let n = k.core.len();
    let typo_at =
        |at: usize| chars.get(at..at + n).is_some_and(|w| w.iter().zip(&k.core).filter(|(a, b)| a != b).count() == 1);
    let whole = chars.len() == n && typo_at(0);
    let before_suffix =
        (0..chars.len().saturating_sub(n - 1)).any(|at| typo_at(at) && followed_by_suffix(chars, at + n));
    (whole || before_suffix).then_some(TYPO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{demo_city, index::IndexConfig, region::RegionShape};

    fn hint(text: &str, kind: PlaceHintKind) -> PlaceHint {
        PlaceHint { text: text.into(), kind }
    }

    #[test]
    fn place_phrases_are_found_in_text_order() {
        use PlaceHintKind::*;
        assert_eq!(
            hints("幸福小区3栋2单元楼道停了五六辆电动车"),
            vec![hint("幸福小区", Named), hint("3栋", Building), hint("2单元", Building), hint("楼道", Spot)]
        );
        assert_eq!(
            hints("人民路和解放路路口红绿灯全黑了"),
            vec![hint("人民路", Named), hint("解放路", Named), hint("路口", Spot)]
        );
        assert_eq!(hints("新塘村5组李某自建房"), vec![hint("新塘村", Named), hint("5组", Building)]);
        assert_eq!(hints("电梯卡在8楼和9楼之间"), vec![hint("8楼", Building), hint("9楼", Building)]);
        assert_eq!(hints("我在马路边上"), vec![]);
    }

    fn demo() -> Gazetteer {
        let mut ids = std::collections::HashMap::new();
        let shapes: Vec<RegionShape> = demo_city::regions()
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let id = Uuid::from_u128(i as u128 + 1);
                ids.insert(r.code.clone(), id);
                RegionShape {
                    id,
                    parent_id: r.parent_code.as_ref().and_then(|c| ids.get(c).copied()),
                    level: r.level,
                    code: r.code,
                    name: r.name,
                    geometry: r.geometry,
                }
            })
            .collect();
        Gazetteer::from_index(&RegionIndex::build(shapes, IndexConfig::default()).unwrap())
    }

    fn best(g: &Gazetteer, text: &str) -> Option<(String, f32)> {
        g.lookup(text, 3).first().map(|m| (m.name.clone(), m.score))
    }

    #[test]
    fn typed_places_find_the_demo_city_s_regions() {
        let g = demo();
        assert_eq!(g.len(), 6 + 18 + 72, "streets, communities and grids; no districts");
        assert_eq!(best(&g, "幸福社区"), Some(("幸福社区".into(), EXACT)));
        assert_eq!(best(&g, "幸福小区3栋楼道里"), Some(("幸福社区".into(), CORE_WITH_SUFFIX)));
        assert_eq!(best(&g, "湖滨"), Some(("湖滨街道".into(), CORE_WITH_SUFFIX)));
        assert_eq!(best(&g, "我住在石门村口那边"), Some(("石门村".into(), EXACT)));
        assert_eq!(best(&g, "幸富小区"), Some(("幸福社区".into(), TYPO)), "one wrong character");
        assert_eq!(best(&g, "光明花园门口的井盖没了"), Some(("光明社区".into(), CORE_WITH_SUFFIX)));
        assert_eq!(best(&g, "今天天气不错"), None);
        let m = &g.lookup("幸福小区", 1)[0];
        assert_eq!(m.label, "幸福社区 · 湖滨街道 · 东湖区");
        assert_eq!(m.level, RegionLevel::Community);
        assert_eq!(g.lookup("幸福社区第1网格", 1)[0].level, RegionLevel::Grid);
    }

    #[test]
    fn the_centre_lies_inside_the_region_and_lookups_repeat() {
        let g = demo();
        let shapes = demo_city::regions();
        let m = &g.lookup("竹林社区", 1)[0];
        let shape = shapes.iter().find(|r| r.name == "竹林社区").unwrap();
        use geo::Contains;
        assert!(shape.geometry.contains(&geo::Point::new(m.center.lng(), m.center.lat())));
        assert_eq!(g.lookup("幸福 光明 和平", 10), g.lookup("幸福 光明 和平", 10));
        assert_eq!(g.lookup("幸福 光明 和平", 2).len(), 2);
    }

    /// The 79 real street names of Shenzhen (NBS codes in `shared/testdata`): each finds itself,
    /// and the ways people shorten or mistype them find the right one.
    #[test]
    fn real_shenzhen_street_names_are_found_the_way_people_type_them() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/regions/shenzhen-division-codes.csv");
        let Ok(csv) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} is absent", path.display());
            return;
        };
        let center = GeoPoint::parse(22.54, 114.05).unwrap();
        let entries: Vec<GazetteerEntry> = csv
            .lines()
            .filter(|l| l.ends_with(",street"))
            .enumerate()
            .map(|(i, l)| {
                let name = l.split(',').nth(1).unwrap().to_owned();
                let region_id = Uuid::from_u128(i as u128 + 1);
                GazetteerEntry { region_id, level: RegionLevel::Street, label: name.clone(), name, center }
            })
            .collect();
        assert_eq!(entries.len(), 79);
        let g = Gazetteer::new(entries.clone());
        for e in &entries {
            assert_eq!(best(&g, &e.name), Some((e.name.clone(), EXACT)), "{}", e.name);
        }
        assert_eq!(best(&g, "园岭那边的井盖没了"), Some(("园岭街道".into(), CORE_ALONE)));
        assert_eq!(best(&g, "东晓街"), Some(("东晓街道".into(), CORE_WITH_SUFFIX)));
        assert_eq!(best(&g, "清水和街道"), Some(("清水河街道".into(), TYPO)));
    }
}
