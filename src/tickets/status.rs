//! The ticket's vocabulary: statuses, urgency, hazard level, actor roles, actions and rejection reasons,
//! with their stored names (snake_case, the same as on the wire) and Chinese labels.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A stored or wire name that is not one of the enum's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownName {
    /// Which enum was being parsed, e.g. `ticket status`.
    pub kind: &'static str,
    /// The rejected text.
    pub value: String,
}

/// Declares a fieldless enum stored as snake_case strings, with `ALL`, `as_str`, `parse` and `Display`.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored (and wire) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses a stored name; the only way from text back to the enum.
            pub fn parse(text: &str) -> Result<Self, UnknownName> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownName { kind: $kind, value: other.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    };
}

named_enum! {
    /// Where a ticket is in its life, from report to close-out (销号).
    TicketStatus, "ticket status" {
        /// No region, department or grid worker could be chosen (or all declined): a dispatcher must assign it.
        Unrouted = "unrouted",
        /// Offered to a grid worker, who accepts or declines the on-site check.
        Assigned = "assigned",
        /// The grid worker is checking on site (核查).
        Verifying = "verifying",
        /// A real hazard with a level, waiting for the department to accept it.
        Confirmed = "confirmed",
        /// The department is rectifying within a deadline (限期整改).
        Rectifying = "rectifying",
        /// Rectification reported done, waiting for the on-site check (验收).
        AwaitingCheck = "awaiting_check",
        /// Struck off the ledger (销号) or fixed on the spot; only a reopen leaves this state.
        Closed = "closed",
        /// Not a hazard, invalid, duplicate, withdrawn or recorded in error; terminal.
        Rejected = "rejected",
    }
}

impl TicketStatus {
    /// Whether the hazard is still on the open ledger.
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Closed | TicketStatus::Rejected)
    }

    /// What a resident sees (short plain Chinese).
    pub fn resident_label(self) -> &'static str {
        match self {
            TicketStatus::Unrouted => "已受理",
            TicketStatus::Assigned => "已派单",
            TicketStatus::Verifying => "核实中",
            TicketStatus::Confirmed => "已确认",
            TicketStatus::Rectifying => "整改中",
            TicketStatus::AwaitingCheck => "待验收",
            TicketStatus::Closed => "已办结",
            TicketStatus::Rejected => "未受理",
        }
    }

    /// What staff see in the desk and the ledger export.
    pub fn staff_label(self) -> &'static str {
        match self {
            TicketStatus::Unrouted => "待派单",
            TicketStatus::Assigned => "待签收",
            TicketStatus::Verifying => "核实中",
            TicketStatus::Confirmed => "待部门签收",
            TicketStatus::Rectifying => "限期整改中",
            TicketStatus::AwaitingCheck => "待验收",
            TicketStatus::Closed => "已销号",
            TicketStatus::Rejected => "已驳回",
        }
    }
}

named_enum! {
    /// How soon someone may be hurt; set by intake, correctable by staff.
    Urgency, "urgency" {
        /// Danger happening now (fire, leak, trapped people): the department may accept straight away.
        Emergency = "emergency",
        /// Likely to hurt someone soon.
        Urgent = "urgent",
        /// Everything else.
        Normal = "normal",
    }
}

impl Urgency {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Emergency => "紧急",
            Urgency::Urgent => "较急",
            Urgency::Normal => "一般",
        }
    }
}

named_enum! {
    /// Staff's judgement on verification: general (一般隐患) or major (重大隐患).
    HazardLevel, "hazard level" {
        /// 一般隐患: small harm, quick fix.
        General = "general",
        /// 重大隐患: needs a plan, resources and usually listed supervision (挂牌督办).
        Major = "major",
    }
}

impl HazardLevel {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            HazardLevel::General => "一般隐患",
            HazardLevel::Major => "重大隐患",
        }
    }
}

named_enum! {
    /// The capacity a user acts in; map the account role onto it (resident → reporter).
    ActorRole, "actor role" {
        /// A member of the public (account role `resident`).
        Reporter = "reporter",
        /// 网格员: verifies on site and checks fixes.
        GridWorker = "grid_worker",
        /// Staff of a responsible department.
        DeptStaff = "dept_staff",
        /// 调度员: assigns unrouted tickets and approves requests.
        Dispatcher = "dispatcher",
        /// Runs the system; may do whatever a dispatcher may.
        Admin = "admin",
    }
}

impl ActorRole {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ActorRole::Reporter => "群众",
            ActorRole::GridWorker => "网格员",
            ActorRole::DeptStaff => "部门人员",
            ActorRole::Dispatcher => "调度员",
            ActorRole::Admin => "管理员",
        }
    }
}

named_enum! {
    /// A move on a ticket, as listed to clients in the allowed actions.
    Action, "action" {
        /// Report a hazard (creates the ticket).
        Submit = "submit",
        /// Dispatcher assigns an unrouted ticket to a department and grid worker.
        Assign = "assign",
        /// Grid worker takes the check, or the department takes the rectification with a plan and deadline.
        Accept = "accept",
        /// Grid worker passes the check on to the next one.
        Decline = "decline",
        /// Grid worker confirms the hazard with photos and a level.
        Confirm = "confirm",
        /// Grid worker has it fixed on the spot (当场整改) with photos.
        ResolveOnSpot = "resolve_on_spot",
        /// Not a hazard, invalid or duplicate.
        Reject = "reject",
        /// Department asks to pass the ticket to another department (转办).
        Transfer = "transfer",
        /// Department reports the rectification done with photos.
        Complete = "complete",
        /// The check passes: strike off (销号).
        Pass = "pass",
        /// The check fails: back to rectification.
        Fail = "fail",
        /// The hazard is back (回头看) or the reporter disputes the close-out.
        Reopen = "reopen",
        /// The reporter withdraws the report (撤回).
        Withdraw = "withdraw",
        /// Staff ask to cancel the ticket as recorded in error (申请销号).
        CancelAsError = "cancel_as_error",
        /// Department asks for a later rectification deadline (延期申请).
        ExtendDeadline = "extend_deadline",
        /// Dispatcher approves the pending request.
        ApproveRequest = "approve_request",
        /// Dispatcher refuses the pending request.
        RefuseRequest = "refuse_request",
    }
}

impl Action {
    /// Chinese label for buttons and the history view.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "上报",
            Action::Assign => "派单",
            Action::Accept => "签收",
            Action::Decline => "退回",
            Action::Confirm => "确认隐患",
            Action::ResolveOnSpot => "当场整改",
            Action::Reject => "驳回",
            Action::Transfer => "申请转办",
            Action::Complete => "整改完成",
            Action::Pass => "验收销号",
            Action::Fail => "验收不通过",
            Action::Reopen => "重新整改",
            Action::Withdraw => "撤回",
            Action::CancelAsError => "申请销号",
            Action::ExtendDeadline => "申请延期",
            Action::ApproveRequest => "批准申请",
            Action::RefuseRequest => "驳回申请",
        }
    }

    /// Whether the action files a request that waits for a dispatcher (two-step moves).
    pub fn is_request(self) -> bool {
        matches!(self, Action::Transfer | Action::CancelAsError | Action::ExtendDeadline)
    }
}

/// Why a ticket ended `rejected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RejectionReason {
    /// Checked on site: not a safety hazard (dispute, service request, noise…).
    NotAHazard,
    /// Cannot be checked: no such place, no details, a prank.
    Invalid,
    /// The same hazard as another ticket, which is counted instead.
    DuplicateOf {
        /// The ticket that is kept.
        ticket_id: Uuid,
    },
    /// The reporter withdrew it (撤回).
    Withdrawn,
    /// Cancelled as recorded in error (申请销号, approved); never counted as rectified.
    RecordedInError,
}

impl RejectionReason {
    /// The stored name of the kind (without the duplicate's ticket id).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::NotAHazard => "not_a_hazard",
            RejectionReason::Invalid => "invalid",
            RejectionReason::DuplicateOf { .. } => "duplicate_of",
            RejectionReason::Withdrawn => "withdrawn",
            RejectionReason::RecordedInError => "recorded_in_error",
        }
    }

    /// What a resident sees instead of the bare 未受理.
    pub fn resident_label(self) -> &'static str {
        match self {
            RejectionReason::NotAHazard => "经核实不属于安全隐患",
            RejectionReason::Invalid => "信息无效，无法核实",
            RejectionReason::DuplicateOf { .. } => "重复上报，已合并处理",
            RejectionReason::Withdrawn => "已撤回",
            RejectionReason::RecordedInError => "登记有误，已撤销",
        }
    }
}

#[cfg(test)]
mod tests;
