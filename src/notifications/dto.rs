//! Wire types of the notification preferences, and their parsing into [`Prefs`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::prefs::{Prefs, QuietHours, TimeOfDay};
use crate::{
    error::{ApiError, FieldError},
    tickets::workflow::NoticeKind,
};

/// Quiet hours in China time; an `end` before `start` spans midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursBody {
    /// Start, `HH:MM`, e.g. `22:00`.
    pub start: String,
    /// End, `HH:MM`, e.g. `07:00`.
    pub end: String,
}

/// The caller's notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NotificationPreferencesView {
    /// Kinds never pushed (they are still written to the ticket's thread).
    pub muted: Vec<NoticeKind>,
    /// When only urgent notices, emergencies and escalations are pushed; null for none.
    pub quiet_hours: Option<QuietHoursBody>,
}

/// Replaces the caller's notification preferences.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNotificationPreferencesRequest {
    /// Kinds never pushed (an `emergency` is pushed all the same).
    #[serde(default)]
    pub muted: Vec<NoticeKind>,
    /// Quiet hours, or null for none.
    #[serde(default)]
    pub quiet_hours: Option<QuietHoursBody>,
}

impl TryFrom<UpdateNotificationPreferencesRequest> for Prefs {
    type Error = ApiError;

    fn try_from(req: UpdateNotificationPreferencesRequest) -> Result<Self, ApiError> {
        let quiet_hours = match req.quiet_hours {
            None => None,
            Some(q) => {
                let mut errors = Vec::new();
                let start = TimeOfDay::parse(&q.start)
                    .map_err(|e| errors.push(FieldError::new("quiet_hours.start", "bad_time", e.to_string())));
                let end = TimeOfDay::parse(&q.end)
                    .map_err(|e| errors.push(FieldError::new("quiet_hours.end", "bad_time", e.to_string())));
                match (start, end) {
                    (Ok(start), Ok(end)) => Some(QuietHours { start, end }),
                    _ => return Err(ApiError::validation(errors)),
                }
            }
        };
        let mut muted: Vec<NoticeKind> = Vec::with_capacity(req.muted.len());
        for kind in req.muted {
            if !muted.contains(&kind) {
                muted.push(kind);
            }
        }
        Ok(Prefs { muted, quiet_hours })
    }
}

impl From<&Prefs> for NotificationPreferencesView {
    fn from(p: &Prefs) -> Self {
        NotificationPreferencesView {
            muted: p.muted.clone(),
            quiet_hours: p.quiet_hours.map(|q| QuietHoursBody { start: q.start.to_string(), end: q.end.to_string() }),
        }
    }
}
