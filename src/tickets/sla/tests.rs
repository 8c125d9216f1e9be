use super::*;
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An instant given in China Standard Time.
fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - TimeDelta::hours(8)
}

/// End of a China calendar day (24:00 CST).
fn end_of(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    cst(y, m, d, 0, 0) + TimeDelta::days(1)
}

fn range(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|d| *d <= to).collect()
}

/// National Day and Mid-Autumn 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
fn golden_week_2025() -> WorkCalendar {
    WorkCalendar::new(range(date(2025, 10, 1), date(2025, 10, 8)), [date(2025, 9, 28), date(2025, 10, 11)]).unwrap()
}

/// Spring Festival 2025: 28 January – 4 February off, Sunday 26 January and Saturday 8 February worked.
fn spring_festival_2025() -> WorkCalendar {
    WorkCalendar::new(range(date(2025, 1, 28), date(2025, 2, 4)), [date(2025, 1, 26), date(2025, 2, 8)]).unwrap()
}

fn per(emergency: Span, urgent: Span, normal: Span) -> PerUrgency {
    PerUrgency { emergency, urgent, normal }
}

fn policy() -> SlaPolicy {
    SlaPolicy {
        accept: per(Span::CalendarHours(1), Span::CalendarHours(4), Span::CalendarHours(24)),
        verify: per(Span::CalendarHours(2), Span::CalendarHours(12), Span::WorkingDays(2)),
        department_acceptance: per(Span::CalendarHours(3), Span::WorkingDays(1), Span::WorkingDays(3)),
        rectification: PerLevel { general: Span::WorkingDays(5), major: Span::CalendarDays(60) },
        check: per(Span::CalendarHours(6), Span::WorkingDays(2), Span::WorkingDays(4)),
        escalation: EscalationPolicy { dispatcher_after_hours: 24, district_after_hours: 48 },
    }
}

fn working(start: DateTime<Utc>, n: u32, calendar: &WorkCalendar) -> DateTime<Utc> {
    add_span(start, Span::WorkingDays(n), calendar).unwrap()
}

#[test]
fn weekends_are_off_unless_made_up_and_holidays_are_off() {
    let plain = WorkCalendar::default();
    let week: Vec<bool> =
        range(date(2025, 1, 6), date(2025, 1, 12)).into_iter().map(|d| plain.is_working_day(d)).collect();
    assert_eq!(week, [true, true, true, true, true, false, false]);
    let gw = golden_week_2025();
    assert!(gw.is_working_day(date(2025, 9, 28)), "make-up Sunday");
    assert!(gw.is_working_day(date(2025, 10, 11)), "make-up Saturday");
    assert!(!gw.is_working_day(date(2025, 10, 1)));
    assert!(!gw.is_working_day(date(2025, 10, 8)), "a Wednesday inside the holiday");
    assert!(gw.is_working_day(date(2025, 10, 9)));
    assert!(!gw.is_working_day(date(2025, 10, 12)), "an ordinary Sunday");
    assert_eq!(gw.holidays().count(), 8);
    assert_eq!(gw.makeup_workdays().collect::<Vec<_>>(), [date(2025, 9, 28), date(2025, 10, 11)]);
}

#[test]
fn contradictory_calendar_data_is_refused() {
    let sat = date(2025, 10, 11);
    assert_eq!(WorkCalendar::new([sat], [sat]), Err(CalendarError::Conflict(sat)));
    let wed = date(2025, 10, 8);
    assert_eq!(WorkCalendar::new([], [wed]), Err(CalendarError::MakeupOnWeekday(wed)));
    let bad: Result<WorkCalendar, _> =
        serde_json::from_str(r#"{"holidays": ["2025-10-11"], "makeup_workdays": ["2025-10-11"]}"#);
    assert!(bad.is_err());
}

#[test]
fn calendar_loads_from_and_saves_to_plain_data() {
    let json = r#"{"holidays": ["2025-10-02", "2025-10-01"], "makeup_workdays": ["2025-09-28"]}"#;
    let calendar: WorkCalendar = serde_json::from_str(json).unwrap();
    assert!(!calendar.is_working_day(date(2025, 10, 2)));
    let saved = serde_json::to_value(&calendar).unwrap();
    assert_eq!(saved, serde_json::json!({"holidays": ["2025-10-01", "2025-10-02"], "makeup_workdays": ["2025-09-28"]}));
}

#[test]
fn china_days_start_at_1600_utc() {
    assert_eq!(cst_date(Utc.with_ymd_and_hms(2025, 1, 2, 15, 59, 59).unwrap()), date(2025, 1, 2));
    assert_eq!(cst_date(Utc.with_ymd_and_hms(2025, 1, 2, 16, 0, 0).unwrap()), date(2025, 1, 3));
    assert_eq!(cst_day_end(date(2025, 1, 3)), Some(Utc.with_ymd_and_hms(2025, 1, 3, 16, 0, 0).unwrap()));
    assert_eq!(cst_day_end(NaiveDate::MAX), None);
    assert_eq!(cst_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
    assert_eq!(cst_date(DateTime::<Utc>::MIN_UTC), NaiveDate::MIN);
    assert!(cst_day_end(NaiveDate::MIN).is_some());
    assert_eq!(CST_OFFSET_SECS, 28_800);
}

#[test]
fn working_days_skip_the_weekend() {
    let plain = WorkCalendar::default();
    let friday = cst(2025, 1, 3, 10, 0);
    assert_eq!(working(friday, 0, &plain), end_of(2025, 1, 3));
    assert_eq!(working(friday, 1, &plain), end_of(2025, 1, 6));
    assert_eq!(working(friday, 5, &plain), end_of(2025, 1, 10));
    assert_eq!(working(friday, 6, &plain), end_of(2025, 1, 13));
    assert_eq!(working(cst(2025, 1, 4, 9, 0), 1, &plain), end_of(2025, 1, 6), "from Saturday");
    assert_eq!(working(cst(2025, 1, 5, 23, 59), 1, &plain), end_of(2025, 1, 6), "from late Sunday");
    assert_eq!(working(cst(2025, 1, 6, 0, 0), 1, &plain), end_of(2025, 1, 7), "from Monday's first minute");
}

#[test]
fn working_days_are_counted_on_china_dates_not_utc_dates() {
    let plain = WorkCalendar::default();
    // Thursday 17:00 UTC is already Friday 01:00 in China.
    let start = Utc.with_ymd_and_hms(2025, 1, 2, 17, 0, 0).unwrap();
    assert_eq!(working(start, 1, &plain), end_of(2025, 1, 6));
    assert_eq!(working(start, 1, &plain), Utc.with_ymd_and_hms(2025, 1, 6, 16, 0, 0).unwrap());
    // One second earlier it is still Thursday in China.
    let before = Utc.with_ymd_and_hms(2025, 1, 2, 15, 59, 59).unwrap();
    assert_eq!(working(before, 1, &plain), end_of(2025, 1, 3));
}

#[test]
fn golden_week_and_its_make_up_days() {
    let gw = golden_week_2025();
    assert_eq!(working(cst(2025, 9, 30, 9, 0), 1, &gw), end_of(2025, 10, 9), "the holiday is skipped");
    assert_eq!(working(cst(2025, 9, 26, 9, 0), 1, &gw), end_of(2025, 9, 28), "the make-up Sunday counts");
    assert_eq!(working(cst(2025, 9, 28, 9, 0), 1, &gw), end_of(2025, 9, 29));
    assert_eq!(working(cst(2025, 10, 10, 9, 0), 1, &gw), end_of(2025, 10, 11), "the make-up Saturday counts");
    assert_eq!(working(cst(2025, 10, 3, 9, 0), 3, &gw), end_of(2025, 10, 11));
    assert_eq!(working(cst(2025, 10, 3, 9, 0), 4, &gw), end_of(2025, 10, 13));
    // Without the data the same request lands inside the holiday.
    assert_eq!(working(cst(2025, 9, 30, 9, 0), 1, &WorkCalendar::default()), end_of(2025, 10, 1));
    let spring = spring_festival_2025();
    assert_eq!(working(cst(2025, 1, 24, 18, 0), 1, &spring), end_of(2025, 1, 26));
    assert_eq!(working(cst(2025, 1, 27, 18, 0), 1, &spring), end_of(2025, 2, 5));
    assert_eq!(working(cst(2025, 2, 7, 18, 0), 1, &spring), end_of(2025, 2, 8));
}

#[test]
fn working_days_match_a_brute_force_count_over_a_season() {
    let calendars = [WorkCalendar::default(), golden_week_2025(), spring_festival_2025()];
    for calendar in &calendars {
        for start_day in range(date(2025, 1, 1), date(2025, 11, 30)) {
            for hour in [0, 7, 8, 15, 16, 23] {
                let start = Utc.from_utc_datetime(&start_day.and_hms_opt(hour, 30, 0).unwrap());
                for n in 0..=12 {
                    let due = working(start, n, calendar);
                    let last = cst_date(due - TimeDelta::seconds(1));
                    assert_eq!(due, cst_day_end(last).unwrap(), "deadlines fall at 24:00 CST");
                    let first = cst_date(start);
                    let counted = range(first.succ_opt().unwrap(), last)
                        .into_iter()
                        .filter(|d| calendar.is_working_day(*d))
                        .count();
                    assert_eq!(counted, n as usize, "start {start}, n {n}");
                    if n > 0 {
                        assert!(calendar.is_working_day(last), "ends on a working day: {last}");
                    } else {
                        assert_eq!(last, first);
                    }
                }
            }
        }
    }
}

#[test]
fn with_every_weekend_made_up_working_days_equal_calendar_days() {
    let weekends = range(date(2025, 1, 1), date(2025, 12, 31))
        .into_iter()
        .filter(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
    let all_work = WorkCalendar::new([], weekends).unwrap();
    let start = cst(2025, 3, 7, 11, 0);
    for n in 0..200 {
        assert_eq!(working(start, n, &all_work), add_span(start, Span::CalendarDays(n), &all_work).unwrap());
        assert!(working(start, n, &WorkCalendar::default()) >= working(start, n, &all_work));
    }
}

#[test]
fn calendar_hours_and_days_ignore_the_calendar() {
    let gw = golden_week_2025();
    let start = cst(2025, 9, 30, 22, 15);
    assert_eq!(add_span(start, Span::CalendarHours(0), &gw).unwrap(), start);
    assert_eq!(add_span(start, Span::CalendarHours(4), &gw).unwrap(), cst(2025, 10, 1, 2, 15));
    assert_eq!(add_span(start, Span::CalendarDays(0), &gw).unwrap(), end_of(2025, 9, 30));
    assert_eq!(add_span(start, Span::CalendarDays(1), &gw).unwrap(), end_of(2025, 10, 1));
    assert_eq!(add_span(start, Span::CalendarDays(31), &gw).unwrap(), end_of(2025, 10, 31));
}

#[test]
fn overlong_and_out_of_range_spans_are_errors_not_panics() {
    let plain = WorkCalendar::default();
    let now = cst(2025, 1, 1, 0, 0);
    assert!(add_span(now, Span::WorkingDays(MAX_SPAN_DAYS), &plain).is_ok());
    assert_eq!(
        add_span(now, Span::WorkingDays(MAX_SPAN_DAYS + 1), &plain),
        Err(SlaError::SpanTooLong(Span::WorkingDays(3661)))
    );
    assert!(add_span(now, Span::CalendarDays(u32::MAX), &plain).is_err());
    assert!(add_span(now, Span::CalendarHours(MAX_SPAN_DAYS * 24), &plain).is_ok());
    assert!(add_span(now, Span::CalendarHours(MAX_SPAN_DAYS * 24 + 1), &plain).is_err());
    let end = DateTime::<Utc>::MAX_UTC;
    assert_eq!(add_span(end, Span::CalendarHours(1), &plain), Err(SlaError::OutOfRange));
    assert_eq!(add_span(end, Span::WorkingDays(1), &plain), Err(SlaError::OutOfRange));
    assert_eq!(add_span(end, Span::CalendarDays(0), &plain), Err(SlaError::OutOfRange));
    let start = DateTime::<Utc>::MIN_UTC;
    assert!(add_span(start, Span::WorkingDays(3), &plain).is_ok());
}

#[test]
fn due_at_uses_the_span_of_the_step_and_urgency() {
    let p = policy();
    let gw = golden_week_2025();
    let start = cst(2025, 9, 30, 10, 0);
    let due = |step| due_at(step, start, &p, &gw).unwrap();
    assert_eq!(due(Step::Accept(Urgency::Emergency)), cst(2025, 9, 30, 11, 0));
    assert_eq!(due(Step::Accept(Urgency::Urgent)), cst(2025, 9, 30, 14, 0));
    assert_eq!(due(Step::Accept(Urgency::Normal)), cst(2025, 10, 1, 10, 0));
    assert_eq!(due(Step::Verify(Urgency::Normal)), end_of(2025, 10, 10));
    assert_eq!(due(Step::DepartmentAcceptance(Urgency::Urgent)), end_of(2025, 10, 9));
    assert_eq!(due(Step::DepartmentAcceptance(Urgency::Emergency)), cst(2025, 9, 30, 13, 0));
    assert_eq!(due(Step::Rectification(HazardLevel::General)), end_of(2025, 10, 14));
    assert_eq!(due(Step::Rectification(HazardLevel::Major)), end_of(2025, 11, 29));
    assert_eq!(due(Step::Check(Urgency::Normal)), end_of(2025, 10, 13));
    assert_eq!(p.span(Step::Check(Urgency::Emergency)), Span::CalendarHours(6));
}

#[test]
fn steps_follow_the_status() {
    use TicketStatus as S;
    let u = Urgency::Urgent;
    assert_eq!(Step::for_status(S::Assigned, u, None), Some(Step::Accept(u)));
    assert_eq!(Step::for_status(S::Verifying, u, None), Some(Step::Verify(u)));
    assert_eq!(Step::for_status(S::Confirmed, u, Some(HazardLevel::Major)), Some(Step::DepartmentAcceptance(u)));
    assert_eq!(
        Step::for_status(S::Rectifying, u, Some(HazardLevel::Major)),
        Some(Step::Rectification(HazardLevel::Major))
    );
    assert_eq!(Step::for_status(S::Rectifying, u, None), None);
    assert_eq!(Step::for_status(S::AwaitingCheck, u, None), Some(Step::Check(u)));
    for s in [S::Unrouted, S::Closed, S::Rejected] {
        assert_eq!(Step::for_status(s, u, Some(HazardLevel::General)), None);
    }
}

#[test]
fn overdue_only_strictly_after_the_deadline() {
    let deadline = cst(2025, 10, 9, 17, 0);
    assert!(!is_overdue(deadline, deadline - TimeDelta::seconds(1)));
    assert!(!is_overdue(deadline, deadline));
    assert!(is_overdue(deadline, deadline + TimeDelta::milliseconds(1)));
}

#[test]
fn at_risk_from_the_fraction_until_the_deadline() {
    let start = cst(2025, 10, 9, 8, 0);
    let deadline = start + TimeDelta::hours(10);
    let at = |h: i64, m: i64| start + TimeDelta::hours(h) + TimeDelta::minutes(m);
    assert!(!at_risk(start, deadline, at(7, 59), 0.8));
    assert!(at_risk(start, deadline, at(8, 0), 0.8), "exactly 80 % gone");
    assert!(at_risk(start, deadline, deadline, 0.8));
    assert!(!at_risk(start, deadline, deadline + TimeDelta::milliseconds(1), 0.8), "overdue, not at risk");
    assert!(at_risk(start, deadline, start, 0.0));
    assert!(!at_risk(start, deadline, at(9, 59), 1.0));
    assert!(at_risk(start, deadline, deadline, 1.0));
    assert!(!at_risk(start, deadline, at(9, 0), f64::NAN));
    assert!(at_risk(start, start, start, 0.5), "an empty window is at risk until it passes");
}

#[test]
fn escalation_climbs_strictly_after_each_interval() {
    let p = policy();
    let deadline = cst(2025, 10, 9, 17, 0);
    let level = |late: TimeDelta| escalation_level(deadline, deadline + late, &p);
    let ms = TimeDelta::milliseconds(1);
    assert_eq!(level(TimeDelta::hours(-5)), EscalationLevel::None);
    assert_eq!(level(TimeDelta::zero()), EscalationLevel::None);
    assert_eq!(level(ms), EscalationLevel::RemindAssignee);
    assert_eq!(level(TimeDelta::hours(24)), EscalationLevel::RemindAssignee);
    assert_eq!(level(TimeDelta::hours(24) + ms), EscalationLevel::Dispatcher);
    assert_eq!(level(TimeDelta::hours(72)), EscalationLevel::Dispatcher);
    assert_eq!(level(TimeDelta::hours(72) + ms), EscalationLevel::District);
    assert_eq!(level(TimeDelta::days(365)).as_u8(), 3);
    let levels: Vec<u8> = [
        EscalationLevel::None,
        EscalationLevel::RemindAssignee,
        EscalationLevel::Dispatcher,
        EscalationLevel::District,
    ]
    .iter()
    .map(|l| l.as_u8())
    .collect();
    assert_eq!(levels, [0, 1, 2, 3]);
    let zero = SlaPolicy { escalation: EscalationPolicy { dispatcher_after_hours: 0, district_after_hours: 0 }, ..p };
    assert_eq!(escalation_level(deadline, deadline + ms, &zero), EscalationLevel::District);
}

#[test]
fn policy_reads_from_configuration_shaped_data() {
    let p = policy();
    let json = serde_json::to_value(p).unwrap();
    assert_eq!(json["accept"]["urgent"], serde_json::json!({"calendar_hours": 4}));
    assert_eq!(json["rectification"]["general"], serde_json::json!({"working_days": 5}));
    assert_eq!(serde_json::from_value::<SlaPolicy>(json).unwrap(), p);
    let step = serde_json::to_value(Step::Rectification(HazardLevel::Major)).unwrap();
    assert_eq!(step, serde_json::json!({"step": "rectification", "of": "major"}));
}
