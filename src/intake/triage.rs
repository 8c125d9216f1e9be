//! Emergency triage: does the message describe danger happening now, and whom should the person
//! call first? Pure and deterministic: a table of cue phrases (Chinese and English) checked for
//! negation ("没闻到煤气味"), the past ("昨天着过火，现在灭了"), worry ("怕以后会着火") and habit
//! ("经常有人打架"), which lower a cue from `emergency` to `urgent` (or drop a negated one).
//!
//! Cue strength: a *strong* cue (着火, 煤气味, 被困, 溺水…) makes an emergency on its own; a *weak*
//! one (塌了, 撞车, 滑坡) only when a person is at risk (有人, 小孩, 救命, !!); an *urgent* cue (an
//! open manhole, a swaying sign, a crane in a gale) makes `urgent`.

use std::sync::LazyLock;

use serde::Serialize;

use super::text::{ascii_word_ends, ascii_word_starts, clause_at, contains, find_all, is_cjk, normalize};
use crate::tickets::status::Urgency;

/// An emergency number to call first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// 119: fire, leaks, people trapped, rescue.
    Fire,
    /// 110: police: fights, crime, drowning (with 119), anything dangerous and unclear.
    Police,
    /// 120: ambulance: injuries, poisoning.
    Ambulance,
}

impl Service {
    /// The number to dial.
    pub fn number(self) -> &'static str {
        match self {
            Service::Fire => "119",
            Service::Police => "110",
            Service::Ambulance => "120",
        }
    }
}

/// A phrase in the message that raised its urgency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cue {
    /// The phrase as found (normalised: half-width, lower case).
    pub word: String,
    /// What it signals: fire, smoke, sparks, explosion, gas_leak, leak, trapped, electrocution,
    /// collapse, landslide, drowning, poisoning, injury, fight, crash, help (emergency kinds) or
    /// past_fire, open_hole, falling, structural, wind, fuel, unguarded, swimming, signal_out, overload,
    /// open_flame, blocked_exit, carbon_monoxide_risk, illness, dispute, flood, rockfall,
    /// equipment_fault (urgent kinds).
    pub kind: String,
}

/// The triage of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// emergency, urgent or normal.
    pub urgency: Urgency,
    /// The cues behind `urgency` (emergency cues for an emergency, else the urgent ones), in
    /// text order.
    pub cues: Vec<Cue>,
    /// Whom to call, most relevant first; empty unless `urgency` is emergency.
    pub call: Vec<Service>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Strong,
    Weak,
    Urgent,
}

struct CueDef {
    word: Vec<char>,
    kind: &'static str,
    level: Level,
    /// The cue counts only when one of these is also in the message.
    needs: &'static [&'static str],
    /// The cue does not count when directly followed by one of these.
    unless_next: &'static [&'static str],
    /// The cue does not count when directly preceded by one of these.
    unless_prev: &'static [&'static str],
}

#[rustfmt::skip]
const STRONG: &[(&str, &[&str])] = &[
    (
        "fire",
        &[
            "着火", "起火", "失火", "火灾", "火苗", "火光", "烧起来", "火很大", "火势", "大火", "火烧", "火往",
            "火跑", "火窜", "窜火", "烧着了", "冒火", "着了火", "燃起来", "烧过来", "扑不灭", "灭不掉", "灭不了",
            "on fire", "caught fire", "catching fire", "flames", "blaze", "a fire", "the fire", "fire!",
        ],
    ),
    (
        "smoke",
        &[
            "冒烟", "浓烟", "黑烟", "烟很大", "全是烟", "满屋子烟", "满屋的烟", "烟雾弥漫", "smoke is",
            "smoke coming", "smoke pouring", "smoke everywhere", "smell smoke", "smelling smoke", "full of smoke",
            "thick smoke", "black smoke", "smoke from", "smoky",
        ],
    ),
    ("sparks", &["冒火花", "打火花", "电火花", "火花四溅", "冒火星", "sparks", "sparking"]),
    (
        "explosion",
        &["爆炸", "炸了", "爆燃", "炸开", "轰的一声", "一声巨响", "explosion", "exploded", "blew up", "blast"],
    ),
    (
        "gas_leak",
        &[
            "煤气味", "燃气味", "天然气味", "液化气味", "臭鸡蛋味", "漏气", "煤气泄漏", "燃气泄漏", "天然气泄漏",
            "煤气漏了", "燃气漏了", "往外冒气", "呲呲", "喷气", "往外喷", "挖断", "挖破", "gas smell", "smell of gas",
            "smells of gas", "smell gas", "smelling gas", "smells like gas", "gas leak", "leaking gas",
            "gas is leaking", "gas leaking",
        ],
    ),
    (
        "leak",
        &[
            "泄漏", "泄露", "毒气", "氨水味", "氨气味", "氯气味", "漏了", "睁不开", "chemical leak", "toxic gas",
            "toxic fumes", "ammonia leak", "fumes",
        ],
    ),
    (
        "trapped",
        &[
            "被困", "困人", "关人", "困在", "关在里面", "出不来", "卡在", "trapped", "stuck in", "stuck between",
            "can't get out", "cannot get out",
        ],
    ),
    ("electrocution", &["触电", "电到人", "被电到", "被电击", "电死", "electrocuted", "electric shock"]),
    (
        "collapse",
        &[
            "倒塌", "坍塌", "垮塌", "垮了", "塌下来", "压在下面", "压住了", "被埋", "埋了", "collapsed", "buried",
            "crushed",
        ],
    ),
    ("landslide", &["泥石流", "突然变浑", "突然断流", "mudslide", "mudflow"]),
    (
        "drowning",
        &[
            "落水", "溺水", "掉河里", "掉进河", "掉到河", "掉水里", "掉进水", "掉到水", "掉塘里", "掉进塘", "掉池塘",
            "掉进水库", "沉下去", "被冲走", "冲走了", "drowning", "fell into the river", "fell into the water",
            "fell in the river", "fell in the water", "fell into", "fallen into", "fell in", "swept away",
        ],
    ),
    ("poisoning", &["中毒", "喘不上气", "喘不过气", "头晕", "想吐", "越洗越晕", "food poisoning", "poisoned", "dizzy"]),
    (
        "injury",
        &[
            "叫不醒", "昏迷", "晕倒", "不省人事", "口吐白沫", "躺在地上", "流血", "出血", "血流", "受伤", "受重伤",
            "骨折", "没有呼吸", "没呼吸", "没气了", "砸伤", "砸到人", "撞到人", "撞伤", "unconscious", "passed out",
            "fainted", "can't wake", "won't wake", "injured", "bleeding", "not breathing", "lying on the ground",
        ],
    ),
    (
        "fight",
        &[
            "打架", "斗殴", "打起来", "打人", "砍人", "持刀", "拿刀", "拿着刀", "动刀", "群殴", "互殴", "抢劫",
            "fighting", "a fight", "knife", "stabbing", "stabbed", "robbery", "being robbed", "attacking",
        ],
    ),
    ("help", &["救命", "快来人", "快救人", "help!", "help me", "sos"]),
];

#[rustfmt::skip]
const WEAK: &[(&str, &[&str])] = &[
    ("collapse", &["塌了", "倒了", "被压", "塌方", "滑坡", "collapse", "collapsing", "landslide"]),
    ("crash", &["撞了", "撞车", "车祸", "追尾", "翻车", "交通事故", "crash", "collision", "hit by a car"]),
];

#[rustfmt::skip]
const URGENT: &[(&str, &[&str])] = &[
    (
        "open_hole",
        &[
            "井盖没了", "井盖丢", "井盖被偷", "井盖碎", "井盖坏", "没有井盖", "没井盖", "窟窿", "大坑", "塌陷",
            "陷下去", "open manhole", "missing manhole", "manhole cover missing", "manhole cover is missing",
            "sinkhole",
        ],
    ),
    (
        "falling",
        &[
            "一直晃", "晃得厉害", "一推就晃", "摇摇欲坠", "快掉", "要掉", "往下掉", "掉下来", "松了", "松动",
            "吊在半空", "砸下来", "锈断", "swaying", "loose", "about to fall", "falling",
        ],
    ),
    (
        "structural",
        &[
            "裂缝", "裂了", "开裂", "裂开", "倾斜", "歪了", "鼓出来", "鼓包", "渗水", "变形", "挖空", "下沉", "crack",
            "cracked", "cracks", "leaning", "tilting",
        ],
    ),
    // The aspect marker 过 says it happened before: urgent at most.
    ("past_fire", &["着过火", "起过火", "失过火", "烧过", "炸过"]),
    ("wind", &["大风", "风这么大", "刮风", "风很大", "台风", "strong wind", "windy", "gale"]),
    (
        "fuel",
        &[
            "散装汽油", "瓶装", "饮料瓶", "可乐瓶", "矿泉水瓶", "囤", "倒气", "罐堆", "几个液化气", "炸药", "雷管",
            "bottled petrol", "bottles of petrol", "explosives",
        ],
    ),
    (
        "unguarded",
        &[
            "没有护栏", "没护栏", "没有围栏", "没围栏", "没有警示", "没警示", "没人看管", "没有盖", "没系安全带",
            "没挂安全网", "没有安全网", "没有防护", "防护都没有", "没通风", "没人监护", "没有救生衣", "没人看着",
            "没有人看", "unguarded", "no railing", "no fence", "no warning",
        ],
    ),
    ("swimming", &["野泳", "玩水", "摸鱼", "游泳", "swimming"]),
    (
        "signal_out",
        &[
            "红绿灯坏", "红绿灯全黑", "信号灯坏", "红绿灯不亮", "信号灯不亮", "灯全黑", "traffic light is broken",
            "traffic lights are out", "lights are out",
        ],
    ),
    ("overload", &["超员", "塞了十几个", "拉着十几个人", "坐满了人", "站满了人", "overloaded"]),
    (
        "open_flame",
        &[
            "烧荒", "烧秸秆", "烧田埂", "烧纸", "野炊", "孔明灯", "烟头", "抽烟", "明火", "电焊", "点蜡烛",
            "burning straw", "sky lantern",
        ],
    ),
    ("blocked_exit", &["锁上", "锁死", "只有一个出口", "只有一个楼梯", "locked"]),
    (
        "carbon_monoxide_risk",
        &["炭盆", "烧炭", "木炭", "炭火", "门窗都关", "窗户都封", "没装风斗", "烟囱堵", "charcoal"],
    ),
    ("illness", &["拉肚子", "上吐下泻", "拉了一晚上", "吃坏", "病死", "diarrhea"]),
    ("dispute", &["快要动手", "要打起来", "推搡", "吵起来", "拧门把手"]),
    ("flood", &["积水", "被淹", "漫堤", "水还在涨", "涨水", "flooded"]),
    ("rockfall", &["石头滚", "落石", "滚石", "掉土", "rocks fell", "rockfall"]),
    ("equipment_fault", &["门没关上就", "刹车不灵", "异响", "断了好几股", "夹到", "烧焦"]),
];

/// Condition tables: (cue word, words of which one must also be present).
#[rustfmt::skip]
const NEEDS: &[(&str, &[&str])] = &[
    ("漏了", &["氨", "化学", "储罐", "罐", "硫酸", "盐酸", "氯", "农药"]),
    ("卡在", &["电梯", "楼", "里面", "人"]),
    ("埋了", &["人", "车", "孩"]),
    ("头晕", CO_SOURCES),
    ("想吐", CO_SOURCES),
    ("喘不上气", CO_SOURCES),
    ("喘不过气", CO_SOURCES),
    ("越洗越晕", CO_SOURCES),
    ("dizzy", CO_SOURCES),
    ("stuck in", &["lift", "elevator"]),
    ("喷气", GAS_WORDS),
    ("往外喷", GAS_WORDS),
    ("挖断", GAS_WORDS),
    ("挖破", GAS_WORDS),
    ("fell into", WATER_WORDS),
    ("fallen into", WATER_WORDS),
    ("fell in", WATER_WORDS),
    ("stuck between", &["lift", "elevator", "floor"]),
    ("fumes", &["chemical", "toxic", "factory", "plant", "ammonia", "can't breathe", "eyes"]),
    ("瓶装", &["汽油", "柴油", "液化气", "酒精"]),
    ("饮料瓶", &["汽油", "柴油"]),
    ("可乐瓶", &["汽油", "柴油"]),
    ("矿泉水瓶", &["汽油", "柴油"]),
    ("囤", &["鞭炮", "烟花", "炮", "液化气", "汽油", "气罐"]),
    ("loose", &["sign", "billboard", "railing", "cover", "tile", "panel"]),
    ("falling", &["tile", "tiles", "glass", "bricks", "debris", "sign", "from"]),
    ("locked", &["exit", "door", "fire"]),
];

#[rustfmt::skip]
const GAS_WORDS: &[&str] = &["燃气", "煤气", "天然气", "液化气", "气管"];
#[rustfmt::skip]
const WATER_WORDS: &[&str] = &["river", "water", "pond", "reservoir", "lake", "canal", "sea"];

#[rustfmt::skip]
const CO_SOURCES: &[&str] = &[
    "煤炉", "炉子", "蜂窝煤", "炭", "热水器", "煤气", "燃气", "取暖", "门窗", "heater", "stove", "charcoal",
    "brazier",
];

#[rustfmt::skip]
const UNLESS_NEXT: &[(&str, &[&str])] = &[
    ("火灾", &["隐患", "风险", "危险", "报警", "探测", "预防", "防控", "演练"]),
    ("火烧", &["云"]),
    ("a fire", FIRE_NOUNS),
    ("the fire", FIRE_NOUNS),
    ("爆炸", &["物", "品"]),
    ("打人", &["行"]),
    ("knife", &["sharpen"]),
    ("受伤", &["的风险"]),
];

#[rustfmt::skip]
const FIRE_NOUNS: &[&str] = &[
    " exit", " extinguisher", " lane", " door", " escape", " hydrant", " alarm", " safety", " hazard", " risk",
    " truck", " engine", " station", " drill", " code", " inspection", " equipment", " brigade", " service",
];

#[rustfmt::skip]
const UNLESS_PREV: &[(&str, &[&str])] = &[
    ("溺水", &["防"]),
    ("中毒", &["防"]),
    ("坍塌", &["防"]),
    ("漏气", &["轮胎", "车胎"]),
    ("大火", &["小"]),
    ("泄漏", &["防"]),
];

static CUES: LazyLock<Vec<CueDef>> = LazyLock::new(|| {
    let lookup = |table: &[(&'static str, &'static [&'static str])], word: &str| -> &'static [&'static str] {
        table.iter().find(|(w, _)| *w == word).map_or(&[], |(_, v)| *v)
    };
    let mut out = Vec::new();
    for (level, table) in [(Level::Strong, STRONG), (Level::Weak, WEAK), (Level::Urgent, URGENT)] {
        for (kind, words) in table {
            for word in *words {
                out.push(CueDef {
                    word: normalize(word).chars().collect(),
                    kind,
                    level,
                    needs: lookup(NEEDS, word),
                    unless_next: lookup(UNLESS_NEXT, word),
                    unless_prev: lookup(UNLESS_PREV, word),
                });
            }
        }
    }
    out
});

/// Words that, shortly before a cue, negate it.
#[rustfmt::skip]
const NEGATORS: &[&str] =
    &["没有", "没", "无", "未", "不是", "别", "no ", "not ", "n't ", "nobody ", "no one ", "never "];
/// Words that, before a cue in its clause, make it a worry rather than an event.
#[rustfmt::skip]
const HYPOTHETICAL: &[&str] = &[
    "怕", "担心", "容易", "可能", "会不会", "万一", "如果", "要是", "一旦", "以防", "防止", "避免", "预防", "小心",
    "迟早", "差点", "差一点", "险些", "以后", "将来", "隐患", "could ", "might ", "may ", "worried", "afraid", "if ",
    "in case", "risk", "would ",
];
/// Just before a cue: it has not happened (yet).
#[rustfmt::skip]
const NEAR_HYPOTHETICAL: &[&str] = &["会", "快要"];
/// Right after a cue in its clause: a worry or a question.
#[rustfmt::skip]
const AFTER_HYPOTHETICAL: &[&str] = &["隐患", "风险", "危险", "的可能", "怎么办", "吗", " risk", " hazard"];
/// Before a cue in its clause: it happened earlier.
#[rustfmt::skip]
const PAST: &[&str] = &[
    "昨天", "昨晚", "前天", "前晚", "上周", "上星期", "上个月", "上次", "去年", "前几天", "前段时间", "之前", "以前",
    "曾经", "那天", "那次", "yesterday", "last night", "last week", "last month", "earlier",
];
/// Anywhere after a cue: it is over.
#[rustfmt::skip]
const RESOLVED: &[&str] = &[
    "灭了", "扑灭", "已灭", "救出来", "救上来", "已经没事", "没事了", "处理好了", "修好了", "散了", "已经停了",
    "被救", "put out", "is out now", "already out", "rescued", "no one was hurt",
];
/// In a cue's clause: it is still going on (overrides the past).
#[rustfmt::skip]
const ONGOING: &[&str] = &["现在", "正在", "还在", "一直在", "仍在", "还没灭", "越来越", " now", "still"];
/// Before a cue in its clause: it happens often, not now in particular.
#[rustfmt::skip]
const HABITUAL: &[&str] =
    &["经常", "总是", "天天", "每天", "老是", "常常", "动不动", "时不时", "often", "always", "every day"];
/// Somewhere in the message: a person is at risk now (turns a weak cue into an emergency).
#[rustfmt::skip]
const PERSON_AT_RISK: &[&str] = &[
    "有人", "人在", "里面有人", "压着人", "压住人", "砸到人", "小孩", "孩子", "老人", "救命", "快来", "赶紧", "流血",
    "受伤", "!!", "someone", "people", "child", "kid", "help",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Now,
    Negated,
    NotNow,
}

struct Hit<'a> {
    def: &'a CueDef,
    start: usize,
    end: usize,
}

/// Triage one message.
pub fn triage(text: &str) -> Triage {
    let norm = normalize(text);
    let chars: Vec<char> = norm.chars().collect();
    let hits = hits(&chars);
    let mut emergency: Vec<&Hit> = Vec::new();
    let mut urgent: Vec<&Hit> = Vec::new();
    for hit in &hits {
        let status = status(&chars, hit);
        match (hit.def.level, status) {
            (_, Status::Negated) => {}
            (Level::Strong, Status::Now) => emergency.push(hit),
            (Level::Weak, Status::Now) if person_at_risk(&chars, hit) => emergency.push(hit),
            _ => urgent.push(hit),
        }
    }
    let cues = |list: &[&Hit]| -> Vec<Cue> {
        let mut out: Vec<Cue> = Vec::new();
        for h in list {
            let cue = Cue { word: h.def.word.iter().collect(), kind: h.def.kind.to_owned() };
            if !out.contains(&cue) {
                out.push(cue);
            }
        }
        out
    };
    if !emergency.is_empty() {
        let call = services(&emergency);
        return Triage { urgency: Urgency::Emergency, cues: cues(&emergency), call };
    }
    if !urgent.is_empty() {
        return Triage { urgency: Urgency::Urgent, cues: cues(&urgent), call: Vec::new() };
    }
    Triage { urgency: Urgency::Normal, cues: Vec::new(), call: Vec::new() }
}

/// Every cue occurrence that meets its conditions, in text order; one inside a longer one is dropped.
fn hits(chars: &[char]) -> Vec<Hit<'static>> {
    let mut found: Vec<Hit<'static>> = Vec::new();
    for def in CUES.iter() {
        if !def.needs.is_empty() && !def.needs.iter().any(|n| contains(chars, &n.chars().collect::<Vec<_>>())) {
            continue;
        }
        let ascii = def.word.first().is_some_and(char::is_ascii_alphabetic);
        for start in find_all(chars, &def.word) {
            let end = start + def.word.len();
            if ascii && !(ascii_word_starts(chars, start) && (ascii_word_ends(chars, end) || !ends_alnum(&def.word))) {
                continue;
            }
            let after: String = chars.get(end..).unwrap_or_default().iter().take(14).collect();
            if def.unless_next.iter().any(|w| after.starts_with(w)) {
                continue;
            }
            let before: String = chars.get(..start).unwrap_or_default().iter().collect();
            if def.unless_prev.iter().any(|w| before.ends_with(w)) {
                continue;
            }
            found.push(Hit { def, start, end });
        }
    }
    let spans: Vec<(usize, usize)> = found.iter().map(|h| (h.start, h.end)).collect();
    found.retain(|h| !spans.iter().any(|&(s, e)| s <= h.start && h.end <= e && e - s > h.end - h.start));
    found.sort_by_key(|h| (h.start, h.end));
    found
}

/// Whether the cue's clause or the next one says someone is at risk (not as a habit: 天天有小孩).
fn person_at_risk(chars: &[char], hit: &Hit) -> bool {
    let (start, end) = clause_at(chars, hit.start);
    let next_end = if end < chars.len() { clause_at(chars, end + 1).1 } else { end };
    [(start, end), (end + 1, next_end)].into_iter().any(|(s, e)| {
        let clause = chars.get(s..e).unwrap_or_default();
        any_in(clause, PERSON_AT_RISK) && !any_in(clause, HABITUAL)
    })
}

fn ends_alnum(word: &[char]) -> bool {
    word.last().is_some_and(char::is_ascii_alphanumeric)
}

fn any_in(hay: &[char], words: &[&str]) -> bool {
    words.iter().any(|w| contains(hay, &w.chars().collect::<Vec<_>>()))
}

fn status(chars: &[char], hit: &Hit) -> Status {
    let (clause_start, clause_end) = clause_at(chars, hit.start);
    let before = chars.get(clause_start..hit.start).unwrap_or_default();
    let after = chars.get(hit.end..clause_end).unwrap_or_default();
    let clause = chars.get(clause_start..clause_end).unwrap_or_default();
    let near = before.get(before.len().saturating_sub(if is_cjk_word(hit) { 4 } else { 12 })..).unwrap_or_default();
    if any_in(near, NEGATORS) {
        return Status::Negated;
    }
    let close = before.get(before.len().saturating_sub(2)..).unwrap_or_default();
    let soon_after = after.get(..after.len().min(4)).unwrap_or_default();
    if any_in(before, HYPOTHETICAL) || any_in(close, NEAR_HYPOTHETICAL) || any_in(soon_after, AFTER_HYPOTHETICAL) {
        return Status::NotNow;
    }
    let ongoing = any_in(clause, ONGOING);
    let later = chars.get(hit.end..).unwrap_or_default();
    let past = (any_in(before, PAST) && !ongoing) || after.first() == Some(&'过') || any_in(later, RESOLVED);
    let habitual = any_in(before, HABITUAL) && !any_in(clause, &["正在", "现在", " now"]);
    if past || habitual {
        Status::NotNow
    } else {
        Status::Now
    }
}

fn is_cjk_word(hit: &Hit) -> bool {
    hit.def.word.first().copied().is_some_and(is_cjk)
}

/// Numbers to call for these cues: in text order of the cues, without repeats; a bare cry for help
/// means 110 only when nothing says what the danger is.
fn services(hits: &[&Hit]) -> Vec<Service> {
    let mut out = Vec::new();
    for hit in hits {
        let for_kind: &[Service] = match hit.def.kind {
            "fire" | "smoke" | "sparks" | "explosion" | "gas_leak" | "leak" | "trapped" | "collapse" | "landslide" => {
                &[Service::Fire]
            }
            "electrocution" => &[Service::Ambulance, Service::Fire],
            "drowning" => &[Service::Police, Service::Fire],
            "poisoning" | "injury" => &[Service::Ambulance],
            "fight" | "crash" => &[Service::Police],
            _ => &[],
        };
        for s in for_kind {
            if !out.contains(s) {
                out.push(*s);
            }
        }
    }
    if out.is_empty() {
        out.push(Service::Police);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emergency(text: &str) -> Vec<&'static str> {
        let t = triage(text);
        assert_eq!(t.urgency, Urgency::Emergency, "{text}: {t:?}");
        t.call.iter().map(|s| s.number()).collect()
    }

    fn urgency(text: &str) -> Urgency {
        triage(text).urgency
    }

    #[test]
    fn each_kind_of_danger_now_names_the_right_number() {
        assert_eq!(emergency("对面楼起火了，火苗从阳台窜出来"), ["119"]);
        assert_eq!(emergency("车棚里一辆电动车充着电冒烟了"), ["119"]);
        assert_eq!(emergency("变压器一直在冒火花"), ["119"]);
        assert_eq!(emergency("化工厂爆炸了"), ["119"]);
        assert_eq!(emergency("二单元好大一股煤气味！！"), ["119"]);
        assert_eq!(emergency("冷库的液氨好像漏了"), ["119"]);
        assert_eq!(emergency("电梯卡在12楼下不去 我和孩子在里面"), ["119"]);
        assert_eq!(emergency("有人触电了"), ["120", "119"]);
        assert_eq!(emergency("老房子倒塌了"), ["119"]);
        assert_eq!(emergency("山体滑坡把路埋了，有车被压在下面"), ["119"]);
        assert_eq!(emergency("有个小孩掉河里了 快来人啊"), ["110", "119"]);
        assert_eq!(emergency("我奶奶用蜂窝煤炉子取暖，早上起来说头晕想吐"), ["120"]);
        assert_eq!(emergency("一家人都食物中毒了"), ["120"]);
        assert_eq!(emergency("夜市那边一群人在打架，有人拿着刀"), ["110"]);
        assert_eq!(emergency("救命"), ["110"]);
        assert_eq!(emergency("Smoke is pouring out of the restaurant kitchen"), ["119"]);
        assert_eq!(emergency("There's a strong smell of gas in the car park"), ["119"]);
    }

    #[test]
    fn the_cues_say_what_they_are() {
        let t = triage("楼道里一股煤气味，不知道哪家漏气了");
        let kinds: Vec<&str> = t.cues.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["gas_leak", "gas_leak"]);
        assert_eq!(t.cues[0].word, "煤气味");
    }

    #[test]
    fn past_negated_and_feared_danger_is_not_an_emergency() {
        assert_eq!(urgency("昨天着过火，现在灭了"), Urgency::Urgent);
        assert_eq!(urgency("昨晚楼下着火了，已经扑灭了"), Urgency::Urgent);
        assert_eq!(urgency("没闻到煤气味，就是燃气表半夜还在走"), Urgency::Normal);
        assert_eq!(urgency("没有人被困"), Urgency::Normal);
        assert_eq!(urgency("楼道堆满纸箱，怕以后会着火"), Urgency::Urgent);
        assert_eq!(urgency("小区经常有人打架"), Urgency::Urgent);
        assert_eq!(urgency("防溺水的警示牌被拆了"), Urgency::Normal);
        assert_eq!(urgency("the fire exit is locked"), Urgency::Urgent);
        assert_eq!(urgency("no gas smell now"), Urgency::Normal);
    }

    #[test]
    fn a_weak_cue_needs_someone_at_risk() {
        assert_eq!(urgency("幼儿园的围墙塌了一段"), Urgency::Urgent);
        assert_eq!(emergency("老房子塌了 里面还有人"), ["119"]);
        assert_eq!(urgency("路口两辆车撞了"), Urgency::Urgent);
    }

    #[test]
    fn danger_soon_is_urgent_and_the_rest_normal() {
        assert_eq!(urgency("人民路公交站旁边的井盖没了"), Urgency::Urgent);
        assert_eq!(urgency("店门口的大招牌被风吹得一直晃"), Urgency::Urgent);
        assert_eq!(urgency("小区东门消防通道又被快递车堵了"), Urgency::Normal);
        assert!(triage("小区东门消防通道又被快递车堵了").call.is_empty());
    }

    #[test]
    fn triage_is_deterministic() {
        let text = "楼下着火了，有人被困，还有煤气味";
        assert_eq!(triage(text), triage(text));
        assert_eq!(emergency(text), ["119"]);
    }
}
