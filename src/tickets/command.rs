//! Commands on an existing ticket, parsed at the edge into types that cannot hold a blank reason or an
//! empty evidence list; `workflow::apply` then only decides whether the move is allowed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::status::{Action, HazardLevel, RejectionReason};

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest note or plan, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Most photos on one move (a WeChat upload holds nine).
pub const MAX_MEDIA: usize = 9;

/// Why a command's payload could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Required text is empty or only whitespace.
    #[error("{field} must not be blank")]
    Blank {
        /// The field.
        field: &'static str,
    },
    /// Text is longer than allowed.
    #[error("{field} must be at most {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit in characters.
        max: usize,
    },
    /// At least one photo is required.
    #[error("at least one photo is required")]
    NoEvidence,
    /// More photos than allowed.
    #[error("at most {max} photos are allowed")]
    TooManyMedia {
        /// The limit.
        max: usize,
    },
}

impl InputError {
    /// Stable snake_case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Blank { .. } => "blank",
            InputError::TooLong { .. } => "too_long",
            InputError::NoEvidence => "evidence_required",
            InputError::TooManyMedia { .. } => "too_many_media",
        }
    }
}

fn parse_text(field: &'static str, raw: &str, max: usize) -> Result<String, InputError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InputError::Blank { field });
    }
    if text.chars().count() > max {
        return Err(InputError::TooLong { field, max });
    }
    Ok(text.to_owned())
}

/// A required, non-blank reason of at most [`MAX_REASON_CHARS`] characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    /// Parses a reason.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        parse_text("reason", raw, MAX_REASON_CHARS).map(Reason)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = InputError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Reason::parse(&raw)
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> Self {
        reason.0
    }
}

/// A non-blank free-text note or plan of at most [`MAX_NOTE_CHARS`] characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    /// Parses a required note.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        parse_text("note", raw, MAX_NOTE_CHARS).map(Note)
    }

    /// Parses an optional note: absent or blank text gives `None`.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, InputError> {
        match raw {
            Some(text) if !text.trim().is_empty() => Note::parse(text).map(Some),
            _ => Ok(None),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = InputError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Note::parse(&raw)
    }
}

impl From<Note> for String {
    fn from(note: Note) -> Self {
        note.0
    }
}

fn dedupe(ids: Vec<Uuid>) -> Result<Vec<Uuid>, InputError> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    if unique.len() > MAX_MEDIA {
        return Err(InputError::TooManyMedia { max: MAX_MEDIA });
    }
    Ok(unique)
}

/// One to [`MAX_MEDIA`] distinct photo (media) ids proving a step; duplicates are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Uuid>", into = "Vec<Uuid>")]
pub struct Evidence(Vec<Uuid>);

impl Evidence {
    /// Parses evidence photos.
    pub fn parse(ids: Vec<Uuid>) -> Result<Self, InputError> {
        let unique = dedupe(ids)?;
        if unique.is_empty() {
            return Err(InputError::NoEvidence);
        }
        Ok(Evidence(unique))
    }

    /// The media ids, in the order given.
    pub fn ids(&self) -> &[Uuid] {
        &self.0
    }
}

impl TryFrom<Vec<Uuid>> for Evidence {
    type Error = InputError;
    fn try_from(ids: Vec<Uuid>) -> Result<Self, Self::Error> {
        Evidence::parse(ids)
    }
}

impl From<Evidence> for Vec<Uuid> {
    fn from(evidence: Evidence) -> Self {
        evidence.0
    }
}

/// Zero to [`MAX_MEDIA`] distinct optional photo ids; duplicates are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Uuid>", into = "Vec<Uuid>")]
pub struct Attachments(Vec<Uuid>);

impl Attachments {
    /// Parses optional photos.
    pub fn parse(ids: Vec<Uuid>) -> Result<Self, InputError> {
        dedupe(ids).map(Attachments)
    }

    /// The media ids, in the order given.
    pub fn ids(&self) -> &[Uuid] {
        &self.0
    }
}

impl TryFrom<Vec<Uuid>> for Attachments {
    type Error = InputError;
    fn try_from(ids: Vec<Uuid>) -> Result<Self, Self::Error> {
        Attachments::parse(ids)
    }
}

impl From<Attachments> for Vec<Uuid> {
    fn from(media: Attachments) -> Self {
        media.0
    }
}

/// What a department commits to when it accepts the rectification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    /// The measures (整改措施); for a major hazard the plan with the five in place (五落实).
    pub plan: Note,
    /// When the fix will be done; must lie in the future and within the level's limit.
    pub deadline: DateTime<Utc>,
    /// The level, required on the emergency fast path (no verification set it); otherwise absent or equal.
    pub level: Option<HazardLevel>,
}

/// Grounds on which a verifier rejects a report (the other rejection reasons have their own actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RejectGround {
    /// Not a safety hazard.
    NotAHazard,
    /// Cannot be checked.
    Invalid,
    /// The same hazard as another ticket.
    DuplicateOf {
        /// The ticket that is kept.
        ticket_id: Uuid,
    },
}

impl From<RejectGround> for RejectionReason {
    fn from(ground: RejectGround) -> Self {
        match ground {
            RejectGround::NotAHazard => RejectionReason::NotAHazard,
            RejectGround::Invalid => RejectionReason::Invalid,
            RejectGround::DuplicateOf { ticket_id } => RejectionReason::DuplicateOf { ticket_id },
        }
    }
}

/// A move on an existing ticket with its parsed payload (submission is `workflow::submit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// Assign an unrouted ticket.
    Assign {
        /// Responsible department.
        department_id: Uuid,
        /// Grid worker to verify on site.
        grid_worker_id: Uuid,
        /// Optional note.
        note: Option<Note>,
    },
    /// Grid worker: no rectification; department: the rectification plan.
    Accept {
        /// Required when a department accepts, absent when a grid worker accepts the check.
        rectification: Option<Rectification>,
    },
    /// Pass the check on to the next grid worker.
    Decline {
        /// Optional note.
        note: Option<Note>,
    },
    /// Confirm the hazard on site.
    Confirm {
        /// 一般隐患 or 重大隐患.
        level: HazardLevel,
        /// On-site photos.
        evidence: Evidence,
        /// Optional note.
        note: Option<Note>,
    },
    /// Fixed on the spot (当场整改).
    ResolveOnSpot {
        /// Photos of the fix.
        evidence: Evidence,
        /// Optional note.
        note: Option<Note>,
    },
    /// Not a hazard, invalid or duplicate.
    Reject {
        /// Why.
        ground: RejectGround,
        /// Optional note.
        note: Option<Note>,
    },
    /// Ask to pass the ticket to another department (转办).
    Transfer {
        /// Why it is not this department's.
        reason: Reason,
        /// Proposed department.
        to_department: Uuid,
    },
    /// Rectification done.
    Complete {
        /// Photos of the fix.
        evidence: Evidence,
        /// Optional note.
        note: Option<Note>,
    },
    /// The check passes (销号).
    Pass {
        /// Optional check photos.
        media: Attachments,
        /// Optional note.
        note: Option<Note>,
    },
    /// The check fails.
    Fail {
        /// What is still wrong.
        reason: Reason,
        /// Optional photos.
        media: Attachments,
    },
    /// The hazard is back, or the reporter disputes the close-out.
    Reopen {
        /// What was found.
        reason: Reason,
        /// Optional photos.
        media: Attachments,
    },
    /// The reporter withdraws the report.
    Withdraw {
        /// Optional note.
        note: Option<Note>,
    },
    /// Ask to cancel as recorded in error (申请销号).
    CancelAsError {
        /// Why the record is wrong.
        reason: Reason,
    },
    /// Ask for a later rectification deadline (延期申请).
    ExtendDeadline {
        /// The proposed deadline.
        until: DateTime<Utc>,
        /// Why.
        reason: Reason,
    },
    /// Approve the pending request.
    ApproveRequest {
        /// Optional note.
        note: Option<Note>,
    },
    /// Refuse the pending request.
    RefuseRequest {
        /// Why.
        reason: Reason,
    },
}

impl Command {
    /// The action this command performs.
    pub fn action(&self) -> Action {
        match self {
            Command::Assign { .. } => Action::Assign,
            Command::Accept { .. } => Action::Accept,
            Command::Decline { .. } => Action::Decline,
            Command::Confirm { .. } => Action::Confirm,
            Command::ResolveOnSpot { .. } => Action::ResolveOnSpot,
            Command::Reject { .. } => Action::Reject,
            Command::Transfer { .. } => Action::Transfer,
            Command::Complete { .. } => Action::Complete,
            Command::Pass { .. } => Action::Pass,
            Command::Fail { .. } => Action::Fail,
            Command::Reopen { .. } => Action::Reopen,
            Command::Withdraw { .. } => Action::Withdraw,
            Command::CancelAsError { .. } => Action::CancelAsError,
            Command::ExtendDeadline { .. } => Action::ExtendDeadline,
            Command::ApproveRequest { .. } => Action::ApproveRequest,
            Command::RefuseRequest { .. } => Action::RefuseRequest,
        }
    }
}

#[cfg(test)]
mod tests;
