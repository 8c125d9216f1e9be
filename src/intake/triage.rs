//! Stand-in for emergency triage (replaced by the full `triage` at merge).

use crate::tickets::status::Urgency;

/// Whom to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// 119.
    Fire,
    /// 110.
    Police,
    /// 120.
    Ambulance,
}

impl Service {
    /// The number.
    pub fn number(self) -> &'static str {
        match self {
            Service::Fire => "119",
            Service::Police => "110",
            Service::Ambulance => "120",
        }
    }
}

/// A cue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Cue {
    /// Word.
    pub word: String,
    /// Kind.
    pub kind: String,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// Urgency.
    pub urgency: Urgency,
    /// Cues.
    pub cues: Vec<Cue>,
    /// Whom to call.
    pub call: Vec<Service>,
}

/// Triage a message.
pub fn triage(text: &str) -> Triage {
    const CUES: &[(&str, &str, Service)] = &[
        ("着火", "fire", Service::Fire),
        ("起火", "fire", Service::Fire),
        ("冒烟", "smoke", Service::Fire),
        ("煤气味", "gas_leak", Service::Fire),
        ("被困", "trapped", Service::Fire),
        ("关人", "trapped", Service::Fire),
        ("打架", "fight", Service::Police),
        ("smoke", "smoke", Service::Fire),
        ("fire", "fire", Service::Fire),
    ];
    let lower = text.to_lowercase();
    let mut cues = Vec::new();
    let mut call = Vec::new();
    for (word, kind, service) in CUES {
        if lower.contains(word) {
            cues.push(Cue { word: (*word).to_owned(), kind: (*kind).to_owned() });
            if !call.contains(service) {
                call.push(*service);
            }
        }
    }
    let urgency = if cues.is_empty() { Urgency::Normal } else { Urgency::Emergency };
    Triage { urgency, cues, call }
}
