//! The words of each notice (pure): what residents read about their report (short plain Chinese,
//! the number, what happens next and by when, never a department's internals), and what staff read
//! about the work waiting for them. Deadlines are shown in China time (UTC+8).

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use serde::Deserialize;

use crate::tickets::{
    status::{TicketStatus, Urgency},
    workflow::NoticeKind,
};

/// The facts an outbox row's payload carries (written by the tickets service and escalation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Payload {
    /// Ticket number, e.g. `YH202611230007`.
    #[serde(default)]
    pub number: String,
    /// Category code.
    #[serde(default)]
    pub category: String,
    /// Status after the change.
    pub status: Option<TicketStatus>,
    /// The action that caused it.
    pub action: Option<String>,
    /// Urgency of the ticket.
    pub urgency: Option<Urgency>,
    /// Deadline of the step the ticket now waits on.
    pub due_at: Option<DateTime<Utc>>,
    /// The department's rectification deadline.
    pub rectification_deadline: Option<DateTime<Utc>>,
    /// Why it was not accepted, in the resident's words.
    pub rejection: Option<String>,
    /// Escalation level reached.
    pub level: Option<u8>,
    /// A public reply's text.
    pub body: Option<String>,
}

/// `11月24日18:00` in China time.
pub fn china_time(at: DateTime<Utc>) -> String {
    let t = at.checked_add_signed(TimeDelta::hours(8)).unwrap_or(at);
    format!("{}月{}日{:02}:{:02}", t.month(), t.day(), t.hour(), t.minute())
}

/// `，将于…前{what}` when the deadline is known, else `，{fallback}`.
fn by(deadline: Option<DateTime<Utc>>, what: &str, fallback: &str) -> String {
    match deadline {
        Some(d) => format!("，将于{}前{what}", china_time(d)),
        None => format!("，{fallback}"),
    }
}

/// What the reporter reads in their ticket thread; `None` for kinds residents are not told of.
pub fn resident_text(kind: NoticeKind, p: &Payload) -> Option<String> {
    let n = &p.number;
    match kind {
        NoticeKind::Received => Some(match p.status {
            Some(TicketStatus::Assigned) => format!(
                "您上报的隐患已受理，编号{n}。已派给网格员{}。",
                by(p.due_at, "到现场核实", "网格员将尽快到现场核实")
            ),
            _ => format!("您上报的隐患已受理，编号{n}。我们正在安排处理人员，请留意后续消息。"),
        }),
        NoticeKind::StatusChanged => Some(status_text(n, p)),
        NoticeKind::Reply => {
            let body = p.body.as_deref().unwrap_or("").trim();
            Some(if body.is_empty() {
                format!("工作人员回复了您上报的隐患（{n}）。")
            } else {
                format!("工作人员回复（{n}）：{body}")
            })
        }
        _ => None,
    }
}

/// The resident's words for the status a ticket moved to.
fn status_text(n: &str, p: &Payload) -> String {
    match p.status {
        Some(TicketStatus::Unrouted) | None => {
            format!("您上报的隐患（{n}）已受理，正在重新安排处理人员，请留意后续消息。")
        }
        Some(TicketStatus::Assigned) => {
            format!("您上报的隐患（{n}）已派给网格员{}。", by(p.due_at, "到现场核实", "网格员将尽快到现场核实"))
        }
        Some(TicketStatus::Verifying) => {
            format!("网格员正在核实您上报的隐患（{n}）{}。", by(p.due_at, "给出核实结果", "核实后会告诉您结果"))
        }
        Some(TicketStatus::Confirmed) => {
            format!("经现场核实，您上报的隐患（{n}）确实存在，已交由责任单位整改。")
        }
        Some(TicketStatus::Rectifying) => format!(
            "您上报的隐患（{n}）正在整改{}。",
            by(p.rectification_deadline.or(p.due_at), "整改完成", "整改完成后会告诉您")
        ),
        Some(TicketStatus::AwaitingCheck) => {
            format!("您上报的隐患（{n}）已整改完成{}。", by(p.due_at, "由网格员到现场验收", "网格员将到现场验收"))
        }
        Some(TicketStatus::Closed) => {
            format!("您上报的隐患（{n}）已整改并通过验收，已办结。感谢您的监督！如问题仍在，7天内可申请重新处理。")
        }
        Some(TicketStatus::Rejected) => match p.rejection.as_deref() {
            Some(reason) => format!("您上报的隐患（{n}）未受理：{reason}。如有疑问，可在此留言。"),
            None => format!("您上报的隐患（{n}）未受理。如有疑问，可在此留言。"),
        },
    }
}

/// What a follower is pushed (the thread message is the reporter's; followers read it there too).
pub fn follower_text(kind: NoticeKind, p: &Payload) -> Option<String> {
    let label = p.status.map_or("有新进展", |s| s.resident_label());
    match kind {
        NoticeKind::StatusChanged => Some(format!("您关注的隐患（{}）{label}。", p.number)),
        NoticeKind::Reply => Some(format!("工作人员回复了您关注的隐患（{}）。", p.number)),
        _ => None,
    }
}

/// What staff read about work on a ticket (internal wording, visible to staff only).
pub fn staff_text(kind: NoticeKind, p: &Payload) -> String {
    let n = &p.number;
    let label = p.status.map_or("", |s| s.staff_label());
    let due = |what: &str| p.due_at.map(|d| format!("，请于{}前{what}", china_time(d))).unwrap_or_default();
    match kind {
        NoticeKind::TaskAssigned => format!("【待签收】隐患{n}已派给您{}。", due("签收并到现场核实")),
        NoticeKind::NeedsDispatch => format!("【待派单】隐患{n}未能自动派单，请调度员指派处理单位和网格员。"),
        NoticeKind::Emergency => format!("【紧急】隐患{n}为紧急情况，请立即处置（可直接签收整改）。"),
        NoticeKind::RectificationAssigned => {
            format!("【待部门签收】隐患{n}已核实，请签收并制定整改方案{}。", due("签收"))
        }
        NoticeKind::CheckRequested => format!("【待验收】隐患{n}已整改完成{}。", due("到现场验收")),
        NoticeKind::CheckFailed => format!("【验收不通过】隐患{n}验收未通过，请重新整改{}。", due("整改完成")),
        NoticeKind::Reopened => format!("【重新整改】隐患{n}已重新打开，当前状态：{label}。"),
        NoticeKind::ApprovalRequested => format!("【待审批】隐患{n}有一项申请待审批。"),
        NoticeKind::RequestApproved => format!("【申请已批准】隐患{n}的申请已批准，当前状态：{label}。"),
        NoticeKind::RequestRefused => format!("【申请被驳回】隐患{n}的申请未获批准，请继续办理。"),
        NoticeKind::RequestDropped => format!("【申请已失效】隐患{n}状态已变更为{label}，原申请不再办理。"),
        NoticeKind::Overdue => format!("【督办】隐患{n}（{label}）已超期，请尽快办理。"),
        NoticeKind::EscalatedToDispatcher => format!("【督办·二级】隐患{n}（{label}）超期未办，已提请调度员督办。"),
        NoticeKind::EscalatedToDistrict => format!("【督办·三级】隐患{n}（{label}）严重超期，已报区安委办督办。"),
        NoticeKind::CoHandling => format!("【协办】隐患{n}请贵单位协同办理，当前状态：{label}。"),
        NoticeKind::StatusChanged => format!("隐患{n}状态变更为：{label}。"),
        NoticeKind::Received => format!("隐患{n}已受理。"),
        NoticeKind::Reply => format!("隐患{n}有一条公开回复。"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        // 10:00 UTC on 2026-11-24 is 18:00 in China.
        Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0).unwrap()
    }

    fn payload(status: TicketStatus) -> Payload {
        Payload {
            number: "YH202611230007".into(),
            category: "fire".into(),
            status: Some(status),
            due_at: Some(at(10)),
            ..Payload::default()
        }
    }

    const STAFF_WORDS: [&str; 8] = ["签收", "派单", "部门", "督办", "调度", "审批", "销号", "【"];

    #[test]
    fn deadlines_are_shown_in_china_time() {
        assert_eq!(china_time(at(10)), "11月24日18:00");
        assert_eq!(china_time(at(20)), "11月25日04:00");
    }

    #[test]
    fn the_receipt_says_accepted_the_number_and_the_next_step() {
        let text = resident_text(NoticeKind::Received, &payload(TicketStatus::Assigned)).unwrap();
        assert_eq!(text, "您上报的隐患已受理，编号YH202611230007。已派给网格员，将于11月24日18:00前到现场核实。");
        let text = resident_text(NoticeKind::Received, &payload(TicketStatus::Unrouted)).unwrap();
        assert!(text.contains("已受理") && text.contains("YH202611230007") && text.contains("安排"), "{text}");
    }

    #[test]
    fn every_status_has_resident_words_with_the_number_and_no_staff_internals() {
        for &status in TicketStatus::ALL {
            let mut p = payload(status);
            p.rectification_deadline = Some(at(2));
            let text = resident_text(NoticeKind::StatusChanged, &p).unwrap();
            assert!(text.contains("YH202611230007"), "{status}: {text}");
            for word in STAFF_WORDS {
                assert!(!text.contains(word), "{status}: {text} has staff word {word}");
            }
        }
        assert_eq!(
            resident_text(NoticeKind::StatusChanged, &payload(TicketStatus::Assigned)).unwrap(),
            "您上报的隐患（YH202611230007）已派给网格员，将于11月24日18:00前到现场核实。"
        );
        let mut rectifying = payload(TicketStatus::Rectifying);
        rectifying.rectification_deadline = Some(at(2));
        assert_eq!(
            resident_text(NoticeKind::StatusChanged, &rectifying).unwrap(),
            "您上报的隐患（YH202611230007）正在整改，将于11月24日10:00前整改完成。"
        );
        let checking = resident_text(NoticeKind::StatusChanged, &payload(TicketStatus::AwaitingCheck)).unwrap();
        assert!(checking.contains("已整改完成，将于11月24日18:00前由网格员到现场验收"), "{checking}");
        assert!(resident_text(NoticeKind::StatusChanged, &payload(TicketStatus::Closed)).unwrap().contains("已办结"));
        let verifying = resident_text(NoticeKind::StatusChanged, &payload(TicketStatus::Verifying)).unwrap();
        assert!(verifying.contains("核实"), "{verifying}");
    }

    #[test]
    fn a_rejection_gives_the_residents_reason() {
        let mut p = payload(TicketStatus::Rejected);
        p.rejection = Some("经核实不属于安全隐患".into());
        assert_eq!(
            resident_text(NoticeKind::StatusChanged, &p).unwrap(),
            "您上报的隐患（YH202611230007）未受理：经核实不属于安全隐患。如有疑问，可在此留言。"
        );
        p.rejection = None;
        assert!(resident_text(NoticeKind::StatusChanged, &p).unwrap().contains("未受理"));
    }

    #[test]
    fn without_a_deadline_the_text_still_says_what_happens_next() {
        let mut p = payload(TicketStatus::Assigned);
        p.due_at = None;
        assert_eq!(
            resident_text(NoticeKind::StatusChanged, &p).unwrap(),
            "您上报的隐患（YH202611230007）已派给网格员，网格员将尽快到现场核实。"
        );
    }

    #[test]
    fn replies_are_quoted_to_residents() {
        let mut p = payload(TicketStatus::Rectifying);
        p.body = Some("已安排明天上午清理".into());
        assert_eq!(resident_text(NoticeKind::Reply, &p).unwrap(), "工作人员回复（YH202611230007）：已安排明天上午清理");
        p.body = None;
        assert!(resident_text(NoticeKind::Reply, &p).unwrap().contains("回复"));
    }

    #[test]
    fn staff_kinds_have_no_resident_words_but_staff_words() {
        use NoticeKind as K;
        let staff_kinds = [
            K::TaskAssigned,
            K::NeedsDispatch,
            K::Emergency,
            K::RectificationAssigned,
            K::CheckRequested,
            K::CheckFailed,
            K::Reopened,
            K::ApprovalRequested,
            K::RequestApproved,
            K::RequestRefused,
            K::RequestDropped,
            K::Overdue,
            K::EscalatedToDispatcher,
            K::EscalatedToDistrict,
            K::CoHandling,
        ];
        for kind in staff_kinds {
            let p = payload(TicketStatus::Rectifying);
            assert_eq!(resident_text(kind, &p), None, "{kind:?}");
            assert_eq!(follower_text(kind, &p), None, "{kind:?}");
            let text = staff_text(kind, &p);
            assert!(text.contains("YH202611230007"), "{kind:?}: {text}");
        }
        assert_eq!(
            staff_text(K::TaskAssigned, &payload(TicketStatus::Assigned)),
            "【待签收】隐患YH202611230007已派给您，请于11月24日18:00前签收并到现场核实。"
        );
        assert!(staff_text(K::EscalatedToDistrict, &payload(TicketStatus::Rectifying)).contains("安委办"));
        for kind in [K::StatusChanged, K::Received, K::Reply] {
            assert!(staff_text(kind, &payload(TicketStatus::Closed)).contains("YH202611230007"));
        }
    }

    #[test]
    fn followers_read_about_the_ticket_they_follow() {
        let p = payload(TicketStatus::Closed);
        assert_eq!(follower_text(NoticeKind::StatusChanged, &p).unwrap(), "您关注的隐患（YH202611230007）已办结。");
        assert!(follower_text(NoticeKind::Reply, &p).unwrap().contains("关注"));
        assert_eq!(follower_text(NoticeKind::Received, &p), None);
    }

    #[test]
    fn payloads_written_by_the_tickets_service_parse() {
        let p: Payload = serde_json::from_str(
            r#"{"number":"YH1","category":"fire","status":"rectifying","status_label":"整改中","action":"accept",
               "urgency":"normal","due_at":"2026-11-24T10:00:00Z","rectification_deadline":null,"rejection":null}"#,
        )
        .unwrap();
        assert_eq!(
            (p.status, p.urgency, p.due_at),
            (Some(TicketStatus::Rectifying), Some(Urgency::Normal), Some(at(10)))
        );
    }
}
