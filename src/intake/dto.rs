//! Wire types of the understanding endpoint.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{places::PlaceHint, triage::Cue};
use crate::{
    geo::{dto::PointView, region::RegionLevel},
    tickets::status::Urgency,
};

/// A message to understand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnderstandRequest {
    /// The message, 1 to `tickets.max_description_chars` characters after trimming.
    pub text: String,
}

/// One category candidate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryCandidateView {
    /// Category code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Keyword score (higher is more likely; not a probability).
    pub score: f32,
}

/// A region a place in the message may mean.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceMatchView {
    /// Region id.
    pub region_id: Uuid,
    /// Name, e.g. 幸福社区.
    pub name: String,
    /// Name with its ancestors, e.g. 幸福社区 · 湖滨街道 · 东湖区.
    pub label: String,
    /// Level.
    pub level: RegionLevel,
    /// 1 for the exact name, 0.9 for the name with another place word (幸福小区), 0.75 for the
    /// bare name, 0.6 with one wrong character.
    pub score: f32,
    /// A point inside the region (GCJ-02), for a report that only names the place.
    pub center: PointView,
}

/// What the intake understands of a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnderstandingView {
    /// Category candidates, best first (ties by code).
    pub categories: Vec<CategoryCandidateView>,
    /// The top code when it is clear enough not to ask.
    pub confident: Option<String>,
    /// emergency, urgent or normal.
    pub urgency: Urgency,
    /// The phrases that set the urgency.
    pub cues: Vec<Cue>,
    /// Numbers to call first, most relevant first (emergencies only), e.g. `["119"]`.
    pub call: Vec<String>,
    /// Place phrases found in the message.
    pub places: Vec<PlaceHint>,
    /// Regions the message names, best first (at most 5).
    pub matches: Vec<PlaceMatchView>,
}
