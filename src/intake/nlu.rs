//! Stand-in for the understanding module (replaced by the full `nlu` at merge): keyword scoring.

use std::sync::Arc;

use crate::{
    geo::categories::Keyword,
    intake::{places::PlaceHint, triage::Triage},
};

/// A category's words.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryWords {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Keywords.
    pub keywords: Vec<Keyword>,
}

/// The classifier's data.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    categories: Vec<CategoryWords>,
}

impl Lexicon {
    /// Builds from categories.
    pub fn new(categories: &[CategoryWords]) -> Self {
        Self { categories: categories.to_vec() }
    }

    /// Builds from stored rows.
    pub fn from_models(rows: &[entity::category::Model]) -> Self {
        let cats: Vec<CategoryWords> = rows
            .iter()
            .filter(|r| r.active)
            .map(|r| CategoryWords {
                code: r.code.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
                keywords: serde_json::from_str(&r.keywords).unwrap_or_default(),
            })
            .collect();
        Self::new(&cats)
    }
}

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CategoryScore {
    /// Code.
    pub code: String,
    /// Score.
    pub score: f32,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq)]
pub struct Understanding {
    /// Ranked candidates.
    pub categories: Vec<CategoryScore>,
    /// The top code when clear.
    pub confident: Option<String>,
    /// Urgency.
    pub triage: Triage,
    /// Place phrases.
    pub places: Vec<PlaceHint>,
}

/// Understands a message.
pub fn understand(lex: &Lexicon, text: &str) -> Understanding {
    let mut categories: Vec<CategoryScore> = lex
        .categories
        .iter()
        .map(|c| CategoryScore {
            code: c.code.clone(),
            score: c.keywords.iter().filter(|k| loosely_contains(text, &k.word)).map(|k| k.weight).sum(),
        })
        .filter(|c| c.score > 0.0)
        .collect();
    categories.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
    let confident = match categories.as_slice() {
        [one] => Some(one.code.clone()),
        [a, b, ..] if a.score >= b.score * 1.5 => Some(a.code.clone()),
        _ => None,
    };
    Understanding {
        categories,
        confident,
        triage: crate::intake::triage::triage(text),
        places: crate::intake::places::hints(text),
    }
}

/// Commands understood at any point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// 取消.
    Cancel,
    /// 重新开始.
    Restart,
    /// 返回.
    Back,
    /// 跳过.
    Skip,
    /// 帮助.
    Help,
    /// 人工.
    Agent,
}

/// A message that is a command.
pub fn command(text: &str) -> Option<Command> {
    let t: String =
        text.trim().trim_matches(|c: char| c.is_ascii_punctuation() || "。！!？?，,".contains(c)).to_lowercase();
    Some(match t.as_str() {
        "取消" | "算了" | "cancel" => Command::Cancel,
        "重新开始" | "restart" => Command::Restart,
        "返回" | "上一步" | "back" => Command::Back,
        "跳过" | "skip" => Command::Skip,
        "帮助" | "help" => Command::Help,
        "人工" | "转人工" | "agent" => Command::Agent,
        _ => return None,
    })
}

/// A ticket number in the text.
pub fn ticket_number(text: &str) -> Option<String> {
    let upper = text.to_uppercase();
    let start = upper.find("YH")?;
    let digits: String =
        upper.get(start + 2..)?.chars().filter(|c| *c != '-').take_while(char::is_ascii_digit).collect();
    (digits.len() >= 12).then(|| format!("YH{digits}"))
}

/// Yes or no.
pub fn yes_no(text: &str) -> Option<bool> {
    let t = text.trim().to_lowercase();
    if ["不是", "不对", "no", "否", "不"].iter().any(|w| t.starts_with(w)) {
        return Some(false);
    }
    if ["是", "对", "好", "确认", "yes", "ok", "嗯"].iter().any(|w| t.starts_with(w)) {
        return Some(true);
    }
    None
}

/// Shared handle.
pub type SharedLexicon = Arc<Lexicon>;

/// The word, or its first and last two characters apart (电动…充电).
fn loosely_contains(text: &str, word: &str) -> bool {
    if text.contains(word) {
        return true;
    }
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return false;
    }
    let head: String = chars.iter().take(2).collect();
    let tail: String = chars.iter().skip(chars.len() - 2).collect();
    match text.find(&head) {
        Some(i) => text.get(i..).is_some_and(|rest| rest.contains(&tail)),
        None => false,
    }
}
