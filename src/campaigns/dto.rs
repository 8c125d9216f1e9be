//! Wire types of campaigns (专项整治).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /api/v1/campaigns`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    /// Name, e.g. 燃气安全专项整治 (1–100 characters).
    pub name: String,
    /// What the campaign is about (at most 2,000 characters).
    #[serde(default)]
    pub description: String,
    /// Start of the window: tickets reported from here on are tagged.
    pub starts_at: DateTime<Utc>,
    /// End of the window (exclusive); after `starts_at`.
    pub ends_at: DateTime<Utc>,
    /// Category codes it focuses on (at least one).
    pub categories: Vec<String>,
    /// Regions it targets, each with everything below it (at least one).
    pub regions: Vec<Uuid>,
}

/// `PATCH /api/v1/campaigns/{id}`: only the fields given change; the campaign's tickets are
/// tagged again for the new definition.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCampaignRequest {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New start.
    pub starts_at: Option<DateTime<Utc>>,
    /// New end.
    pub ends_at: Option<DateTime<Utc>>,
    /// New categories (replacing the old).
    pub categories: Option<Vec<String>>,
    /// New regions (replacing the old).
    pub regions: Option<Vec<Uuid>>,
}

/// A campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Start of the window.
    pub starts_at: DateTime<Utc>,
    /// End of the window (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Whether the window holds the present moment.
    pub active: bool,
    /// Category codes.
    pub categories: Vec<String>,
    /// Region ids.
    pub regions: Vec<Uuid>,
    /// Tickets tagged with it (in every scope).
    pub ticket_count: i64,
    /// Who created it.
    pub created_by: Uuid,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// An active campaign as the intake bot mentions it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignSummary {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// End of the window.
    pub ends_at: DateTime<Utc>,
    /// Category codes.
    pub categories: Vec<String>,
}

/// Path of one campaign.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CampaignPath {
    /// Campaign id.
    pub id: Uuid,
}
