use super::*;
use std::collections::HashSet;

fn check_names<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Result<T, UnknownName>)
where
    T: Copy + PartialEq + std::fmt::Debug + Serialize,
{
    let mut seen = HashSet::new();
    for &value in all {
        let name = as_str(value);
        assert!(seen.insert(name), "duplicate name {name}");
        assert_eq!(parse(name), Ok(value));
        assert_eq!(serde_json::to_value(value).unwrap(), serde_json::Value::String(name.to_owned()));
        assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name} is not snake_case");
    }
}

#[test]
fn every_enum_round_trips_through_its_stored_name_and_serde() {
    check_names(TicketStatus::ALL, TicketStatus::as_str, TicketStatus::parse);
    check_names(Urgency::ALL, Urgency::as_str, Urgency::parse);
    check_names(HazardLevel::ALL, HazardLevel::as_str, HazardLevel::parse);
    check_names(ActorRole::ALL, ActorRole::as_str, ActorRole::parse);
    check_names(Action::ALL, Action::as_str, Action::parse);
    assert_eq!(TicketStatus::ALL.len(), 8);
    assert_eq!(Action::ALL.len(), 17);
}

#[test]
fn unknown_names_are_refused_with_their_kind() {
    let err = TicketStatus::parse("Closed").unwrap_err();
    assert_eq!(err, UnknownName { kind: "ticket status", value: "Closed".into() });
    assert_eq!(err.to_string(), "unknown ticket status `Closed`");
    assert!(Action::parse("").is_err());
    assert!("awaiting-check".parse::<TicketStatus>().is_err());
    assert_eq!("awaiting_check".parse::<TicketStatus>(), Ok(TicketStatus::AwaitingCheck));
    assert!(serde_json::from_str::<Urgency>("\"URGENT\"").is_err());
}

#[test]
fn only_closed_and_rejected_are_not_open() {
    let closed: Vec<_> = TicketStatus::ALL.iter().filter(|s| !s.is_open()).copied().collect();
    assert_eq!(closed, vec![TicketStatus::Closed, TicketStatus::Rejected]);
}

#[test]
fn staff_labels_are_distinct_and_resident_labels_are_chinese() {
    let staff: HashSet<_> = TicketStatus::ALL.iter().map(|s| s.staff_label()).collect();
    assert_eq!(staff.len(), TicketStatus::ALL.len());
    let resident: HashSet<_> = TicketStatus::ALL.iter().map(|s| s.resident_label()).collect();
    assert_eq!(resident.len(), TicketStatus::ALL.len());
    for s in TicketStatus::ALL {
        assert!(s.resident_label().chars().all(|c| !c.is_ascii()));
    }
    assert_eq!(TicketStatus::Assigned.resident_label(), "已派单");
    assert_eq!(TicketStatus::Closed.resident_label(), "已办结");
    assert_eq!(TicketStatus::Closed.staff_label(), "已销号");
    assert_eq!(HazardLevel::Major.label(), "重大隐患");
    let actions: HashSet<_> = Action::ALL.iter().map(|a| a.label()).collect();
    assert_eq!(actions.len(), Action::ALL.len());
    let roles: HashSet<_> = ActorRole::ALL.iter().map(|r| r.label()).collect();
    assert_eq!(roles.len(), ActorRole::ALL.len());
    assert!(Urgency::ALL.iter().all(|u| !u.label().is_empty()));
}

#[test]
fn request_actions_are_the_two_step_ones() {
    let requests: Vec<_> = Action::ALL.iter().filter(|a| a.is_request()).copied().collect();
    assert_eq!(requests, vec![Action::Transfer, Action::CancelAsError, Action::ExtendDeadline]);
}

#[test]
fn rejection_reasons_serialize_tagged_and_name_their_kind() {
    let id = Uuid::from_u128(7);
    let dup = RejectionReason::DuplicateOf { ticket_id: id };
    let json = serde_json::to_value(dup).unwrap();
    assert_eq!(json, serde_json::json!({"kind": "duplicate_of", "ticket_id": id.to_string()}));
    assert_eq!(serde_json::from_value::<RejectionReason>(json).unwrap(), dup);
    for reason in [
        RejectionReason::NotAHazard,
        RejectionReason::Invalid,
        RejectionReason::Withdrawn,
        RejectionReason::RecordedInError,
    ] {
        assert_eq!(serde_json::to_value(reason).unwrap(), serde_json::json!({"kind": reason.as_str()}));
        assert!(!reason.resident_label().is_empty());
    }
    assert_eq!(dup.as_str(), "duplicate_of");
}
