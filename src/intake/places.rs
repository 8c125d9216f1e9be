//! Stand-in for place hints and the gazetteer (replaced by the full `places` at merge).

use uuid::Uuid;

use crate::geo::{point::GeoPoint, region::RegionLevel};

/// What kind of place phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceHintKind {
    /// A named place.
    Named,
    /// A building.
    Building,
    /// A spot.
    Spot,
}

/// A place phrase found in text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceHint {
    /// The words.
    pub text: String,
    /// The kind.
    pub kind: PlaceHintKind,
}

/// Place phrases in a text.
pub fn hints(text: &str) -> Vec<PlaceHint> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '栋' | '幢') {
            let digits: String =
                chars.get(..i).unwrap_or_default().iter().rev().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                out.push(PlaceHint {
                    text: format!("{}{c}", digits.chars().rev().collect::<String>()),
                    kind: PlaceHintKind::Building,
                });
            }
        }
    }
    for suffix in ["小区", "社区", "村"] {
        if let Some(end) = text.find(suffix) {
            let before: String = text
                .get(..end)
                .unwrap_or_default()
                .chars()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !before.is_empty() {
                out.push(PlaceHint { text: format!("{before}{suffix}"), kind: PlaceHintKind::Named });
            }
        }
    }
    out
}

/// One named region.
#[derive(Debug, Clone, PartialEq)]
pub struct GazetteerEntry {
    /// Region.
    pub region_id: Uuid,
    /// Level.
    pub level: RegionLevel,
    /// Name.
    pub name: String,
    /// Full label.
    pub label: String,
    /// A point inside (GCJ-02).
    pub center: GeoPoint,
}

/// A match.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceMatch {
    /// Region.
    pub region_id: Uuid,
    /// Level.
    pub level: RegionLevel,
    /// Name.
    pub name: String,
    /// Full label.
    pub label: String,
    /// A point inside (GCJ-02).
    pub center: GeoPoint,
    /// Score.
    pub score: f32,
}

/// Region names.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    entries: Vec<GazetteerEntry>,
}

impl Gazetteer {
    /// Builds from entries.
    pub fn new(entries: Vec<GazetteerEntry>) -> Self {
        Self { entries }
    }

    /// Best matches for the text.
    pub fn lookup(&self, text: &str, limit: usize) -> Vec<PlaceMatch> {
        let mut out: Vec<PlaceMatch> = self
            .entries
            .iter()
            .filter_map(|e| {
                let stem = e.name.trim_end_matches("社区").trim_end_matches("街道").trim_end_matches('村');
                (stem.chars().count() >= 2 && text.contains(stem)).then(|| PlaceMatch {
                    region_id: e.region_id,
                    level: e.level,
                    name: e.name.clone(),
                    label: e.label.clone(),
                    center: e.center,
                    score: 1.0,
                })
            })
            .collect();
        out.truncate(limit);
        out
    }
}
