//! The desk's ticket page forms posted as a browser would (session cookie, own origin, CSRF field):
//! each move changes the ticket, bad input comes back as the page with a 4xx, words next to the
//! form and what was typed kept; a form without its CSRF token changes nothing; a move the role may
//! not make has no form and is refused. Internal notes stay off the resident's pages. Staff get a
//! `ticket_changed` WebSocket event when someone else moves a ticket they handle; residents never.

use chrono::{Duration, Utc};
use hazardline::{auth::cookie::csrf_token, geo::demo_city::grid_center};
use reqwest::{header, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    chat_ws::{connect, next_event, Ws},
    helpers::{page_cookies, Session, TestApp, PAGE_SID},
    ticket_support::{closed, confirmed, other_department, reported, verifying, view, NOWHERE},
    tickets::{act_ok, cast, make_staff_of, report, submit, user_id, Cast},
};

/// Posts a desk form of ticket `t` as `who` from the page (with the CSRF token unless `csrf` is false).
async fn post(app: &TestApp, who: &Session, t: &Value, fields: &[(&str, &str)], csrf: bool) -> reqwest::Response {
    let id = t["id"].as_str().unwrap();
    let current = app.get_as(&format!("/api/v1/tickets/{id}"), &who.access_token).await;
    let version = match current.status() {
        StatusCode::OK => current.json::<Value>().await.unwrap()["version"].to_string(),
        _ => t["version"].to_string(),
    };
    let token = csrf_token(app.state.jwt(), PAGE_SID, Some(user_id(who)));
    let mut form: Vec<(&str, &str)> = vec![("version", &version)];
    if csrf {
        form.push(("csrf_token", &token));
    }
    form.extend_from_slice(fields);
    app.client
        .post(app.url(&format!("/desk/tickets/{id}")))
        .header(header::COOKIE, page_cookies(who))
        .header(header::ORIGIN, &app.address)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// A refused form: the status, an HTML page with `words`, and no JSON.
async fn refused(res: reqwest::Response, status: StatusCode, words: &str) -> String {
    assert_eq!(res.status(), status);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = res.text().await.unwrap();
    // The words in the page's message (every word is also in the scripts' settings).
    assert!(body.contains(&format!("role=\"alert\">{words}")), "expected {words:?} in a message: {body}");
    assert!(!body.contains("\"code\""), "no raw JSON on the page");
    body
}

/// A form that went through: back to the ticket page.
fn done(res: &reqwest::Response, t: &Value, act: &str) {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = t["id"].as_str().unwrap();
    let at = if act == "note" { "timeline" } else { "actions" };
    assert_eq!(res.headers()["location"], format!("/desk/tickets/{id}?done={act}#{at}").as_str());
}

fn desk_path(t: &Value) -> String {
    format!("/desk/tickets/{}", t["id"].as_str().unwrap())
}

/// A time `days` from now as a `datetime-local` value in China time.
fn local(days: i64) -> String {
    (Utc::now() + Duration::days(days) + Duration::hours(8)).format("%Y-%m-%dT%H:%M").to_string()
}

#[tokio::test]
async fn department_staff_ask_to_transfer_and_bad_input_comes_back_in_words_with_what_was_typed() {
    let c = cast().await;
    let t = confirmed(&c, 1).await;
    let other = other_department(&c.app, &t["department_id"]).await.to_string();
    let form = c.app.html_as(&c.dept_staff, &desk_path(&t)).await;
    assert!(form.contains("data-act=\"transfer\"") && form.contains("name=\"to_department\""), "{form}");
    assert!(!form.contains("data-act=\"reopen\"") && !form.contains("data-act=\"assign\""));

    // An empty reason: the department chosen stays chosen.
    let res =
        post(&c.app, &c.dept_staff, &t, &[("act", "transfer"), ("to_department", &other), ("reason", " ")], true).await;
    let body = refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请填写理由。").await;
    assert!(body.contains(&format!("<option value=\"{other}\" selected>")), "the choice is kept");

    // A department that does not exist: the reason typed stays.
    let nowhere = Uuid::now_v7().to_string();
    let fields = [("act", "transfer"), ("to_department", nowhere.as_str()), ("reason", "属燃气管道问题")];
    let body =
        refused(post(&c.app, &c.dept_staff, &t, &fields, true).await, StatusCode::UNPROCESSABLE_ENTITY, "没有这个部门")
            .await;
    assert!(body.contains("属燃气管道问题"));

    // Without the CSRF token nothing happens.
    let fields = [("act", "transfer"), ("to_department", other.as_str()), ("reason", "属燃气管道问题")];
    refused(post(&c.app, &c.dept_staff, &t, &fields, false).await, StatusCode::FORBIDDEN, "页面已过期").await;
    assert!(view(&c.app, &c.dept_staff, &t["id"]).await["pending"].is_null());

    let res = post(&c.app, &c.dept_staff, &t, &fields, true).await;
    done(&res, &t, "transfer");
    let now = view(&c.app, &c.dept_staff, &t["id"]).await;
    assert_eq!(now["pending"]["request"]["to_department"], other.as_str(), "{now}");
    assert!(c
        .app
        .html_as(&c.dept_staff, &format!("{}?done=transfer", desk_path(&t)))
        .await
        .contains("role=\"status\">已提交。"));

    // The dispatcher may not ask for a transfer: no form, and the post is refused.
    let theirs = c.app.html_as(&c.dispatcher, &desk_path(&t)).await;
    assert!(!theirs.contains("data-act=\"transfer\"") && theirs.contains("data-act=\"approve_request\""));
    let fields = [("act", "transfer"), ("to_department", other.as_str()), ("reason", "再转一次")];
    refused(post(&c.app, &c.dispatcher, &t, &fields, true).await, StatusCode::CONFLICT, "工单刚被更新过").await;

    // Approved at the desk, the ticket changes hands.
    let res = post(&c.app, &c.dispatcher, &t, &[("act", "approve_request"), ("note", "同意")], true).await;
    done(&res, &t, "approve_request");
    assert_eq!(view(&c.app, &c.dispatcher, &t["id"]).await["department_id"], other.as_str());
}

#[tokio::test]
async fn a_dispatcher_routes_an_unrouted_ticket_with_a_department_and_a_grid_worker() {
    let c = cast().await;
    let created = submit(&c.app, &c.resident, &report("fire", NOWHERE, &[])).await;
    let t = created["ticket"].clone();
    assert_eq!(t["status"], "unrouted");
    let worker = user_id(&c.grid_worker).to_string();
    let form = c.app.html_as(&c.dispatcher, &desk_path(&t)).await;
    assert!(form.contains("data-act=\"assign\"") && form.contains(&format!("<option value=\"{worker}\"")), "{form}");
    let department = other_department(&c.app, &json!(Uuid::nil().to_string())).await.to_string();
    let english = c.app.html_as(&c.dispatcher, &format!("{}?lang=en", desk_path(&t))).await;
    assert!(english.contains("Route and assign") && english.contains("Note or reply to the reporter"), "{english}");
    assert!(english.contains(">Grid worker</label>") && !english.contains("请选择"));

    let fields =
        [("act", "assign"), ("department_id", department.as_str()), ("grid_worker_id", ""), ("note", "请尽快核实")];
    let body = refused(
        post(&c.app, &c.dispatcher, &t, &fields, true).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "请选择网格员。",
    )
    .await;
    assert!(body.contains("请尽快核实") && body.contains(&format!("<option value=\"{department}\" selected>")));
    let nowhere = Uuid::now_v7().to_string();
    let fields = [("act", "assign"), ("department_id", nowhere.as_str()), ("grid_worker_id", worker.as_str())];
    refused(post(&c.app, &c.dispatcher, &t, &fields, true).await, StatusCode::UNPROCESSABLE_ENTITY, "没有这个部门")
        .await;
    let fields = [("act", "assign"), ("department_id", department.as_str()), ("grid_worker_id", worker.as_str())];
    refused(post(&c.app, &c.dispatcher, &t, &fields, false).await, StatusCode::FORBIDDEN, "页面已过期").await;

    done(&post(&c.app, &c.dispatcher, &t, &fields, true).await, &t, "assign");
    let now = view(&c.app, &c.dispatcher, &t["id"]).await;
    assert_eq!((now["status"].as_str(), now["department_id"].as_str()), (Some("assigned"), Some(department.as_str())));
    assert_eq!(now["grid_worker_id"], worker.as_str());

    // Staff of no department neither see the ticket nor move it.
    refused(post(&c.app, &c.dept_staff, &t, &fields, true).await, StatusCode::NOT_FOUND, "没有这个页面").await;
}

#[tokio::test]
async fn a_dispatcher_rejects_a_report_being_checked_and_reopens_a_closed_one_with_reasons() {
    let c = cast().await;
    let t = verifying(&c).await;
    assert!(c.app.html_as(&c.dispatcher, &desk_path(&t)).await.contains("data-act=\"reject\""));
    let res =
        post(&c.app, &c.dispatcher, &t, &[("act", "reject"), ("ground", "not_a_hazard"), ("reason", "")], true).await;
    refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请填写理由。").await;
    let res = post(&c.app, &c.dispatcher, &t, &[("act", "reject"), ("ground", ""), ("reason", "邻里纠纷")], true).await;
    let body = refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请选择驳回类别。").await;
    assert!(body.contains("邻里纠纷"));
    let fields = [("act", "reject"), ("ground", "not_a_hazard"), ("reason", "邻里纠纷，不属于安全隐患")];
    refused(post(&c.app, &c.dispatcher, &t, &fields, false).await, StatusCode::FORBIDDEN, "页面已过期").await;
    done(&post(&c.app, &c.dispatcher, &t, &fields, true).await, &t, "reject");
    assert_eq!(view(&c.app, &c.dispatcher, &t["id"]).await["status"], "rejected");

    let t = closed(&c, 7).await;
    assert!(!c.app.html_as(&c.dept_staff, &desk_path(&t)).await.contains("data-act=\"reopen\""));
    let fields = [("act", "reopen"), ("reason", "楼道又堆满了纸箱")];
    refused(post(&c.app, &c.dept_staff, &t, &fields, true).await, StatusCode::CONFLICT, "工单刚被更新过").await;
    assert!(c.app.html_as(&c.dispatcher, &desk_path(&t)).await.contains("data-act=\"reopen\""));
    let res = post(&c.app, &c.dispatcher, &t, &[("act", "reopen"), ("reason", "  ")], true).await;
    refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请填写理由。").await;
    refused(post(&c.app, &c.dispatcher, &t, &fields, false).await, StatusCode::FORBIDDEN, "页面已过期").await;
    done(&post(&c.app, &c.dispatcher, &t, &fields, true).await, &t, "reopen");
    assert_ne!(view(&c.app, &c.dispatcher, &t["id"]).await["status"], "closed");
}

#[tokio::test]
async fn accepting_at_the_desk_refuses_a_missing_or_past_deadline_in_words() {
    let c = cast().await;
    let t = confirmed(&c, 2).await;
    let plan = "清理楼道纸箱，张贴禁止堆放标识";
    let res = post(&c.app, &c.dept_staff, &t, &[("act", "accept"), ("deadline", ""), ("plan", plan)], true).await;
    let body = refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请填写整改期限。").await;
    assert!(body.contains(plan), "the plan typed is kept");
    let yesterday = local(-1);
    let fields = [("act", "accept"), ("deadline", yesterday.as_str()), ("plan", plan)];
    let body = refused(
        post(&c.app, &c.dept_staff, &t, &fields, true).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "期限须在将来。",
    )
    .await;
    assert!(body.contains(&format!("value=\"{yesterday}\"")), "the deadline typed is kept");
    let soon = local(5);
    let fields = [("act", "accept"), ("deadline", soon.as_str()), ("plan", plan)];
    refused(post(&c.app, &c.dept_staff, &t, &fields, false).await, StatusCode::FORBIDDEN, "页面已过期").await;
    done(&post(&c.app, &c.dept_staff, &t, &fields, true).await, &t, "accept");
    let now = view(&c.app, &c.dept_staff, &t["id"]).await;
    assert_eq!(now["status"], "rectifying");
    assert!(now["rectification_deadline"].is_string());
}

#[tokio::test]
async fn internal_notes_show_in_the_desk_timeline_and_never_on_the_residents_pages() {
    let c = cast().await;
    let t = reported(&c).await;
    let note = "报告人情绪激动，上门前先电话联系";
    let res = post(&c.app, &c.dept_staff, &t, &[("act", "note"), ("body", "")], true).await;
    refused(res, StatusCode::UNPROCESSABLE_ENTITY, "请填写备注内容。").await;
    refused(
        post(&c.app, &c.dept_staff, &t, &[("act", "note"), ("body", note)], false).await,
        StatusCode::FORBIDDEN,
        "页面已过期",
    )
    .await;
    done(&post(&c.app, &c.dept_staff, &t, &[("act", "note"), ("body", note)], true).await, &t, "note");

    let desk = c.app.html_as(&c.dept_staff, &desk_path(&t)).await;
    let timeline = &desk[desk.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("class=\"note internal\"") && timeline.contains(note), "{timeline}");
    assert!(c.app.html_as(&c.dispatcher, &desk_path(&t)).await.contains(note), "dispatchers read it too");

    // The resident: not on their pages, not in the API's comments, and the desk sends them home.
    for path in ["/tickets", "/tickets/live"] {
        let mine = c.app.html_as(&c.resident, path).await;
        assert!(mine.contains(t["number"].as_str().unwrap()) && !mine.contains(note), "{path}");
    }
    let comments = c
        .app
        .get_as(&format!("/api/v1/tickets/{}/comments", t["id"].as_str().unwrap()), &c.resident.access_token)
        .await;
    assert_eq!(comments.status(), StatusCode::OK);
    assert!(!comments.text().await.unwrap().contains(note));
    assert_eq!(c.app.page_as(&c.resident, &desk_path(&t)).await.headers()["location"], "/chat");
    let res = post(&c.app, &c.resident, &t, &[("act", "note"), ("body", "我也来写")], true).await;
    assert_eq!(res.headers()["location"], "/chat", "a resident's post is sent home");
}

#[tokio::test]
async fn a_reply_to_the_reporter_is_in_both_timelines_and_the_reporters_words_reach_the_desk() {
    let c = cast().await;
    let t = reported(&c).await;
    let id = t["id"].as_str().unwrap();
    // The reporter writes on their ticket (the API the chat and app use).
    let res = c
        .app
        .post_json_as(
            &format!("/api/v1/tickets/{id}/comments"),
            &c.resident.access_token,
            &json!({"body": "晚上八点后家里有人"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let reply = "明天上午九点上门查看，请留人在家";
    let fields = [("act", "note"), ("visibility", "public"), ("body", reply)];
    done(&post(&c.app, &c.dept_staff, &t, &fields, true).await, &t, "note");
    let internal = "先查楼道监控";
    done(&post(&c.app, &c.dept_staff, &t, &[("act", "note"), ("body", internal)], true).await, &t, "note");

    let desk = c.app.html_as(&c.dept_staff, &desk_path(&t)).await;
    let timeline = &desk[desk.find("id=\"timeline\"").unwrap()..];
    let public: Vec<&str> = timeline.split("class=\"note public\"").skip(1).collect();
    assert_eq!(public.len(), 2, "the reporter's words and the reply: {timeline}");
    assert!(public[0].contains("上报人留言") && public[0].contains("晚上八点后家里有人"), "{timeline}");
    assert!(public[1].contains("回复上报人") && public[1].contains(reply), "{timeline}");
    assert!(timeline.contains("class=\"note internal\"") && timeline.contains(internal));

    // The resident reads the reply, in order, and not the note.
    let mine = c.app.html_as(&c.resident, "/tickets/live").await;
    let (words, answer) = (mine.find("晚上八点后家里有人").unwrap(), mine.find(reply).expect("the reply"));
    assert!(words < answer && mine.contains("处理部门回复") && !mine.contains(internal), "{mine}");
    // And is told of it: the reply goes out as a notice to the reporter.
    let outbox = entity::outbox::Entity::find().all(c.app.state.db()).await.unwrap();
    assert!(outbox.iter().any(|o| o.kind == "reply" && o.audience == "reporter"), "{outbox:?}");
}

/// The next `ticket_changed` event on `ws`, skipping the others.
async fn next_change(ws: &mut Ws) -> Value {
    loop {
        let event = next_event(ws).await;
        if event["type"] == "ticket_changed" {
            return event;
        }
    }
}

#[tokio::test]
async fn staff_handling_a_ticket_get_ticket_changed_live_and_residents_and_other_departments_do_not() {
    use hazardline::notifications::worker::deliver_due;
    let c: Cast = cast().await;
    let a = reported(&c).await;
    // Another resident's ticket with another department, with its own staff member.
    let neighbour = c.app.resident("13800000099").await;
    let b = submit(&c.app, &neighbour, &report("building", grid_center(0, 0), &[])).await["ticket"].clone();
    assert_ne!(a["department_id"], b["department_id"]);
    let other_staff = c.app.staff("13912340055", hazardline::auth::Role::DeptStaff).await;
    make_staff_of(&c.app, &other_staff, &b["department_id"]).await;
    deliver_due(&c.app.state).await.unwrap();

    let mut staff = connect(&c.app, &c.dept_staff).await;
    let mut dispatcher = connect(&c.app, &c.dispatcher).await;
    let mut other = connect(&c.app, &other_staff).await;
    let mut resident = connect(&c.app, &neighbour).await;
    let mut reporter = connect(&c.app, &c.resident).await;

    // The grid worker takes the check of A: its department's staff and the dispatcher are told.
    act_ok(&c.app, &c.grid_worker, &a, json!({"action": "accept"})).await;
    for ws in [&mut staff, &mut dispatcher] {
        let e = next_change(ws).await;
        assert_eq!(e["ticket_id"], a["id"]);
        assert_eq!(e["number"], a["number"]);
        assert_eq!((e["status"].as_str(), e["change"].as_str()), (Some("verifying"), Some("accept")));
        assert!(e.get("note").is_none() && e.get("body").is_none());
    }

    // Then B moves and the outbox is delivered. Events arrive in order, so what B's people get
    // first shows that A's event never reached them.
    act_ok(&c.app, &c.grid_worker, &b, json!({"action": "accept"})).await;
    let e = next_event(&mut other).await;
    assert_eq!((e["type"].as_str(), e["ticket_id"].as_str()), (Some("ticket_changed"), b["id"].as_str()));
    assert_eq!(next_change(&mut dispatcher).await["ticket_id"], b["id"]);
    deliver_due(&c.app.state).await.unwrap();
    let mut seen = Vec::new();
    while !seen.iter().any(|e: &Value| e["type"] == "ticket_status") {
        seen.push(next_event(&mut resident).await);
    }
    assert!(seen.iter().all(|e| e["type"] != "ticket_changed"), "{seen:?}");
    assert!(seen.iter().all(|e| e.to_string().find(a["id"].as_str().unwrap()).is_none()), "{seen:?}");
    let mut seen = Vec::new();
    while !seen.iter().any(|e: &Value| e["type"] == "ticket_status") {
        seen.push(next_event(&mut reporter).await);
    }
    assert!(
        seen.iter().all(|e| e["type"] != "ticket_changed"),
        "the reporter gets ticket_status, not the desk's event"
    );

    // An internal note is a change too; its text stays out of the event.
    let note = "先电话联系报告人";
    done(&post(&c.app, &c.dept_staff, &a, &[("act", "note"), ("body", note)], true).await, &a, "note");
    let e = next_change(&mut dispatcher).await;
    assert_eq!((e["ticket_id"].as_str(), e["change"].as_str()), (a["id"].as_str(), Some("comment")));
    assert!(!e.to_string().contains(note));
}

#[tokio::test]
async fn the_queue_offers_departments_and_regions_in_scope_and_pages_past_fifty_with_counts_kept() {
    let c = cast().await;
    let first = reported(&c).await;
    for _ in 0..50 {
        submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await;
    }
    let dept = first["department_id"].as_str().unwrap();

    // Department staff pick among their own departments; a dispatcher among all, and regions.
    let staff = c.app.html_as(&c.dept_staff, "/desk").await;
    let departments = |page: &str| page.matches("<option value=").count();
    assert!(staff.contains(&format!("<option value=\"{dept}\">")), "their department is offered");
    assert!(!staff.contains("教育局"), "other departments are not");
    let all = c.app.html_as(&c.dispatcher, "/desk").await;
    assert!(all.contains("教育局") && all.contains("消防救援大队") && departments(&all) > departments(&staff));
    let street = all.find("name=\"region_id\"").map(|i| &all[i..]).unwrap();
    assert!(street.contains("东湖区"), "regions by name");

    // A dispatcher of one street: that street and below, and the departments answering for it.
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = c.app.state.db();
    let street = entity::region::Entity::find().filter(entity::region::Column::Name.eq("湖滨街道")).one(db).await;
    let street = street.unwrap().unwrap();
    let grant = entity::user_role::Entity::find()
        .filter(entity::user_role::Column::UserId.eq(user_id(&c.dispatcher)))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut scoped: entity::user_role::ActiveModel = grant.into();
    scoped.region_id = Set(Some(street.id));
    let scoped = scoped.update(db).await.unwrap();
    let theirs = c.app.html_as(&c.dispatcher, "/desk").await;
    let regions = &theirs[theirs.find("name=\"region_id\"").unwrap()..];
    let regions = &regions[..regions.find("</select>").unwrap()];
    assert!(regions.contains("湖滨街道") && regions.contains("幸福社区"), "{regions}");
    assert!(!regions.contains("望江街道") && !regions.contains("东湖区<"), "{regions}");
    assert!(theirs.contains("东湖区消防救援大队") && !theirs.contains("西岭区消防救援大队"));
    // Dispatching everywhere again for the rest of the test.
    let mut all: entity::user_role::ActiveModel = scoped.into();
    all.region_id = Set(None);
    all.update(db).await.unwrap();

    // A chosen department and region stay chosen.
    let region = view(&c.app, &c.dispatcher, &first["id"]).await["location"]["region_id"].clone();
    let region = region.as_str().unwrap();
    let path = format!("/desk?department_id={dept}&region_id={region}");
    let chosen = c.app.html_as(&c.dispatcher, &path).await;
    assert!(chosen.contains(&format!("<option value=\"{dept}\" selected>")), "{chosen}");
    assert!(chosen.contains("<tr id=\"t-"), "the filter finds the ticket");

    // 51 tickets: 50 on the first page with a link to the next, the counts over all of them.
    let rows = |page: &str| page.matches("<tr id=\"t-").count();
    let one = c.app.html_as(&c.dept_staff, "/desk").await;
    assert_eq!(rows(&one), 50);
    assert!(one.contains("全部 <span class=\"count\">51</span>"), "the count covers every page");
    assert!(!one.contains("id=\"page-first\""));
    let start = one.find("id=\"page-next\"").expect("a next page link");
    let href = &one[start..];
    let href = &href[href.find("href=\"").unwrap() + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    assert!(href.starts_with("/desk?cursor=") && href.ends_with("&page=2"), "{href}");
    let two = c.app.html_as(&c.dept_staff, &href).await;
    assert_eq!(rows(&two), 1);
    assert!(two.contains("全部 <span class=\"count\">51</span>") && two.contains("id=\"page-first\""));
    assert!(two.contains("第 2 页") && !two.contains("id=\"page-next\""));
    let ids = |page: &str| -> Vec<String> {
        page.split("<tr id=\"t-").skip(1).map(|r| r[..r.find('"').unwrap()].to_owned()).collect()
    };
    let (ids_one, ids_two) = (ids(&one), ids(&two));
    assert!(ids_two.iter().all(|n| !ids_one.contains(n)), "page two repeats nothing of page one");
    // The live fragment of page two is page two.
    let live = c
        .app
        .client
        .get(c.app.url(&href.replacen("/desk?", "/desk/live?", 1)))
        .header(header::COOKIE, page_cookies(&c.dept_staff));
    assert_eq!(rows(&live.send().await.unwrap().text().await.unwrap()), 1);
}
