//! Wire types of comments, co-handling, ratings and response templates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::tickets::status::TicketStatus;

/// Who may read a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentVisibility {
    /// The reporter, followers and staff (a reply to the public).
    Public,
    /// Staff only (a note between those handling it).
    Internal,
}

impl CommentVisibility {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentVisibility::Public => "public",
            CommentVisibility::Internal => "internal",
        }
    }
}

/// `POST /api/v1/tickets/{id}/comments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommentRequest {
    /// The text, 1–2000 characters after trimming.
    pub body: String,
    /// `public` (default) or, for staff, `internal`.
    pub visibility: Option<CommentVisibility>,
    /// The response template the text was written from (staff).
    pub template_id: Option<Uuid>,
}

/// A comment on a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    /// Comment id (ordered by time).
    pub id: Uuid,
    /// Who wrote it: shown to staff handling the ticket (unless it is an anonymous reporter they may
    /// not know) and to the author; null otherwise.
    pub author_id: Option<Uuid>,
    /// In which capacity: `reporter`, `follower`, `grid_worker`, `dept_staff`, `dispatcher` or `admin`.
    pub author_role: String,
    /// `public` or `internal`.
    pub visibility: CommentVisibility,
    /// The text.
    pub body: String,
    /// The template it was written from (staff only).
    pub template_id: Option<Uuid>,
    /// Written at.
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/tickets/{id}/co-departments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCoDepartmentRequest {
    /// The department to co-handle (协办) the ticket.
    pub department_id: Uuid,
}

/// `POST /api/v1/tickets/{id}/rating`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTicketRequest {
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    /// What the reporter thinks of the handling, at most 500 characters.
    pub comment: Option<String>,
}

/// `POST /api/v1/admin/response-templates`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResponseTemplateRequest {
    /// Category code it applies to; null or absent for any.
    pub category: Option<String>,
    /// Status it applies to; null or absent for any.
    pub status: Option<TicketStatus>,
    /// Short title for the picker, 1–100 characters.
    pub title: String,
    /// Text with `{number}`, `{category}`, `{status}`, `{deadline}` and `{department}`, 1–2000 characters.
    pub body: String,
    /// Offered to staff (default true).
    pub active: Option<bool>,
}

/// `PATCH /api/v1/admin/response-templates/{id}`: absent fields stay; `null` category or status means any.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResponseTemplateRequest {
    /// Category code; `null` for any.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    /// Status; `null` for any.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<TicketStatus>)]
    pub status: Option<Option<TicketStatus>>,
    /// Title.
    pub title: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Offered to staff.
    pub active: Option<bool>,
}

/// A field that is present (maybe `null`) as `Some(..)`; absent ones default to `None`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A response template as admins manage it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseTemplateView {
    /// Template id.
    pub id: Uuid,
    /// Category code; null for any.
    pub category: Option<String>,
    /// Status; null for any.
    pub status: Option<TicketStatus>,
    /// Title.
    pub title: String,
    /// Text with placeholders.
    pub body: String,
    /// Offered to staff.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// A template offered for one ticket, its placeholders filled in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyTemplateView {
    /// Template id (send it as `template_id` with the comment).
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// The text for this ticket.
    pub body: String,
}

/// Path of a response template.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TemplatePath {
    /// Template id.
    pub id: Uuid,
}
