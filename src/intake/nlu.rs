//! Understanding a message: category scores from keyword lists, triage, place phrases, and the
//! small answers a conversation needs (commands, ticket numbers, yes/no).
//!
//! Categories are scored by keywords: the categories' own lists (in the database, editable by
//! admins) plus the built-in vocabulary of `lexicon.rs`, each word with a weight (2 distinctive,
//! 1 ordinary, 0.5 generic). The message is segmented with jieba (the keywords added to its
//! dictionary) so that short keywords count only on word boundaries: 矿 does not match 矿泉水.
//! Longer keywords match anywhere, four-character ones also with one wrong character (消访通道),
//! and a match inside a longer match (电动车 inside 电动车充电) is dropped. Deterministic: no hash
//! map order reaches the result.

use entity::category;
use jieba_rs::Jieba;

use super::{
    lexicon::{builtin, CONTEXT_RULES},
    places::{self, PlaceHint},
    text::{ascii_word_ends, ascii_word_starts, find_all, is_cjk, is_clause_break, normalize},
    triage::{self, Triage},
};
use crate::{geo::categories::Keyword, tickets::number::TicketNumber};

/// A category with the words that point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryWords {
    /// Category code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Keywords with weights (the database's list).
    pub keywords: Vec<Keyword>,
}

#[derive(Debug, Clone, PartialEq)]
struct Term {
    word: Vec<char>,
    category: usize,
    weight: f32,
    ascii: bool,
}

/// The classifier's vocabulary: the segmenter with every keyword added as a word, and weighted
/// keywords per category. Building one takes a while (the segmenter's dictionary); build it once
/// per version of the categories.
pub struct Lexicon {
    jieba: Jieba,
    categories: Vec<CategoryWords>,
    terms: Vec<Term>,
    rules: Vec<Rule>,
}

/// A context rule in force for this set of categories (see `lexicon::CONTEXT_RULES`).
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    to: usize,
    from: usize,
    context: Vec<Vec<char>>,
    moved: Vec<Vec<char>>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("categories", &self.categories.len()).field("terms", &self.terms.len()).finish()
    }
}

/// Weight of a match with one wrong character.
const TYPO_FACTOR: f32 = 0.7;
/// Weight of a two-character keyword that is only the start or end of a segmented word.
const PARTIAL_FACTOR: f32 = 0.8;

impl Lexicon {
    /// Builds the vocabulary for these categories: their keywords, and the built-in words of the
    /// same codes, whose weight multiplies the category's own weight of a word in both lists.
    /// Weights that are not finite or not positive are ignored; none exceeds 10.
    pub fn new(categories: &[CategoryWords]) -> Self {
        let mut jieba = Jieba::new();
        let mut terms: Vec<Term> = Vec::new();
        for (index, cat) in categories.iter().enumerate() {
            let mut words: Vec<(String, f32)> = Vec::new();
            let own = cat.keywords.iter().map(|k| (k.word.clone(), k.weight));
            let name = (cat.name_zh.chars().count() >= 3).then(|| (cat.name_zh.clone(), 1.0));
            for (word, weight) in own.chain(name) {
                let word = normalize(word.trim());
                if !word.is_empty() && weight.is_finite() && weight > 0.0 && !words.iter().any(|(w, _)| *w == word) {
                    words.push((word, weight));
                }
            }
            // The developer's weighting scales the admins' weight of a word both lists know
            // (学校 1 × 0.5: generic near a school); words only built in keep their own weight.
            for (word, factor) in builtin(&cat.code) {
                let word = normalize(word);
                match words.iter_mut().find(|(w, _)| *w == word) {
                    Some((_, weight)) => *weight *= factor,
                    None => words.push((word, factor)),
                }
            }
            for (word, weight) in words {
                let weight = weight.min(10.0);
                let chars: Vec<char> = word.chars().collect();
                let ascii = chars.first().is_some_and(char::is_ascii_alphanumeric);
                if !ascii && chars.len() >= 2 {
                    jieba.add_word(&word, None, None);
                }
                terms.push(Term { word: chars, category: index, weight, ascii });
            }
        }
        let index = |code: &str| categories.iter().position(|c| c.code == code);
        let chars = |words: &[&str]| words.iter().map(|w| normalize(w).chars().collect()).collect();
        let rules = CONTEXT_RULES
            .iter()
            .filter_map(|(to, from, context, moved)| {
                Some(Rule { to: index(to)?, from: index(from)?, context: chars(context), moved: chars(moved) })
            })
            .collect();
        Self { jieba, categories: categories.to_vec(), terms, rules }
    }

    /// Builds the vocabulary from category rows: active ones only, ordered by `sort_order` then
    /// code; a `keywords` column that is not a JSON list of `{word, weight}` counts as empty.
    pub fn from_models(rows: &[category::Model]) -> Self {
        let mut active: Vec<&category::Model> = rows.iter().filter(|r| r.active).collect();
        active.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
        let words: Vec<CategoryWords> = active
            .into_iter()
            .map(|r| CategoryWords {
                code: r.code.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
                keywords: serde_json::from_str(&r.keywords).unwrap_or_default(),
            })
            .collect();
        Self::new(&words)
    }

    /// The vocabulary of the canonical categories as seeded (no database needed).
    pub fn from_seeds() -> Self {
        let words: Vec<CategoryWords> = crate::geo::categories::SEEDS
            .iter()
            .map(|s| CategoryWords {
                code: s.code.to_owned(),
                name_zh: s.zh.to_owned(),
                name_en: s.en.to_owned(),
                keywords: crate::geo::categories::seed_keywords(s.keywords),
            })
            .collect();
        Self::new(&words)
    }

    /// The categories known, in the order given.
    pub fn categories(&self) -> &[CategoryWords] {
        &self.categories
    }

    /// A category by code.
    pub fn category(&self, code: &str) -> Option<&CategoryWords> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// Segments `norm` (already normalised) and returns, for each char position, whether a word
    /// boundary falls there (length `chars + 1`).
    fn boundaries(&self, norm: &str, len: usize) -> Vec<bool> {
        let mut at = vec![false; len + 1];
        if let Some(first) = at.first_mut() {
            *first = true;
        }
        for token in self.jieba.cut(norm, false) {
            if let Some(b) = at.get_mut(token.start) {
                *b = true;
            }
            if let Some(b) = at.get_mut(token.end) {
                *b = true;
            }
        }
        at
    }

    /// Category scores for `text`, best first (ties by code), only scores above zero.
    pub fn score(&self, text: &str) -> Vec<CategoryScore> {
        let norm = normalize(text);
        let chars: Vec<char> = norm.chars().collect();
        let bounds = self.boundaries(&norm, chars.len());
        let is_bound = |i: usize| bounds.get(i).copied().unwrap_or(false);
        // (term, start, end, factor)
        let mut matches: Vec<(usize, usize, usize, f32)> = Vec::new();
        for (t, term) in self.terms.iter().enumerate() {
            let n = term.word.len();
            let mut found = false;
            for start in find_all(&chars, &term.word) {
                let end = start + n;
                let factor = if term.ascii {
                    let ends = ascii_word_ends(&chars, end)
                        || plural_end(&chars, end)
                        || !term.word.last().is_some_and(char::is_ascii_alphanumeric);
                    (ascii_word_starts(&chars, start) && ends).then_some(1.0)
                } else if n >= 3 {
                    Some(1.0)
                } else {
                    match (is_bound(start), is_bound(end)) {
                        (true, true) => Some(1.0),
                        (true, false) | (false, true) if n == 2 => Some(PARTIAL_FACTOR),
                        _ => None,
                    }
                };
                if let Some(f) = factor {
                    matches.push((t, start, end, f));
                    found = true;
                }
            }
            // One wrong character: anywhere in a long keyword, in the middle of a distinctive
            // three-character one (红路灯, 消放栓).
            if !found && !term.ascii && (n >= 4 || (n == 3 && term.weight >= 2.0)) {
                // A short one must also be a whole segmented stretch (not 天天气 for 天然气).
                let aligned = |s: usize| n >= 4 || (is_bound(s) && is_bound(s + n));
                if let Some(start) = one_typo(&chars, &term.word, n == 3).filter(|s| aligned(*s)) {
                    matches.push((t, start, start + n, TYPO_FACTOR));
                }
            }
        }
        let spans: Vec<(usize, usize)> = matches.iter().map(|m| (m.1, m.2)).collect();
        matches.retain(|&(_, s, e, _)| !spans.iter().any(|&(os, oe)| os <= s && e <= oe && oe - os > e - s));
        // Each term counts once, at its best occurrence.
        let mut best: Vec<f32> = vec![0.0; self.terms.len()];
        for (t, _, _, f) in matches {
            if let Some(b) = best.get_mut(t) {
                *b = b.max(f);
            }
        }
        let rules: Vec<&Rule> = self.rules.iter().filter(|r| r.context.iter().any(|w| mentions(&chars, w))).collect();
        let mut totals = vec![0.0f32; self.categories.len()];
        for (term, factor) in self.terms.iter().zip(best) {
            if factor > 0.0 {
                let moved = rules.iter().find(|r| r.from == term.category && r.moved.contains(&term.word));
                if let Some(total) = totals.get_mut(moved.map_or(term.category, |r| r.to)) {
                    *total += term.weight * factor * length_factor(term);
                }
            }
        }
        let mut out: Vec<CategoryScore> = self
            .categories
            .iter()
            .zip(totals)
            .filter(|(_, s)| *s > 0.0)
            .map(|(c, s)| CategoryScore { code: c.code.clone(), score: (s * 100.0).round() / 100.0 })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
        out
    }
}

/// Longer keywords say more: +10 % per character beyond two (up to +40 %), +20 % per extra
/// English word.
fn length_factor(term: &Term) -> f32 {
    if term.ascii {
        let words = term.word.iter().filter(|c| **c == ' ').count();
        1.0 + 0.2 * words.min(3) as f32
    } else {
        1.0 + 0.1 * term.word.len().saturating_sub(2).min(4) as f32
    }
}

/// An English plural or third-person `s`/`es` right at `end`, then a word end.
fn plural_end(chars: &[char], end: usize) -> bool {
    (chars.get(end) == Some(&'s') && ascii_word_ends(chars, end + 1))
        || (chars.get(end) == Some(&'e') && chars.get(end + 1) == Some(&'s') && ascii_word_ends(chars, end + 2))
}

/// The first window of `chars` that differs from `word` in exactly one CJK character (in the
/// middle only, when `middle`).
fn one_typo(chars: &[char], word: &[char], middle: bool) -> Option<usize> {
    if word.len() > chars.len() {
        return None;
    }
    chars.windows(word.len()).position(|w| {
        let mut diff = w.iter().zip(word).enumerate().filter(|(_, (a, b))| a != b);
        let first = diff.next();
        let in_place = first.is_some_and(|(i, (a, _))| is_cjk(*a) && (!middle || (i > 0 && i + 1 < word.len())));
        in_place && diff.next().is_none()
    })
}

/// Whether `word` occurs in `chars` (on word boundaries when it is English).
fn mentions(chars: &[char], word: &[char]) -> bool {
    let ascii = word.first().is_some_and(char::is_ascii_alphanumeric);
    find_all(chars, word).into_iter().any(|at| {
        !ascii
            || (ascii_word_starts(chars, at)
                && (ascii_word_ends(chars, at + word.len()) || plural_end(chars, at + word.len())))
    })
}

/// A category with its score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CategoryScore {
    /// Category code.
    pub code: String,
    /// Sum of the weights of the keywords found (higher is more likely).
    pub score: f32,
}

/// What a message says, as far as the intake can tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Understanding {
    /// Ranked category candidates, best first, ties by code; only scores above zero.
    pub categories: Vec<CategoryScore>,
    /// The top code when it is clear enough not to ask.
    pub confident: Option<String>,
    /// Urgency, its cues and whom to call.
    pub triage: Triage,
    /// Place phrases found in the text, in text order.
    pub places: Vec<PlaceHint>,
}

/// A top score at least this high …
const CONFIDENT_MIN: f32 = 1.5;
/// … and this many times the runner-up's is clear enough not to ask.
const CONFIDENT_RATIO: f32 = 1.5;

/// Understands one message: categories, triage, place phrases.
pub fn understand(lex: &Lexicon, text: &str) -> Understanding {
    let categories = lex.score(text);
    let confident = match (categories.first(), categories.get(1)) {
        (Some(top), second)
            if top.score >= CONFIDENT_MIN && second.is_none_or(|s| top.score >= CONFIDENT_RATIO * s.score) =>
        {
            Some(top.code.clone())
        }
        _ => None,
    };
    Understanding { categories, confident, triage: triage::triage(text), places: places::hints(text) }
}

/// A conversation command, understood at any point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// 取消, 算了: stop this report.
    Cancel,
    /// 重新开始: start this report again.
    Restart,
    /// 返回, 上一步: go back one question.
    Back,
    /// 跳过: skip this question.
    Skip,
    /// 帮助: explain.
    Help,
    /// 人工, 转人工: hand over to a person.
    Agent,
}

#[rustfmt::skip]
const COMMANDS: &[(Command, &[&str])] = &[
    (Command::Cancel, &["取消", "算了", "不报了", "不用了", "退出", "cancel", "quit", "exit"]),
    (Command::Restart, &["重新开始", "重来", "重新来", "从头开始", "重新报", "restart", "startover", "reset"]),
    (Command::Back, &["返回", "上一步", "回上一步", "退回", "back", "goback", "previous"]),
    (Command::Skip, &["跳过", "略过", "skip", "next"]),
    (Command::Help, &["帮助", "怎么用", "使用说明", "help", "?"]),
    (Command::Agent, &["人工", "转人工", "人工客服", "找人工", "客服", "真人", "agent", "human", "operator"]),
];

/// The message with case, width, whitespace and punctuation removed (`?` kept when alone).
fn compact(text: &str) -> String {
    let norm = normalize(text.trim());
    let kept: String = norm
        .chars()
        .filter(|c| !c.is_whitespace() && !is_clause_break(*c) && !"/\"'“”‘’()（）[]【】-_·".contains(*c))
        .collect();
    if kept.is_empty() && norm.chars().any(|c| c == '?') {
        "?".to_owned()
    } else {
        kept
    }
}

/// The command this message is, if it is one (the whole message, not a word inside a report).
pub fn command(text: &str) -> Option<Command> {
    let c = compact(text);
    // "help!" is a cry for help (triage), not a request for the manual.
    if c == "help" && text.contains(['!', '！']) {
        return None;
    }
    COMMANDS.iter().find(|(_, words)| words.contains(&c.as_str())).map(|(cmd, _)| *cmd)
}

/// The first ticket number in `text` (e.g. `yh20261123-0042` → `YH202611230042`).
pub fn ticket_number(text: &str) -> Option<String> {
    let chars: Vec<char> = normalize(text).chars().collect();
    for (i, pair) in chars.windows(2).enumerate() {
        if pair != ['y', 'h'] || !ascii_word_starts(&chars, i) {
            continue;
        }
        let tail: String = chars
            .get(i + 2..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == '-' || **c == ' ')
            .collect();
        let candidate = format!("YH{}", tail.trim_end_matches([' ', '-']));
        if let Ok(n) = TicketNumber::parse(&candidate) {
            return Some(n.as_str().to_owned());
        }
    }
    None
}

#[rustfmt::skip]
const YES: &[&str] = &[
    "是", "是的", "对", "对的", "对啊", "好", "好的", "嗯", "嗯嗯", "确认", "确定", "没错", "可以", "行", "提交", "要",
    "ok", "okay", "yes", "y", "yep", "yeah", "sure", "confirm", "👍",
];
#[rustfmt::skip]
const NO: &[&str] = &["不", "不是", "不对", "不要", "否", "错了", "不行", "不用", "no", "n", "nope", "wrong"];

/// Whether the message is a yes (是, 对, 好的, 确认, ok) or a no (不是, 不对, no); `None` otherwise.
pub fn yes_no(text: &str) -> Option<bool> {
    let whole = compact(text);
    let first = compact(normalize(text.trim()).split(is_clause_break).find(|s| !s.trim().is_empty()).unwrap_or(""));
    for candidate in [whole, first] {
        if YES.contains(&candidate.as_str()) {
            return Some(true);
        }
        if NO.contains(&candidate.as_str()) {
            return Some(false);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;
    use crate::tickets::status::Urgency;

    static LEX: LazyLock<Lexicon> = LazyLock::new(Lexicon::from_seeds);

    fn top(text: &str) -> Option<String> {
        LEX.score(text).first().map(|c| c.code.clone())
    }

    #[test]
    fn reports_rank_their_category_first() {
        assert_eq!(top("3号楼楼道里停了七八辆电动车在充电").as_deref(), Some("fire"));
        assert_eq!(top("人民路公交站旁边的井盖没了").as_deref(), Some("road_facility"));
        assert_eq!(top("电梯关人了").as_deref(), Some("special_equipment"));
        assert_eq!(top("lift broken again").as_deref(), Some("special_equipment"));
        assert_eq!(top("今天天气不错"), None);
    }

    #[test]
    fn short_keywords_count_only_as_words() {
        // 矿 (mine) inside 矿泉水 does not count.
        let scores = LEX.score("路边小卖部在卖散装汽油，用矿泉水瓶装的");
        assert!(scores.iter().all(|c| c.code != "mine"), "{scores:?}");
        assert_eq!(scores[0].code, "hazchem");
    }

    #[test]
    fn a_typo_in_a_long_keyword_still_counts() {
        assert_eq!(top("小区消访通道又被堵死了").as_deref(), Some("fire"));
        assert_eq!(top("红路灯坏了").as_deref(), Some("traffic"));
    }

    #[test]
    fn a_match_inside_a_longer_one_is_dropped() {
        // "gas station" is a filling station (hazchem), not town gas.
        let scores = LEX.score("someone is selling fuel at the gas station");
        assert_eq!(scores[0].code, "hazchem");
        assert!(scores.iter().all(|c| c.code != "gas"), "{scores:?}");
    }

    #[test]
    fn admins_words_and_inactive_categories_are_respected() {
        let cats = vec![
            CategoryWords {
                code: "fire".into(),
                name_zh: "消防安全".into(),
                name_en: "Fire".into(),
                keywords: vec![Keyword { word: "红灯笼".into(), weight: 3.0 }],
            },
            CategoryWords { code: "pets".into(), name_zh: "宠物".into(), name_en: "Pets".into(), keywords: vec![] },
        ];
        let lex = Lexicon::new(&cats);
        assert_eq!(lex.score("门口挂的红灯笼"), vec![CategoryScore { code: "fire".into(), score: 3.3 }]);
        assert!(lex.score("井盖没了").is_empty(), "road_facility is not in this lexicon");
        let mut row = entity::category::Model {
            code: "gas".into(),
            name_zh: "城镇燃气".into(),
            name_en: "Gas".into(),
            parent_code: None,
            keywords: "not json".into(),
            default_urgency: "urgent".into(),
            usual_department_kind: "gas_authority".into(),
            accept_hours: 2,
            verify_hours: 4,
            rectify_days_general: 3,
            rectify_days_major: 30,
            sort_order: 1,
            active: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(Lexicon::from_models(std::slice::from_ref(&row)).score("煤气罐")[0].code, "gas");
        row.active = false;
        assert!(Lexicon::from_models(&[row]).categories().is_empty());
    }

    #[test]
    fn understanding_is_confident_only_when_clear_and_is_deterministic() {
        let u = understand(&LEX, "幸福小区3栋2单元楼道停了五六辆电动车，有人拉了根线下来充电");
        assert_eq!(u.confident.as_deref(), Some("fire"));
        assert_eq!(u.triage.urgency, Urgency::Normal);
        let texts: Vec<&str> = u.places.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["幸福小区", "3栋", "2单元", "楼道"]);
        assert_eq!(understand(&LEX, "楼下有个坑"), understand(&LEX, "楼下有个坑"));
        assert_eq!(understand(&LEX, "楼下有个坑").confident, None);
        let ranked = LEX.score("学校门口的红绿灯坏了");
        let mut sorted = ranked.clone();
        sorted.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
        assert_eq!(ranked, sorted);
    }

    #[test]
    fn commands_are_understood_in_chinese_and_english() {
        for (text, cmd) in [
            ("取消", Command::Cancel),
            ("算了。", Command::Cancel),
            (" Cancel ", Command::Cancel),
            ("重新开始", Command::Restart),
            ("restart!", Command::Restart),
            ("start over", Command::Restart),
            ("返回", Command::Back),
            ("上一步", Command::Back),
            ("BACK", Command::Back),
            ("跳过", Command::Skip),
            ("skip", Command::Skip),
            ("帮助", Command::Help),
            ("help", Command::Help),
            ("？", Command::Help),
            ("人工", Command::Agent),
            ("转人工！", Command::Agent),
            ("agent", Command::Agent),
        ] {
            assert_eq!(command(text), Some(cmd), "{text}");
        }
        assert_eq!(command("取消我上次的举报，那个井盖修好了"), None);
        assert_eq!(command("楼道着火了"), None);
        assert_eq!(command("HELP!!"), None, "a cry for help is triaged, not answered with the manual");
        assert_eq!(command(""), None);
    }

    #[test]
    fn ticket_numbers_are_found_in_any_case_and_shape() {
        assert_eq!(ticket_number("我的单号是YH20261123-0042，修了没").as_deref(), Some("YH202611230042"));
        assert_eq!(ticket_number("yh202611230007").as_deref(), Some("YH202611230007"));
        assert_eq!(ticket_number("ＹＨ２０２６１１２３００４２").as_deref(), Some("YH202611230042"));
        assert_eq!(ticket_number("YH 20261123 0042 ok").as_deref(), Some("YH202611230042"));
        assert_eq!(ticket_number("YH20261332-0042"), None, "no 32nd of the 13th month");
        assert_eq!(ticket_number("WHY20261123-0042"), None);
        assert_eq!(ticket_number("没有单号"), None);
    }

    #[test]
    fn yes_and_no_in_both_languages() {
        for yes in ["是", "是的", "对", "好的", "确认", "OK", "yes", "Yes!", "嗯嗯", "是的，没错"] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["不是", "不对", "no", "No.", "不要"] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        assert_eq!(yes_no("在幸福小区"), None);
        assert_eq!(yes_no(""), None);
    }
}
