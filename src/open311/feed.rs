//! A ticket as Open311's public feed shows it (pure): `open`/`closed`, plain Chinese status notes,
//! the department as `agency_responsible`, the current step's deadline as `expected_datetime`,
//! times in ISO 8601 with the China offset, WGS-84 coordinates. Never the reporter, never staff
//! notes.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use entity::ticket;

use super::dto::ServiceRequestView;
use crate::{
    notifications::texts::china_time,
    tickets::{status::TicketStatus, store::state_of},
};

/// `2026-11-23T20:00:00+08:00`.
pub fn iso(at: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(8 * 3600) {
        Some(china) => at.with_timezone(&china).to_rfc3339_opts(SecondsFormat::Secs, false),
        None => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// Open311's two statuses: closed once closed out or not accepted.
pub fn open_closed(status: TicketStatus) -> &'static str {
    if status.is_open() {
        "open"
    } else {
        "closed"
    }
}

/// Where a ticket stands, in words a member of the public reads.
pub fn status_notes(t: &ticket::Model) -> Option<String> {
    let status = TicketStatus::parse(&t.status).ok()?;
    let mut notes = match status {
        TicketStatus::Unrouted => "已受理，正在安排处理人员".to_owned(),
        TicketStatus::Assigned => "已派单，网格员将到现场核实".to_owned(),
        TicketStatus::Verifying => "网格员正在现场核实".to_owned(),
        TicketStatus::Confirmed => "经现场核实确属隐患，等待责任单位整改".to_owned(),
        TicketStatus::Rectifying => match t.rectification_deadline.or(t.due_at) {
            Some(d) => format!("整改中，整改期限至{}", china_time(d)),
            None => "整改中".to_owned(),
        },
        TicketStatus::AwaitingCheck => "已整改完成，等待现场验收".to_owned(),
        TicketStatus::Closed => "已整改并通过验收，已办结".to_owned(),
        TicketStatus::Rejected => match state_of(t).ok().and_then(|s| s.rejection) {
            Some(reason) => format!("未受理：{}", reason.resident_label()),
            None => "未受理".to_owned(),
        },
    };
    if status.is_open() && t.escalation_level > 0 {
        notes.push_str("（已超期，督办中）");
    }
    Some(notes)
}

/// The feed's view of a ticket.
pub fn request_view(
    t: &ticket::Model,
    service_name: &str,
    agency: Option<String>,
    media_url: Option<String>,
) -> ServiceRequestView {
    let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Unrouted);
    ServiceRequestView {
        service_request_id: t.number.clone(),
        status: open_closed(status).to_owned(),
        status_notes: status_notes(t),
        service_name: service_name.to_owned(),
        service_code: t.category.clone(),
        description: Some(t.description.clone()),
        agency_responsible: agency,
        service_notice: None,
        requested_datetime: iso(t.created_at),
        updated_datetime: iso(t.updated_at),
        expected_datetime: t.due_at.filter(|_| status.is_open()).map(iso),
        address: t.address.clone(),
        address_id: None,
        zipcode: None,
        lat: t.wgs_lat,
        long: t.wgs_lng,
        media_url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_the_china_offset() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        assert_eq!(iso(at), "2026-11-23T20:00:00+08:00");
    }

    #[test]
    fn only_closed_and_rejected_are_closed() {
        for s in TicketStatus::ALL {
            let want = if matches!(s, TicketStatus::Closed | TicketStatus::Rejected) { "closed" } else { "open" };
            assert_eq!(open_closed(*s), want, "{s}");
        }
    }
}
