//! Deadlines (时限) per step and urgency, counted in calendar hours, calendar days or working days on
//! China Standard Time, and the overdue, at-risk and escalation (督办) predicates. Pure: the policy and
//! the calendar are data passed in; nothing here knows a year.

mod calendar;

use chrono::{DateTime, Days, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use calendar::{cst_date, cst_day_end, CalendarData, CalendarError, WorkCalendar, CST_OFFSET_SECS};

use super::status::{HazardLevel, TicketStatus, Urgency};

/// Longest span a policy may give, in days (about ten years).
pub const MAX_SPAN_DAYS: u32 = 3660;

/// A time allowance and how it is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Elapsed hours, nights and holidays included: `start + n h`.
    CalendarHours(u32),
    /// Until the end (24:00 CST) of the n-th calendar day after the start's day.
    CalendarDays(u32),
    /// Until the end (24:00 CST) of the n-th working day after the start's day (0: end of the start's day).
    WorkingDays(u32),
}

/// A step of the workflow that has a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", content = "of", rename_all = "snake_case")]
pub enum Step {
    /// The grid worker accepts the on-site check (`assigned`).
    Accept(Urgency),
    /// The grid worker verifies on site (`verifying`).
    Verify(Urgency),
    /// The department accepts the rectification (`confirmed`).
    DepartmentAcceptance(Urgency),
    /// The department rectifies, by hazard level (`rectifying`; the accepted plan's deadline wins).
    Rectification(HazardLevel),
    /// The check of the fix (`awaiting_check`).
    Check(Urgency),
}

impl Step {
    /// The step a ticket in `status` is waiting on, if any (rectification only once the level is known).
    pub fn for_status(status: TicketStatus, urgency: Urgency, level: Option<HazardLevel>) -> Option<Step> {
        match status {
            TicketStatus::Assigned => Some(Step::Accept(urgency)),
            TicketStatus::Verifying => Some(Step::Verify(urgency)),
            TicketStatus::Confirmed => Some(Step::DepartmentAcceptance(urgency)),
            TicketStatus::Rectifying => level.map(Step::Rectification),
            TicketStatus::AwaitingCheck => Some(Step::Check(urgency)),
            TicketStatus::Unrouted | TicketStatus::Closed | TicketStatus::Rejected => None,
        }
    }
}

/// One span per urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerUrgency {
    /// For `emergency` tickets.
    pub emergency: Span,
    /// For `urgent` tickets.
    pub urgent: Span,
    /// For `normal` tickets.
    pub normal: Span,
}

impl PerUrgency {
    /// The span for an urgency.
    pub fn get(&self, urgency: Urgency) -> Span {
        match urgency {
            Urgency::Emergency => self.emergency,
            Urgency::Urgent => self.urgent,
            Urgency::Normal => self.normal,
        }
    }
}

/// One span per hazard level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerLevel {
    /// For general hazards (一般隐患).
    pub general: Span,
    /// For major hazards (重大隐患).
    pub major: Span,
}

/// When an overdue item climbs to the next escalation level, in elapsed hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationPolicy {
    /// Hours past the deadline after which dispatchers and the department head are drawn in (level 2).
    pub dispatcher_after_hours: u32,
    /// Further hours after level 2 after which the district safety office (安委办) is (level 3).
    pub district_after_hours: u32,
}

/// The deadline policy, loaded from configuration (category overrides are the caller's business).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Grid worker accepts the check.
    pub accept: PerUrgency,
    /// Grid worker verifies on site.
    pub verify: PerUrgency,
    /// Department accepts the rectification.
    pub department_acceptance: PerUrgency,
    /// Rectification, by level.
    pub rectification: PerLevel,
    /// Check of the fix.
    pub check: PerUrgency,
    /// Escalation intervals.
    pub escalation: EscalationPolicy,
}

impl SlaPolicy {
    /// The span that applies to a step.
    pub fn span(&self, step: Step) -> Span {
        match step {
            Step::Accept(urgency) => self.accept.get(urgency),
            Step::Verify(urgency) => self.verify.get(urgency),
            Step::DepartmentAcceptance(urgency) => self.department_acceptance.get(urgency),
            Step::Rectification(HazardLevel::General) => self.rectification.general,
            Step::Rectification(HazardLevel::Major) => self.rectification.major,
            Step::Check(urgency) => self.check.get(urgency),
        }
    }
}

/// A deadline that cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// The span is longer than [`MAX_SPAN_DAYS`].
    #[error("span {0:?} is longer than {MAX_SPAN_DAYS} days")]
    SpanTooLong(Span),
    /// The result falls outside the representable dates.
    #[error("deadline out of range")]
    OutOfRange,
}

/// How far an overdue item has been escalated (督办), from 0 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// Not overdue.
    None,
    /// Overdue: remind the assignee (催办).
    RemindAssignee,
    /// Further overdue: dispatchers and the department head.
    Dispatcher,
    /// Further still: the district safety office (安委办, 督办函).
    District,
}

impl EscalationLevel {
    /// The level as a number, 0 to 3.
    pub fn as_u8(self) -> u8 {
        match self {
            EscalationLevel::None => 0,
            EscalationLevel::RemindAssignee => 1,
            EscalationLevel::Dispatcher => 2,
            EscalationLevel::District => 3,
        }
    }
}

/// The instant `span` after `start`, counted on `calendar` where it counts working days.
pub fn add_span(start: DateTime<Utc>, span: Span, calendar: &WorkCalendar) -> Result<DateTime<Utc>, SlaError> {
    let too_long = match span {
        Span::CalendarHours(hours) => hours.div_ceil(24) > MAX_SPAN_DAYS,
        Span::CalendarDays(days) | Span::WorkingDays(days) => days > MAX_SPAN_DAYS,
    };
    if too_long {
        return Err(SlaError::SpanTooLong(span));
    }
    let last_day = match span {
        Span::CalendarHours(hours) => {
            return start.checked_add_signed(TimeDelta::hours(i64::from(hours))).ok_or(SlaError::OutOfRange);
        }
        Span::CalendarDays(days) => {
            cst_date(start).checked_add_days(Days::new(u64::from(days))).ok_or(SlaError::OutOfRange)?
        }
        Span::WorkingDays(days) => {
            let mut date = cst_date(start);
            let mut left = days;
            while left > 0 {
                date = date.succ_opt().ok_or(SlaError::OutOfRange)?;
                if calendar.is_working_day(date) {
                    left -= 1;
                }
            }
            date
        }
    };
    cst_day_end(last_day).ok_or(SlaError::OutOfRange)
}

/// When `step`, started at `start`, is due under `policy`.
pub fn due_at(
    step: Step,
    start: DateTime<Utc>,
    policy: &SlaPolicy,
    calendar: &WorkCalendar,
) -> Result<DateTime<Utc>, SlaError> {
    add_span(start, policy.span(step), calendar)
}

/// Whether the deadline has passed: due at `deadline` means on time up to and including that instant.
pub fn is_overdue(deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now > deadline
}

/// Whether at least `fraction` (0.0–1.0) of the window from `started` to `deadline` has gone by but
/// the deadline has not passed yet. (The window's start is needed: a fraction of nothing is nothing.)
pub fn at_risk(started: DateTime<Utc>, deadline: DateTime<Utc>, now: DateTime<Utc>, fraction: f64) -> bool {
    if is_overdue(deadline, now) {
        return false;
    }
    let total = deadline.signed_duration_since(started).num_milliseconds();
    let elapsed = now.signed_duration_since(started).num_milliseconds();
    // Milliseconds fit an f64 exactly for any span under 285,000 years.
    elapsed as f64 >= fraction * total as f64
}

/// The escalation level of an item due at `deadline`: 1 once overdue, 2 after a further
/// `dispatcher_after_hours`, 3 after a further `district_after_hours` (each strictly after).
pub fn escalation_level(deadline: DateTime<Utc>, now: DateTime<Utc>, policy: &SlaPolicy) -> EscalationLevel {
    let late = now.signed_duration_since(deadline);
    let second = TimeDelta::hours(i64::from(policy.escalation.dispatcher_after_hours));
    let third = second + TimeDelta::hours(i64::from(policy.escalation.district_after_hours));
    if late > third {
        EscalationLevel::District
    } else if late > second {
        EscalationLevel::Dispatcher
    } else if late > TimeDelta::zero() {
        EscalationLevel::RemindAssignee
    } else {
        EscalationLevel::None
    }
}

#[cfg(test)]
mod tests;
