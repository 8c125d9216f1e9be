use super::*;
use serde_json::json;

fn ids(n: u128) -> Vec<Uuid> {
    (1..=n).map(Uuid::from_u128).collect()
}

#[test]
fn reasons_are_trimmed_and_must_not_be_blank() {
    assert_eq!(Reason::parse("  堵了消防通道 \n").unwrap().as_str(), "堵了消防通道");
    for blank in ["", " ", "\t\n", "\u{3000}"] {
        assert_eq!(Reason::parse(blank), Err(InputError::Blank { field: "reason" }), "{blank:?}");
    }
}

#[test]
fn length_limits_count_characters_not_bytes() {
    let chinese = "隐".repeat(MAX_REASON_CHARS);
    assert!(chinese.len() > MAX_REASON_CHARS);
    assert!(Reason::parse(&chinese).is_ok());
    let over = "隐".repeat(MAX_REASON_CHARS + 1);
    assert_eq!(Reason::parse(&over), Err(InputError::TooLong { field: "reason", max: MAX_REASON_CHARS }));
    assert!(Note::parse(&"x".repeat(MAX_NOTE_CHARS)).is_ok());
    assert_eq!(Note::parse(&"x".repeat(MAX_NOTE_CHARS + 1)).unwrap_err().code(), "too_long");
}

#[test]
fn optional_notes_treat_blank_as_absent() {
    assert_eq!(Note::parse_optional(None), Ok(None));
    assert_eq!(Note::parse_optional(Some("   ")), Ok(None));
    assert_eq!(Note::parse_optional(Some(" ok ")).unwrap().unwrap().as_str(), "ok");
    assert!(Note::parse_optional(Some(&"y".repeat(MAX_NOTE_CHARS + 1))).is_err());
}

#[test]
fn evidence_needs_one_to_nine_distinct_photos() {
    assert_eq!(Evidence::parse(vec![]), Err(InputError::NoEvidence));
    assert_eq!(InputError::NoEvidence.code(), "evidence_required");
    let one = Evidence::parse(vec![Uuid::from_u128(1), Uuid::from_u128(1)]).unwrap();
    assert_eq!(one.ids(), &[Uuid::from_u128(1)]);
    assert_eq!(Evidence::parse(ids(9)).unwrap().ids().len(), 9);
    assert_eq!(Evidence::parse(ids(10)), Err(InputError::TooManyMedia { max: MAX_MEDIA }));
    let mut with_dupes = ids(9);
    with_dupes.extend(ids(9));
    assert_eq!(Evidence::parse(with_dupes).unwrap().ids(), ids(9).as_slice());
}

#[test]
fn attachments_may_be_empty_but_not_too_many() {
    assert!(Attachments::parse(vec![]).unwrap().ids().is_empty());
    assert_eq!(Attachments::default(), Attachments::parse(vec![]).unwrap());
    assert!(Attachments::parse(ids(10)).is_err());
}

#[test]
fn commands_deserialize_only_with_valid_payloads() {
    let ok: Command = serde_json::from_value(json!({
        "action": "transfer", "reason": " 不属于本部门 ", "to_department": Uuid::from_u128(5)
    }))
    .unwrap();
    assert_eq!(
        ok,
        Command::Transfer { reason: Reason::parse("不属于本部门").unwrap(), to_department: Uuid::from_u128(5) }
    );
    let blank = serde_json::from_value::<Command>(json!({"action": "fail", "reason": "  ", "media": []}));
    assert!(blank.is_err());
    let no_photos = serde_json::from_value::<Command>(json!({"action": "complete", "evidence": [], "note": null}));
    assert!(no_photos.is_err());
    let reject: Command = serde_json::from_value(json!({
        "action": "reject", "ground": {"kind": "duplicate_of", "ticket_id": Uuid::from_u128(3)}, "note": null
    }))
    .unwrap();
    assert_eq!(reject.action(), Action::Reject);
    let withdrawn = serde_json::from_value::<Command>(json!({"action": "reject", "ground": {"kind": "withdrawn"}}));
    assert!(withdrawn.is_err(), "withdrawal is not a verifier's ground");
}

#[test]
fn every_action_but_submit_has_a_command() {
    let evidence = Evidence::parse(ids(1)).unwrap();
    let reason = Reason::parse("r").unwrap();
    let id = Uuid::from_u128(1);
    let commands = [
        Command::Assign { department_id: id, grid_worker_id: id, note: None },
        Command::Accept { rectification: None },
        Command::Decline { note: None },
        Command::Confirm { level: HazardLevel::General, evidence: evidence.clone(), note: None },
        Command::ResolveOnSpot { evidence: evidence.clone(), note: None },
        Command::Reject { ground: RejectGround::Invalid, note: None },
        Command::Transfer { reason: reason.clone(), to_department: id },
        Command::Complete { evidence, note: None },
        Command::Pass { media: Attachments::default(), note: None },
        Command::Fail { reason: reason.clone(), media: Attachments::default() },
        Command::Reopen { reason: reason.clone(), media: Attachments::default() },
        Command::Withdraw { note: None },
        Command::CancelAsError { reason: reason.clone() },
        Command::ExtendDeadline { until: DateTime::<Utc>::MIN_UTC, reason: reason.clone() },
        Command::ApproveRequest { note: None },
        Command::RefuseRequest { reason },
    ];
    let mut actions: Vec<Action> = commands.iter().map(Command::action).collect();
    actions.insert(0, Action::Submit);
    assert_eq!(actions, Action::ALL);
}

#[test]
fn reject_grounds_map_onto_rejection_reasons() {
    let id = Uuid::from_u128(9);
    assert_eq!(RejectionReason::from(RejectGround::NotAHazard), RejectionReason::NotAHazard);
    assert_eq!(RejectionReason::from(RejectGround::Invalid), RejectionReason::Invalid);
    assert_eq!(
        RejectionReason::from(RejectGround::DuplicateOf { ticket_id: id }),
        RejectionReason::DuplicateOf { ticket_id: id }
    );
}
