//! The engine's paths, and random conversations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::{
    geo::{categories::SEEDS, point::GeoPoint, region::RegionLevel},
    intake::{nlu::CategoryWords, places::GazetteerEntry},
};
use proptest::prelude::*;

fn lexicon() -> Lexicon {
    let words: Vec<CategoryWords> = SEEDS
        .iter()
        .map(|s| CategoryWords {
            code: s.code.to_owned(),
            name_zh: s.zh.to_owned(),
            name_en: s.en.to_owned(),
            keywords: s
                .keywords
                .iter()
                .map(|k| crate::geo::categories::Keyword {
                    word: k.trim_end_matches('*').to_owned(),
                    weight: if k.ends_with('*') { 0.5 } else { 1.0 },
                })
                .collect(),
        })
        .collect();
    Lexicon::new(&words)
}

fn gazetteer() -> Gazetteer {
    Gazetteer::new(vec![GazetteerEntry {
        region_id: Uuid::from_u128(7),
        level: RegionLevel::Community,
        name: "幸福社区".into(),
        label: "幸福社区 · 湖滨街道 · 东湖区".into(),
        center: GeoPoint::parse(28.18, 112.90).unwrap(),
    }])
}

fn names(code: &str) -> Option<(String, String)> {
    SEEDS.iter().find(|s| s.code == code).map(|s| (s.zh.to_owned(), s.en.to_owned()))
}

struct Harness {
    lexicon: Lexicon,
    gazetteer: Gazetteer,
}

/// Built once: the segmenter's dictionary takes a while to load.
static HARNESS: std::sync::LazyLock<Harness> =
    std::sync::LazyLock::new(|| Harness { lexicon: lexicon(), gazetteer: gazetteer() });

impl Harness {
    fn new() -> &'static Self {
        &HARNESS
    }

    fn step(&self, s: Session, inbound: Inbound, now: DateTime<Utc>) -> Turn {
        let ctx = Context {
            lexicon: &self.lexicon,
            gazetteer: &self.gazetteer,
            category_names: &names,
            campaign: None,
            ttl: TimeDelta::minutes(30),
            wechat: true,
        };
        step(&ctx, s, inbound, now)
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc)
}

fn text(t: &str) -> Inbound {
    Inbound::Text(t.into())
}

fn texts(replies: &[Reply]) -> String {
    replies
        .iter()
        .map(|r| match r {
            Reply::Text(t) => t.clone(),
            Reply::Card { title, text, buttons, .. } => format!(
                "{title} {} {}",
                text.clone().unwrap_or_default(),
                buttons.iter().map(|b| b.value.clone()).collect::<Vec<_>>().join(" ")
            ),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pin() -> Inbound {
    Inbound::Location { point: Point { lat: 28.18, lng: 112.9 }, label: None, located: Some("幸福社区".into()) }
}

fn brief(n: u8) -> TicketBrief {
    TicketBrief {
        id: Uuid::from_u128(u128::from(n)),
        number: format!("YH2026112300{n:02}"),
        status: "已派单".into(),
        next: Some("网格员到现场核实".into()),
        due_at: Some(t0() + TimeDelta::hours(4)),
        handler: Some("东湖区消防救援大队".into()),
    }
}

/// Walks a report to its summary: description with category, pin, no photo, not anonymous.
fn to_summary(h: &Harness) -> Session {
    let mut s = Session::default();
    for inbound in [text("楼道里堆放杂物，消防通道堵死了"), pin(), Inbound::Choice("#skip".into())] {
        s = h.step(s, inbound, t0()).session;
    }
    let turn = h.step(s, Inbound::Choice("#anon:no".into()), t0());
    assert_eq!(turn.session.stage, Stage::Confirming, "{}", texts(&turn.replies));
    turn.session
}

#[test]
fn a_full_first_message_skips_the_questions_it_answers() {
    let h = Harness::new();
    let turn = h.step(Session::default(), text("楼道里堆放杂物，消防通道堵死了"), t0());
    assert_eq!(turn.session.draft.category.as_deref(), Some("fire"));
    assert_eq!(turn.session.stage, Stage::Asking { slot: Slot::Location, editing: false });
    assert!(turn.effects.is_empty());
}

#[test]
fn confirming_files_the_draft_and_the_outcome_answers_with_the_number() {
    let h = Harness::new();
    let s = to_summary(h);
    let turn = h.step(s, Inbound::Choice("#confirm".into()), t0());
    let Some(Effect::CreateTicket(draft)) = turn.effects.first() else { panic!("{:?}", turn.effects) };
    assert!(draft.check_duplicates && !draft.anonymous && !draft.approximate);
    assert_eq!((draft.category.as_str(), draft.urgency), ("fire", Urgency::Normal));
    let done = h.step(turn.session, Inbound::Outcome(Outcome::Created(brief(7))), t0());
    assert!(texts(&done.replies).contains("YH202611230007"));
    assert!(texts(&done.replies).contains("东湖区消防救援大队"));
    assert_eq!(done.session.stage, Stage::Idle);
    assert_eq!(done.session.draft, Draft::default());
}

#[test]
fn duplicates_are_asked_about_and_no_means_file_anyway() {
    let h = Harness::new();
    let s = to_summary(h);
    let turn = h.step(s, Inbound::Choice("#confirm".into()), t0());
    let asked = h.step(turn.session, Inbound::Outcome(Outcome::Duplicates(vec![brief(3)])), t0());
    assert!(texts(&asked.replies).contains("#dup:follow:"));
    let no = h.step(asked.session.clone(), text("不是"), t0());
    let Some(Effect::CreateTicket(draft)) = no.effects.first() else { panic!() };
    assert!(!draft.check_duplicates);
    let yes = h.step(asked.session, text("是的"), t0());
    assert_eq!(yes.effects, vec![Effect::Follow { ticket_id: Uuid::from_u128(3) }]);
}

#[test]
fn an_emergency_answers_whom_to_call_before_anything_else() {
    let h = Harness::new();
    let turn = h.step(Session::default(), text("楼下着火了，好大的烟"), t0());
    let Reply::Text(first) = &turn.replies[0] else { panic!() };
    assert!(first.contains("119"), "{first}");
    assert_eq!(turn.session.draft.urgency, Some(Urgency::Emergency));
    // The pin files it at once, without the summary.
    let filed = h.step(turn.session, pin(), t0());
    let Some(Effect::CreateTicket(draft)) = filed.effects.first() else { panic!("{:?}", filed.replies) };
    assert_eq!(draft.urgency, Urgency::Emergency);
    assert!(!draft.check_duplicates);
    let after = h.step(filed.session, Inbound::Outcome(Outcome::Created(brief(1))), t0());
    let photo =
        h.step(after.session, Inbound::Image { media_id: Uuid::from_u128(9), gps: None, gps_label: None }, t0());
    assert_eq!(
        photo.effects,
        vec![Effect::AddToTicket { ticket_id: Uuid::from_u128(1), text: None, media_id: Some(Uuid::from_u128(9)) }]
    );
}

#[test]
fn a_correction_on_the_summary_replaces_the_building() {
    let h = Harness::new();
    let mut s = Session::default();
    for inbound in
        [text("幸福小区3栋楼道堆放杂物"), pin(), Inbound::Choice("#skip".into()), Inbound::Choice("#anon:no".into())]
    {
        s = h.step(s, inbound, t0()).session;
    }
    assert_eq!(s.stage, Stage::Confirming);
    let turn = h.step(s, text("不对，是5栋"), t0());
    assert_eq!(turn.session.draft.place_details, vec!["5栋".to_owned(), "楼道".to_owned()]);
    assert!(turn.session.draft.description.as_deref().unwrap().contains("5栋"));
    assert_eq!(turn.session.stage, Stage::Confirming);
}

#[test]
fn commands_work_at_any_point() {
    let h = Harness::new();
    let s = to_summary(h);
    let back = h.step(s.clone(), text("返回"), t0());
    assert_eq!(back.session.stage, Stage::Asking { slot: Slot::Anonymous, editing: false });
    let cancel = h.step(s.clone(), text("cancel"), t0());
    assert_eq!(cancel.session.draft, Draft::default());
    let agent = h.step(s, text("转人工"), t0());
    assert!(matches!(agent.effects.as_slice(), [Effect::HandOff { .. }]));
    assert_eq!(agent.session.stage, Stage::Human);
}

#[test]
fn numbers_pick_buttons_for_channels_without_them() {
    let h = Harness::new();
    let s = h.step(Session::default(), Inbound::Choice("#menu".into()), t0()).session;
    let turn = h.step(s, text("2"), t0());
    assert_eq!(turn.effects, vec![Effect::Query(TicketQuery::Mine)]);
}

#[test]
fn an_idle_session_offers_its_draft_once() {
    let h = Harness::new();
    let s = h.step(Session::default(), text("路灯坏了"), t0()).session;
    let later = t0() + TimeDelta::minutes(45);
    let offered = h.step(s, text("你好"), later);
    assert_eq!(offered.session.stage, Stage::ResumeOffer);
    let ignored = h.step(offered.session, text("你好"), later);
    assert!(ignored.session.expired.is_none(), "offered once");
}

/// Inbounds a person could send, including nonsense and stale buttons.
fn inbound() -> impl Strategy<Value = Inbound> {
    let phrases = prop::sample::select(vec![
        "你好",
        "我要上报",
        "楼道里电动车在充电",
        "幸福小区3栋",
        "不对，是5栋",
        "取消",
        "算了",
        "重新开始",
        "返回",
        "跳过",
        "帮助",
        "转人工",
        "我的上报",
        "YH202611230007",
        "是",
        "不是",
        "好了",
        "匿名",
        "1",
        "2",
        "9",
        "",
        "着火了",
        "昨天着过火现在灭了",
        "井盖没了",
        "Smoke in the kitchen",
        "cancel",
        "back",
        "skip",
        "help",
    ]);
    let choices = prop::sample::select(vec![
        "#menu",
        "#report",
        "#mine",
        "#lookup",
        "#agent",
        "#cancel",
        "#skip",
        "#restart",
        "#resume",
        "#cat:fire",
        "#cat:nope",
        "#place:0",
        "#place:9",
        "#gps",
        "#noplace",
        "#photos:done",
        "#anon:yes",
        "#anon:no",
        "#urgency:紧急",
        "#urgency:x",
        "#confirm",
        "#edit",
        "#edit:location",
        "#edit:bogus",
        "#dup:new",
        "#dup:follow:not-a-uuid",
        "#dup:follow:00000000-0000-0000-0000-000000000003",
        "#??",
    ]);
    prop_oneof![
        phrases.prop_map(|p| Inbound::Text(p.to_owned())),
        "\\PC{0,40}".prop_map(Inbound::Text),
        choices.prop_map(|c| Inbound::Choice(c.to_owned())),
        (any::<u8>(), any::<bool>()).prop_map(|(n, gps)| Inbound::Image {
            media_id: Uuid::from_u128(u128::from(n % 12)),
            gps: gps.then_some(Point { lat: 28.18, lng: 112.9 }),
            gps_label: None,
        }),
        Just(pin()),
        Just(Inbound::Tick),
    ]
}

/// A plausible outcome for an effect.
fn outcome(effect: &Effect, pick: u8) -> Outcome {
    match effect {
        Effect::CreateTicket(_) => match pick % 3 {
            0 => Outcome::Created(brief(1)),
            1 => Outcome::Duplicates(vec![brief(3)]),
            _ => Outcome::Failed("描述太长".into()),
        },
        Effect::Follow { .. } => Outcome::Followed(brief(3)),
        Effect::AddToTicket { .. } => Outcome::Added(brief(1)),
        Effect::HandOff { .. } => Outcome::HandedOff,
        Effect::Query(_) => Outcome::Tickets(if pick.is_multiple_of(2) { vec![] } else { vec![brief(5)] }),
    }
}

fn run(h: &Harness, script: &[(Inbound, u8, u16)]) -> Vec<(Session, Vec<Reply>, Vec<Effect>)> {
    let mut s = Session::default();
    let mut now = t0();
    let mut out = Vec::new();
    for (inbound, pick, minutes) in script {
        now += TimeDelta::minutes(i64::from(*minutes % 50));
        let quiet = s.stage == Stage::Human || matches!(inbound, Inbound::Tick);
        let turn = h.step(s, inbound.clone(), now);
        if !quiet {
            assert!(!turn.replies.is_empty() || !turn.effects.is_empty(), "{inbound:?} got no answer");
        }
        s = turn.session;
        out.push((s.clone(), turn.replies, turn.effects.clone()));
        for effect in &turn.effects {
            let turn = h.step(s, Inbound::Outcome(outcome(effect, *pick)), now);
            s = turn.session;
            out.push((s.clone(), turn.replies, turn.effects));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random conversations never panic, every message is answered (a reply, or an effect whose
    /// outcome is), and the same conversation gives the same turns.
    #[test]
    fn random_conversations_always_answer_and_are_deterministic(
        script in prop::collection::vec((inbound(), any::<u8>(), any::<u16>()), 1..40)
    ) {
        let h = Harness::new();
        let first = run(h, &script);
        let second = run(h, &script);
        prop_assert_eq!(first, second);
    }
}
