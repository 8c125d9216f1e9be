//! The hazard ledger export (隐患台账): a known set of tickets exported as CSV and XLSX, every
//! column of every row checked (the workbook parsed back), the caller's scope, and refusals.

use std::{io::Cursor, sync::Arc};

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Duration, Utc};
use entity::{category, department, user};
use hazardline::{
    clock::{Clock, ManualClock},
    geo::demo_city::grid_center,
    ledger::{row::china, xlsx::excel_serial},
    tickets::escalation::sweep,
};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, spawn_app_with_clock, Session, TestApp},
    ticket_support::{closed, history, time, view, NOWHERE},
    tickets::{cast_in, report, submit, Cast},
};

/// What a cell should hold.
#[derive(Debug, Clone, PartialEq)]
enum Want {
    Text(String),
    Time(DateTime<Utc>),
    Num(i64),
    Empty,
}

fn text(s: &str) -> Want {
    Want::Text(s.to_owned())
}

fn opt_text(s: Option<String>) -> Want {
    s.map_or(Want::Empty, Want::Text)
}

fn opt_time(v: &Value) -> Want {
    v.as_str().map_or(Want::Empty, |s| Want::Time(s.parse().unwrap()))
}

pub async fn ledger(app: &TestApp, who: &Session, format: &str, query: &str) -> reqwest::Response {
    app.get_as(&format!("/api/v1/ledger.{format}{query}"), &who.access_token).await
}

/// Splits a CSV body (RFC 4180) into records.
pub fn parse_csv(body: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, body.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "the body ends with a line end");
    records
}

async fn user_name(app: &TestApp, id: &Value) -> Option<String> {
    let id: Uuid = id.as_str()?.parse().ok()?;
    Some(user::Entity::find_by_id(id).one(app.state.db()).await.unwrap()?.display_name)
}

async fn department_name(app: &TestApp, id: &Value) -> Option<String> {
    let id: Uuid = id.as_str()?.parse().ok()?;
    Some(department::Entity::find_by_id(id).one(app.state.db()).await.unwrap()?.name)
}

async fn fire_name(app: &TestApp) -> String {
    category::Entity::find_by_id("fire".to_owned()).one(app.state.db()).await.unwrap().unwrap().name_zh
}

/// The background job stays out of the way: the test sweeps by hand.
async fn cast_at(clock: &ManualClock) -> Cast {
    cast_in(spawn_app_with_clock(Arc::new(clock.clone()), |s| s.tickets.escalation_interval_secs = 86_400).await).await
}

struct KnownSet {
    c: Cast,
    rows: Vec<Vec<Want>>,
    numbers: Vec<String>,
}

/// A: struck off and rated 4; B: waiting for the grid worker, escalated once, formula-like text;
/// C: nowhere (unrouted, no region), formula-like address. Expected rows in export order.
async fn known_set() -> KnownSet {
    let clock = ManualClock::new(Utc::now());
    let c = cast_at(&clock).await;
    let app = &c.app;
    let fire = fire_name(app).await;

    let a = closed(&c, 1).await;
    let rated = app
        .post_json_as(
            &format!("/api/v1/tickets/{}/rating", a["id"].as_str().unwrap()),
            &c.resident.access_token,
            &json!({"score": 4}),
        )
        .await;
    assert_eq!(rated.status(), StatusCode::OK, "{}", rated.text().await.unwrap());
    let a = view(app, &c.dispatcher, &a["id"]).await;
    let events = history(app, &c.dispatcher, &a["id"]).await;
    let at_of = |action: &str| events.iter().rev().find(|e| e["action"] == action).map(|e| time(&e["at"])).unwrap();
    let pass_actor = events.iter().rev().find(|e| e["action"] == "pass").unwrap()["actor_id"].clone();

    clock.advance(Duration::minutes(5));
    let mut body = report("fire", grid_center(0, 0), &[]);
    body["description"] = json!("=1+1 楼道堆物");
    let b = submit(app, &c.resident, &body).await["ticket"].clone();
    clock.advance(time(&b["due_at"]) - clock.now() + Duration::minutes(1));
    assert!(sweep(&app.state).await.unwrap() >= 1);
    let b = view(app, &c.dispatcher, &b["id"]).await;

    clock.advance(Duration::minutes(5));
    let mut body = report("fire", NOWHERE, &[]);
    body["address"] = json!("@外地 \"老街\", 3号");
    let cc = submit(app, &c.resident, &body).await["ticket"].clone();
    let cc = view(app, &c.dispatcher, &cc["id"]).await;

    let area = text("湖滨街道/幸福社区/幸福社区第1网格");
    let rows = vec![
        vec![
            text(a["number"].as_str().unwrap()),
            Want::Time(time(&a["created_at"])),
            text("群众随手拍"),
            text(&fire),
            text("一般隐患"),
            text("楼道里堆满纸箱，消防通道被堵"),
            text("青川市幸福路12号"),
            area.clone(),
            opt_text(department_name(app, &a["department_id"]).await),
            opt_text(user_name(app, &a["grid_worker_id"]).await),
            text("清理楼道杂物"),
            opt_time(&a["rectification_deadline"]),
            Want::Time(at_of("complete")),
            opt_text(user_name(app, &pass_actor).await),
            Want::Time(at_of("pass")),
            text("已销号"),
            text("否"),
            Want::Num(0),
            Want::Num(4),
        ],
        vec![
            text(b["number"].as_str().unwrap()),
            Want::Time(time(&b["created_at"])),
            text("群众随手拍"),
            text(&fire),
            Want::Empty,
            text("'=1+1 楼道堆物"),
            text("青川市幸福路12号"),
            area,
            opt_text(department_name(app, &b["department_id"]).await),
            opt_text(user_name(app, &b["grid_worker_id"]).await),
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            text("待签收"),
            text("是"),
            Want::Num(1),
            Want::Empty,
        ],
        vec![
            text(cc["number"].as_str().unwrap()),
            Want::Time(time(&cc["created_at"])),
            text("群众随手拍"),
            text(&fire),
            Want::Empty,
            text("楼道里堆满纸箱，消防通道被堵"),
            text("'@外地 \"老街\", 3号"),
            text(""),
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            Want::Empty,
            text("待派单"),
            text("否"),
            Want::Num(0),
            Want::Empty,
        ],
    ];
    // The cast of a closed ticket has a checker, a department and a grid worker with names.
    assert!(rows.iter().flatten().filter(|w| **w == Want::Empty).count() < 40);
    let numbers = [&a, &b, &cc].iter().map(|t| t["number"].as_str().unwrap().to_owned()).collect();
    KnownSet { c, rows, numbers }
}

fn csv_cell(w: &Want) -> String {
    match w {
        Want::Text(t) => t.clone(),
        Want::Time(at) => china(*at).format("%Y-%m-%d %H:%M").to_string(),
        Want::Num(n) => n.to_string(),
        Want::Empty => String::new(),
    }
}

const HEADERS: [&str; 19] = [
    "编号",
    "发现时间",
    "来源",
    "隐患类别",
    "隐患等级",
    "隐患描述",
    "地点",
    "所属街道/社区/网格",
    "责任部门",
    "网格员",
    "整改措施",
    "整改期限",
    "整改完成时间",
    "验收人",
    "销号时间",
    "状态",
    "是否逾期",
    "督办次数",
    "满意度",
];

#[tokio::test]
async fn the_ledger_exports_every_column_of_every_row_in_csv_and_xlsx() {
    let set = known_set().await;
    let (app, who) = (&set.c.app, &set.c.dispatcher);

    let res = ledger(app, who, "csv", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"hazard-ledger-"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6-"), "{disposition}");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes.get(..3), Some(&[0xEF, 0xBB, 0xBF][..]), "UTF-8 byte-order mark");
    let records = parse_csv(std::str::from_utf8(&bytes[3..]).unwrap());
    assert_eq!(records.first().unwrap(), &HEADERS.map(str::to_owned).to_vec());
    assert_eq!(records.len(), 1 + set.rows.len());
    for (got, want) in records.iter().skip(1).zip(&set.rows) {
        assert_eq!(got, &want.iter().map(csv_cell).collect::<Vec<_>>());
    }

    let res = ledger(app, who, "xlsx", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let mut book = Xlsx::new(Cursor::new(res.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("隐患台账").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 1 + set.rows.len());
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, HEADERS.map(str::to_owned).to_vec());
    for (got, want) in rows.iter().skip(1).zip(&set.rows) {
        assert_eq!(got.len(), HEADERS.len());
        for (col, (cell, want)) in got.iter().zip(want).enumerate() {
            match (cell, want) {
                (Data::String(s), Want::Text(t)) => assert_eq!(s, t, "column {col}"),
                (Data::Empty, Want::Text(t)) => assert_eq!(t, "", "column {col}"),
                (Data::DateTime(d), Want::Time(at)) => {
                    assert!((d.as_f64() - excel_serial(china(*at))).abs() < 1e-6, "column {col}: {d}")
                }
                (Data::Float(f), Want::Num(n)) => assert_eq!(*f, *n as f64, "column {col}"),
                (Data::Int(i), Want::Num(n)) => assert_eq!(i, n, "column {col}"),
                (Data::Empty, Want::Empty) => {}
                other => panic!("column {col}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn the_ledger_holds_the_callers_scope_and_the_lists_filters_and_refuses_residents() {
    let set = known_set().await;
    let (c, n) = (&set.c, &set.numbers);
    let numbers = |body: &str| {
        parse_csv(body.trim_start_matches('\u{feff}')).iter().skip(1).map(|r| r[0].clone()).collect::<Vec<_>>()
    };

    // Department staff see their department's two tickets, not the unrouted one.
    let res = ledger(&c.app, &c.dept_staff, "csv", "").await;
    assert_eq!(numbers(&res.text().await.unwrap()), [n[0].clone(), n[1].clone()]);
    // Filters as on the list.
    let res = ledger(&c.app, &c.dispatcher, "csv", "?status=closed").await;
    assert_eq!(numbers(&res.text().await.unwrap()), [n[0].clone()]);
    let res = ledger(&c.app, &c.dispatcher, "csv", "?hazard_level=general&category=fire").await;
    assert_eq!(numbers(&res.text().await.unwrap()), [n[0].clone()]);
    let res = ledger(&c.app, &c.dispatcher, "csv", "?overdue=true").await;
    assert_eq!(numbers(&res.text().await.unwrap()), [n[1].clone()]);
    let res = ledger(&c.app, &c.dispatcher, "csv", &format!("?campaign_id={}", Uuid::now_v7())).await;
    assert_eq!(numbers(&res.text().await.unwrap()), Vec::<String>::new());

    for (query, field) in [
        ("?hazard_level=high", "hazard_level"),
        ("?from=yesterday", "from"),
        ("?campaign_id=x", "campaign_id"),
        ("?colour=red", "colour"),
    ] {
        for format in ["csv", "xlsx"] {
            let body = problem(ledger(&c.app, &c.dispatcher, format, query).await, StatusCode::BAD_REQUEST).await;
            assert!(body["detail"].as_str().unwrap().contains(field), "{query}: {body}");
        }
    }
    for format in ["csv", "xlsx"] {
        let body = problem(ledger(&c.app, &c.resident, format, "").await, StatusCode::FORBIDDEN).await;
        assert_eq!(body["code"], "forbidden");
        assert_eq!(c.app.get(&format!("/api/v1/ledger.{format}")).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn the_command_line_writes_the_same_ledger() {
    let set = known_set().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ledger.csv");
    let rows = hazardline::cli::export_ledger(&set.c.app.state, &out, None, Default::default()).await.unwrap();
    assert_eq!(rows, 3);
    let body = std::fs::read_to_string(&out).unwrap();
    let api = ledger(&set.c.app, &set.c.dispatcher, "csv", "").await.text().await.unwrap();
    assert_eq!(body, api);
    let out = dir.path().join("ledger.xlsx");
    assert_eq!(hazardline::cli::export_ledger(&set.c.app.state, &out, None, Default::default()).await.unwrap(), 3);
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.worksheet_range("隐患台账").unwrap().rows().count(), 4);
}
