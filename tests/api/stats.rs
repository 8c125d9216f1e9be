//! Statistics and the monthly bulletin over HTTP, on a hand-computed fixture: twelve tickets walked
//! through the workflow at set times (a `ManualClock`), every figure asserted. The expected values
//! are worked out in the comments from the timeline below, not read back from the service.
//!
//! Times are China time (+08:00). T0 = Monday 2026-11-02 09:00. Streets: s1 = community 0's street,
//! s2 = community 3's street, both in the first district.
//!
//! | ticket | reported       | street | what happens                                                     |
//! |--------|----------------|--------|------------------------------------------------------------------|
//! | K      | Fri 10-30 09:00 | s1    | confirmed, accepted (deadline +3 d), rectified at +1 h, closed    |
//! | K2     | Sat 10-31 23:00 | s2    | accepted with deadline 11-01 23:10, rectified 11-02 04:00 (late)  |
//! | L      | Sun 11-01 00:30 | s1    | withdrawn by the reporter (UTC date 10-31: a China-time bucket)   |
//! | A      | T0             | s1     | verify +2 h, accept +3 h (deadline T0+3 d), rectify +1 d, close +1 d 1 h; rated 5 |
//! | B      | T0+10 min      | s1     | verify T0+4 h, accept T0+5 h (deadline T0+2 d), rectify T0+3 d (late), close T0+3 d 2 h; rated 3 |
//! | C      | T0+20 min      | s1     | road facility; verify T0+6 h, accept T0+7 h (deadline T0+2 d, extended to T0+5 d), rectify T0+4 d, close T0+4 d 1 h; rated 4 |
//! | D      | T0+30 min      | s2     | verify T0+2 h, accept T0+3 h (deadline T0+2 d), never rectified: overdue, escalated |
//! | E      | T0+40 min      | s2     | fixed on the spot at T0+1 h; rated 4                              |
//! | F      | T0+45 min      | s1     | rejected: not a hazard                                            |
//! | G      | T0+46 min      | s1     | rejected: duplicate of A                                          |
//! | H      | T0+50 min      | s2     | confirmed, then cancelled as recorded in error                    |
//! | I      | T0+55 min      | s1     | reported by the grid worker (channel `staff`), never taken: escalated |
//! | J      | T0+5 d 1 h     | s1     | road facility; verify +1 h, accept +2 h (deadline +3 d), rectify +3 h: awaiting the check |
//!
//! The escalation job sweeps once, at T0+5 d: D (rectifying past its deadline) and I (never
//! accepted) are the open tickets past their step's deadline. The statistics are read at T0+5 d 4 h.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hazardline::{
    auth::Role,
    clock::{Clock, ManualClock},
    geo::{demo_city::grid_center, seed::grid_worker_phone},
    tickets::escalation::sweep,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{problem, spawn_app_with_clock, Session, TestApp},
    ticket_support::at as position,
    tickets::{act_ok, cast_in, login, make_staff_of, report, submit, upload_photo, Cast},
};

fn china(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}+08:00")).unwrap().with_timezone(&Utc)
}

fn t0() -> DateTime<Utc> {
    china("2026-11-02T09:00:00")
}

struct World {
    c: Cast,
    clock: ManualClock,
    /// The grid worker of community 3 (street s2).
    gw2: Session,
    seed: u8,
}

impl World {
    fn app(&self) -> &TestApp {
        &self.c.app
    }

    fn set(&self, t: DateTime<Utc>) {
        assert!(t >= self.clock.now(), "the timeline runs forward");
        self.clock.advance(t - self.clock.now());
    }

    fn worker(&self, community: usize) -> &Session {
        if community == 0 {
            &self.c.grid_worker
        } else {
            &self.gw2
        }
    }

    async fn report(&self, who: &Session, category: &str, community: usize, channel: Option<&str>) -> Value {
        let mut body = report(category, grid_center(community, 0), &[]);
        if let Some(channel) = channel {
            body["channel"] = json!(channel);
        }
        let t = submit(self.app(), who, &body).await["ticket"].clone();
        make_staff_of(self.app(), &self.c.dept_staff, &t["department_id"]).await;
        t
    }

    async fn photo(&mut self, who: &Session) -> String {
        self.seed += 1;
        upload_photo(&self.c.app, who, self.seed).await
    }

    /// The grid worker takes the check (now) and confirms it at `when`.
    async fn verify(&mut self, t: &Value, community: usize, when: DateTime<Utc>) -> Value {
        let gw = self.worker(community).clone();
        let t = act_ok(self.app(), &gw, t, json!({"action": "accept"})).await;
        self.set(when);
        let photo = self.photo(&gw).await;
        let body = json!({"action": "confirm", "level": "general", "evidence": [photo],
            "position": position(grid_center(community, 0))});
        act_ok(self.app(), &gw, &t, body).await
    }

    async fn accept(&self, t: &Value, deadline: DateTime<Utc>) -> Value {
        let body = json!({"action": "accept", "rectification": {"plan": "限期清理", "deadline": deadline}});
        act_ok(self.app(), &self.c.dept_staff, t, body).await
    }

    async fn complete(&mut self, t: &Value) -> Value {
        let staff = self.c.dept_staff.clone();
        let photo = self.photo(&staff).await;
        act_ok(self.app(), &staff, t, json!({"action": "complete", "evidence": [photo]})).await
    }

    async fn pass(&self, t: &Value, community: usize) -> Value {
        let body = json!({"action": "pass", "media": [], "position": position(grid_center(community, 0))});
        act_ok(self.app(), self.worker(community), t, body).await
    }

    async fn rate(&self, t: &Value, score: u8) {
        let path = format!("/api/v1/tickets/{}/rating", t["id"].as_str().unwrap());
        let res = self.app().post_json_as(&path, &self.c.resident.access_token, &json!({"score": score})).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }

    async fn get(&self, who: &Session, query: &str) -> Value {
        let res = self.app().get_as(&format!("/api/v1/stats{query}"), &who.access_token).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }
}

/// Builds the timeline of the module comment; returns at T0+5 d 4 h.
async fn world() -> World {
    let clock = ManualClock::new(china("2026-10-30T09:00:00"));
    let app = spawn_app_with_clock(Arc::new(clock.clone()), |s| {
        s.tickets.escalation_interval_secs = 86_400;
        // Tokens are checked against the real clock; this fixture lives in its own past.
        s.auth.access_token_ttl_secs = 10 * 365 * 86_400;
    })
    .await;
    let c = cast_in(app).await;
    let gw2 = login(&c.app, &grid_worker_phone(3), "demo password 1").await;
    let mut w = World { c, clock, gw2, seed: 0 };
    let resident = w.c.resident.clone();
    let h = Duration::hours;
    let m = Duration::minutes;

    // October: K on time in s1, K2 late in s2.
    let k = w.report(&resident, "fire", 0, None).await;
    let k = w.verify(&k, 0, china("2026-10-30T09:10:00")).await;
    let k = w.accept(&k, china("2026-11-02T09:00:00")).await;
    w.set(china("2026-10-30T10:00:00"));
    let k = w.complete(&k).await;
    w.pass(&k, 0).await;
    w.set(china("2026-10-31T23:00:00"));
    let k2 = w.report(&resident, "fire", 3, None).await;
    let k2 = w.verify(&k2, 3, china("2026-10-31T23:05:00")).await;
    let k2 = w.accept(&k2, china("2026-11-01T23:10:00")).await;
    w.set(china("2026-11-01T00:30:00"));
    let l = w.report(&resident, "fire", 0, None).await;
    w.set(china("2026-11-01T00:35:00"));
    act_ok(w.app(), &resident, &l, json!({"action": "withdraw"})).await;
    w.set(china("2026-11-02T04:00:00"));
    let k2 = w.complete(&k2).await;
    w.pass(&k2, 3).await;

    // November.
    w.set(t0());
    let a = w.report(&resident, "fire", 0, None).await;
    w.set(t0() + m(10));
    let b = w.report(&resident, "fire", 0, None).await;
    w.set(t0() + m(20));
    let c = w.report(&resident, "road_facility", 0, None).await;
    w.set(t0() + m(30));
    let d = w.report(&resident, "fire", 3, None).await;
    w.set(t0() + m(40));
    let e = w.report(&resident, "fire", 3, None).await;
    w.set(t0() + m(45));
    let f = w.report(&resident, "fire", 0, None).await;
    w.set(t0() + m(46));
    let g = w.report(&resident, "fire", 0, None).await;
    w.set(t0() + m(50));
    let hh = w.report(&resident, "fire", 3, None).await;
    w.set(t0() + m(55));
    let gw1 = w.c.grid_worker.clone();
    w.report(&gw1, "fire", 0, Some("staff")).await;

    w.set(t0() + h(1));
    let gw2 = w.gw2.clone();
    let e = act_ok(w.app(), &gw2, &e, json!({"action": "accept"})).await;
    let photo = w.photo(&gw2).await;
    let body = json!({"action": "resolve_on_spot", "evidence": [photo], "position": position(grid_center(3, 0))});
    let e = act_ok(w.app(), &gw2, &e, body).await;
    let mut taken = Vec::new();
    for (t, community) in [(&b, 0), (&c, 0), (&f, 0), (&g, 0)] {
        taken.push(act_ok(w.app(), w.worker(community), t, json!({"action": "accept"})).await);
    }
    let [b, c, f, g] = <[Value; 4]>::try_from(taken).unwrap();
    let a = w.verify(&a, 0, t0() + h(2)).await;
    let d = w.verify(&d, 3, t0() + h(2)).await;
    let hh = w.verify(&hh, 3, t0() + h(2)).await;
    let gw1 = w.c.grid_worker.clone();
    act_ok(w.app(), &gw1, &f, json!({"action": "reject", "ground": {"kind": "not_a_hazard"}})).await;
    act_ok(w.app(), &gw1, &g, json!({"action": "reject", "ground": {"kind": "duplicate_of", "ticket_id": a["id"]}}))
        .await;
    let hh = act_ok(w.app(), &gw2, &hh, json!({"action": "cancel_as_error", "reason": "登记有误"})).await;
    let dispatcher = w.c.dispatcher.clone();
    act_ok(w.app(), &dispatcher, &hh, json!({"action": "approve_request"})).await;

    w.set(t0() + h(3));
    let a = w.accept(&a, t0() + Duration::days(3)).await;
    let d = w.accept(&d, t0() + Duration::days(2)).await;
    let _ = d;
    w.set(t0() + h(4));
    let gw1 = w.c.grid_worker.clone();
    let photo = w.photo(&gw1).await;
    let body =
        json!({"action": "confirm", "level": "general", "evidence": [photo], "position": position(grid_center(0, 0))});
    let b = act_ok(w.app(), &gw1, &b, body).await;
    w.set(t0() + h(5));
    let b = w.accept(&b, t0() + Duration::days(2)).await;
    w.set(t0() + h(6));
    let photo = w.photo(&gw1).await;
    let body =
        json!({"action": "confirm", "level": "general", "evidence": [photo], "position": position(grid_center(0, 0))});
    let c = act_ok(w.app(), &gw1, &c, body).await;
    w.set(t0() + h(7));
    let c = w.accept(&c, t0() + Duration::days(2)).await;

    w.set(t0() + Duration::days(1));
    let a = w.complete(&a).await;
    let staff = w.c.dept_staff.clone();
    let body = json!({"action": "extend_deadline", "until": t0() + Duration::days(5), "reason": "需协调施工单位"});
    let c = act_ok(w.app(), &staff, &c, body).await;
    let c = act_ok(w.app(), &dispatcher, &c, json!({"action": "approve_request"})).await;
    w.set(t0() + Duration::days(1) + h(1));
    let a = w.pass(&a, 0).await;
    w.rate(&a, 5).await;
    w.set(t0() + Duration::days(3));
    let b = w.complete(&b).await;
    w.set(t0() + Duration::days(3) + h(2));
    let b = w.pass(&b, 0).await;
    w.rate(&b, 3).await;
    w.set(t0() + Duration::days(4));
    let c = w.complete(&c).await;
    w.set(t0() + Duration::days(4) + h(1));
    let c = w.pass(&c, 0).await;
    w.rate(&c, 4).await;
    w.rate(&e, 4).await;

    w.set(t0() + Duration::days(5));
    assert_eq!(sweep(&w.c.app.state).await.unwrap(), 2, "D and I are past their step's deadline");

    w.set(t0() + Duration::days(5) + h(1));
    let j = w.report(&resident, "road_facility", 0, None).await;
    w.set(t0() + Duration::days(5) + h(1) + m(30));
    let j = act_ok(w.app(), &gw1, &j, json!({"action": "accept"})).await;
    w.set(t0() + Duration::days(5) + h(2));
    let photo = w.photo(&gw1).await;
    let body =
        json!({"action": "confirm", "level": "general", "evidence": [photo], "position": position(grid_center(0, 0))});
    let j = act_ok(w.app(), &gw1, &j, body).await;
    w.set(t0() + Duration::days(5) + h(3));
    let j = w.accept(&j, t0() + Duration::days(8) + h(1)).await;
    w.set(t0() + Duration::days(5) + h(4));
    let j = w.complete(&j).await;
    assert_eq!(j["status"], "awaiting_check");
    w
}

/// The counts of a figures object, in the order of `COUNT_NAMES`.
const COUNT_NAMES: [&str; 11] = [
    "reported",
    "duplicates",
    "awaiting_verification",
    "verified",
    "rejected",
    "recorded_in_error",
    "rectifying",
    "closed",
    "overdue",
    "escalated",
    "escalations",
];

fn counts(f: &Value) -> Vec<i64> {
    COUNT_NAMES.iter().map(|n| f[n].as_i64().unwrap_or_else(|| panic!("{n} in {f}"))).collect()
}

/// (numerator, denominator, percent) of a rate; percent -1 for null.
fn rate(f: &Value, name: &str) -> (i64, i64, f64) {
    let r = &f[name];
    (r["numerator"].as_i64().unwrap(), r["denominator"].as_i64().unwrap(), r["percent"].as_f64().unwrap_or(-1.0))
}

/// (count, median, p90) of a step; -1 for null.
fn step(f: &Value, name: &str) -> (i64, i64, i64) {
    let s = &f["step_times"][name];
    (s["count"].as_i64().unwrap(), s["median_secs"].as_i64().unwrap_or(-1), s["p90_secs"].as_i64().unwrap_or(-1))
}

fn group<'a>(body: &'a Value, key: &str) -> &'a Value {
    let groups = body["groups"].as_array().unwrap();
    &groups.iter().find(|g| g["key"] == key).unwrap_or_else(|| panic!("group {key} in {body}"))["figures"]
}

#[tokio::test]
async fn every_figure_of_a_month_matches_the_hand_computed_fixture() {
    let w = world().await;
    let dispatcher = w.c.dispatcher.clone();
    let body = w.get(&dispatcher, "?month=2026-11").await;
    assert_eq!(body["period"]["from"], "2026-10-31T16:00:00Z");
    assert_eq!(body["period"]["to"], "2026-11-30T16:00:00Z");
    assert_eq!(body["period"]["utc_offset"], "+08:00");
    assert!(body["groups"].as_array().unwrap().is_empty());
    let t = &body["totals"];
    // November: L A B C D E F G H I J. G is a duplicate; reported = 1 (I) + 6 (A B C D E J) + 2 (F L) + 1 (H).
    assert_eq!(counts(t), [10, 1, 1, 6, 2, 1, 2, 4, 1, 2, 2]);
    // Closed A B C E of verified A B C D E J.
    assert_eq!(rate(t, "rectification_rate"), (4, 6, 66.67));
    // Due: A B C J (rectified) and D (deadline passed); on time A, C (extended), J; B was late.
    assert_eq!(rate(t, "on_time_rate"), (3, 5, 60.0));
    // Ratings 5, 3, 4, 4.
    assert_eq!(rate(t, "satisfaction_rate"), (3, 4, 75.0));
    assert_eq!(t["average_rating"], json!({"sum": 16, "count": 4, "value": 4.0}));
    // Verify: E 1 200, J 3 600, D 5 400, A 7 200, B 13 800, C 20 400 s: 3rd and 6th of 6.
    assert_eq!(step(t, "verify"), (6, 5_400, 20_400));
    // Accept: J 7 200, D 9 000, A 10 800, B 17 400, C 24 000: 3rd and 5th of 5.
    assert_eq!(step(t, "accept"), (5, 10_800, 24_000));
    // Rectify: J 10 800, A 86 400, B 258 600, C 344 400: 2nd and 4th of 4.
    assert_eq!(step(t, "rectify"), (4, 86_400, 344_400));
    // Close: E 1 200, A 90 000, B 265 800, C 348 000.
    assert_eq!(step(t, "close"), (4, 90_000, 348_000));

    // October: K on time, K2 late, both closed.
    let oct = w.get(&dispatcher, "?from=2026-10-01&to=2026-11-01").await;
    assert_eq!(counts(&oct["totals"]), [2, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0]);
    assert_eq!(rate(&oct["totals"], "on_time_rate"), (1, 2, 50.0));
    assert_eq!(rate(&oct["totals"], "satisfaction_rate"), (0, 0, -1.0));
    assert_eq!(oct["totals"]["average_rating"]["value"], Value::Null);
}

#[tokio::test]
async fn breakdowns_add_up_and_cut_time_in_china_time() {
    let w = world().await;
    let dispatcher = w.c.dispatcher.clone();

    let by_street = w.get(&dispatcher, "?month=2026-11&group_by=street").await;
    assert_eq!(by_street["group_by"], "street");
    let rows = by_street["groups"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["label"], "湖滨街道", "most reports first");
    assert_eq!(rows[1]["label"], "望江街道");
    // s1: L A B C F G I J — G a duplicate; verified A B C J, closed A B C, on time A C J of A B C J.
    let s1 = &rows[0]["figures"];
    assert_eq!(counts(s1), [7, 1, 1, 4, 2, 0, 1, 3, 0, 1, 1]);
    assert_eq!(rate(s1, "rectification_rate"), (3, 4, 75.0));
    assert_eq!(rate(s1, "on_time_rate"), (3, 4, 75.0));
    assert_eq!(rate(s1, "satisfaction_rate"), (2, 3, 66.67));
    assert_eq!(step(s1, "verify"), (4, 7_200, 20_400));
    // s2: D E H — H cancelled in error, D overdue and escalated, E fixed on the spot.
    let s2 = &rows[1]["figures"];
    assert_eq!(counts(s2), [3, 0, 0, 2, 0, 1, 1, 1, 1, 1, 1]);
    assert_eq!(rate(s2, "on_time_rate"), (0, 1, 0.0));
    assert_eq!(step(s2, "close"), (1, 1_200, 1_200));
    assert_eq!(step(s2, "rectify"), (0, -1, -1));
    assert_eq!(by_street["totals"], w.get(&dispatcher, "?month=2026-11").await["totals"], "groups add up");

    let by_category = w.get(&dispatcher, "?month=2026-11&group_by=category").await;
    assert_eq!(counts(group(&by_category, "fire"))[..2], [8, 1]);
    assert_eq!(counts(group(&by_category, "road_facility")), [2, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0]);
    let by_channel = w.get(&dispatcher, "?month=2026-11&group_by=channel").await;
    assert_eq!(counts(group(&by_channel, "staff")), [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(counts(group(&by_channel, "app"))[0], 9);
    let by_department = w.get(&dispatcher, "?month=2026-11&group_by=department").await;
    assert_eq!(by_department["groups"].as_array().unwrap().len(), 2);
    assert_eq!(by_department["groups"][0]["figures"]["reported"], 8);

    // L was reported at 00:30 on Sunday 11-01 China time (10-31 in UTC): November's first day, and
    // the ISO week that began on Monday 10-26.
    let by_day = w.get(&dispatcher, "?month=2026-11&group_by=day").await;
    let days = by_day["groups"].as_array().unwrap();
    assert_eq!(days.len(), 30, "every day, empty ones too");
    assert_eq!((&days[0]["key"], days[0]["figures"]["reported"].as_i64()), (&json!("2026-11-01"), Some(1)));
    assert_eq!(counts(group(&by_day, "2026-11-02"))[..2], [8, 1]);
    assert_eq!(group(&by_day, "2026-11-07")["reported"], 1);
    assert_eq!(group(&by_day, "2026-11-03")["reported"], 0);
    let by_week = w.get(&dispatcher, "?month=2026-11&group_by=week").await;
    let weeks = by_week["groups"].as_array().unwrap();
    let keys: Vec<(&str, &str)> =
        weeks.iter().map(|g| (g["key"].as_str().unwrap(), g["label"].as_str().unwrap())).collect();
    assert_eq!(
        keys,
        [
            ("2026-10-26", "2026-W44"),
            ("2026-11-02", "2026-W45"),
            ("2026-11-09", "2026-W46"),
            ("2026-11-16", "2026-W47"),
            ("2026-11-23", "2026-W48"),
            ("2026-11-30", "2026-W49"),
        ]
    );
    assert_eq!(counts(&weeks[0]["figures"])[..5], [1, 0, 0, 0, 1]);
    assert_eq!(counts(&weeks[1]["figures"])[..2], [9, 1]);
    assert_eq!(step(&weeks[1]["figures"], "verify"), step(&by_day["totals"], "verify"));
    let by_month = w.get(&dispatcher, "?from=2026-10-01&to=2026-12-01&group_by=month").await;
    let months: Vec<(&str, i64)> = by_month["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["figures"]["reported"].as_i64().unwrap()))
        .collect();
    assert_eq!(months, [("2026-10", 2), ("2026-11", 10)]);

    // Filters narrow the cohort: a region, a category, a channel.
    let s2_id = rows[1]["key"].as_str().unwrap();
    let only_s2 = w.get(&dispatcher, &format!("?month=2026-11&region={s2_id}")).await;
    assert_eq!(only_s2["totals"], rows[1]["figures"]);
    let road = w.get(&dispatcher, "?month=2026-11&category=road_facility&channel=app").await;
    assert_eq!(road["totals"]["reported"], 2);
}

#[tokio::test]
async fn the_bulletin_ranks_streets_with_the_change_from_the_month_before() {
    let w = world().await;
    let res = w.app().get_as("/api/v1/stats/rankings?month=2026-11&by=street", &w.c.dispatcher.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["month"].as_str(), body["previous_month"].as_str()), (Some("2026-11"), Some("2026-10")));
    let entries = body["entries"].as_array().unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["湖滨街道", "望江街道"]);
    let (s1, s2) = (&entries[0], &entries[1]);
    // November: s1 3/4 closed, 3/4 on time, 0 overdue; s2 1/2, 0/1, 1 overdue.
    assert_eq!(rate(&s1["current"], "rectification_rate"), (3, 4, 75.0));
    assert_eq!(rate(&s2["current"], "rectification_rate"), (1, 2, 50.0));
    assert_eq!(rate(&s2["current"], "on_time_rate"), (0, 1, 0.0));
    assert_eq!(s1["current"]["ranks"], json!({"rectification_rate": 1, "on_time_rate": 1, "overdue": 1}));
    assert_eq!(s2["current"]["ranks"], json!({"rectification_rate": 2, "on_time_rate": 2, "overdue": 2}));
    // October: both closed all (shared first place); K on time, K2 late; nobody overdue.
    assert_eq!(s1["previous"]["ranks"], json!({"rectification_rate": 1, "on_time_rate": 1, "overdue": 1}));
    assert_eq!(s2["previous"]["ranks"], json!({"rectification_rate": 1, "on_time_rate": 2, "overdue": 1}));
    assert_eq!(
        s1["change"],
        json!({"rectification_rate_points": -25.0, "on_time_rate_points": -25.0, "overdue": 0, "rectification_rank_climbed": 0})
    );
    assert_eq!(
        s2["change"],
        json!({"rectification_rate_points": -50.0, "on_time_rate_points": 0.0, "overdue": 1, "rectification_rank_climbed": -1})
    );

    let by_overdue = w
        .app()
        .get_as("/api/v1/stats/rankings?month=2026-11&by=department&order=overdue", &w.c.dispatcher.access_token)
        .await;
    let body: Value = by_overdue.json().await.unwrap();
    let entries = body["entries"].as_array().unwrap();
    // The fire brigade (D overdue) and city management (none overdue).
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["current"]["overdue"], 0);
    assert_eq!(entries[1]["current"]["overdue"], 1);
}

#[tokio::test]
async fn staff_see_their_own_scope_residents_none_and_bad_parameters_are_named() {
    let w = world().await;
    let app = w.app();
    // Staff of the fire brigade alone see the fire tickets of the month: L A B D E F G H I.
    let fire_staff = app.staff("13912340009", Role::DeptStaff).await;
    let fire = w.get(&w.c.dispatcher, "?month=2026-11&group_by=department").await["groups"][0]["key"].clone();
    make_staff_of(app, &fire_staff, &fire).await;
    let mine = w.get(&fire_staff, "?month=2026-11&group_by=category").await;
    assert_eq!(mine["groups"].as_array().unwrap().len(), 1);
    assert_eq!(counts(&mine["totals"]), [8, 1, 1, 4, 2, 1, 1, 3, 1, 2, 2]);

    for path in ["/api/v1/stats", "/api/v1/stats/rankings"] {
        let res = app.get_as(path, &w.c.resident.access_token).await;
        assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    for (query, field) in [
        ("/api/v1/stats?group_by=grid", "group_by"),
        ("/api/v1/stats?month=2026-13", "month"),
        ("/api/v1/stats?from=2026-11-02&to=2026-11-01", "to"),
        ("/api/v1/stats?region=abc", "region"),
        ("/api/v1/stats?channel=fax", "channel"),
        ("/api/v1/stats/rankings?by=grid", "by"),
        ("/api/v1/stats/rankings?month=november", "month"),
    ] {
        let body =
            problem(app.get_as(query, &w.c.dispatcher.access_token).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            (body["code"].as_str(), body["errors"][0]["field"].as_str()),
            (Some("validation_failed"), Some(field)),
            "{query}"
        );
    }
    let unknown = app.get_as("/api/v1/stats?groupby=day", &w.c.dispatcher.access_token).await;
    assert_eq!(problem(unknown, StatusCode::BAD_REQUEST).await["code"], "invalid_query");
}

/// The step times of every ticket: (number, first verified, accepted, rectified, last rectified,
/// closed, escalations).
type Milestones = Vec<(String, [Option<DateTime<Utc>>; 5], i32)>;

async fn milestones(w: &World) -> Milestones {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::ticket::Entity::find()
        .order_by_asc(entity::ticket::Column::Number)
        .all(w.c.app.state.db())
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            let times = [
                t.first_verified_at,
                t.first_accepted_at,
                t.first_rectified_at,
                t.last_rectified_at,
                t.first_closed_at,
            ];
            (t.number, times, t.escalation_count)
        })
        .collect()
}

#[tokio::test]
async fn step_times_written_with_each_event_match_the_migrations_backfill_from_the_events() {
    use sea_orm::ConnectionTrait;
    let w = world().await;
    let written = milestones(&w).await;
    // The timeline above: A is verified at T0+2 h, rectified at T0+1 d, closed at T0+1 d 1 h; D and I
    // were escalated once each; E was verified and closed on the spot at T0+1 h.
    let a = written.iter().filter(|(_, times, _)| times[0] == Some(t0() + Duration::hours(2))).count();
    assert!(a >= 1, "a ticket verified at T0+2 h: {written:?}");
    assert_eq!(written.iter().map(|(_, _, n)| *n).sum::<i32>(), 2, "D and I escalated once each");
    let on_the_spot = t0() + Duration::hours(1);
    assert!(written.iter().any(|(_, t, _)| t[0] == Some(on_the_spot) && t[4] == Some(on_the_spot) && t[1].is_none()));

    let db = w.c.app.state.db();
    db.execute_unprepared(
        "UPDATE ticket SET first_verified_at = NULL, first_accepted_at = NULL, first_rectified_at = NULL, \
         last_rectified_at = NULL, first_closed_at = NULL, escalation_count = 0",
    )
    .await
    .unwrap();
    assert_ne!(milestones(&w).await, written, "the reset cleared the step times");
    db.execute_unprepared(migration::BACKFILL_TICKET_MILESTONES).await.unwrap();
    assert_eq!(milestones(&w).await, written);
}
