//! Tickets over HTTP: every branch off the straight road from report to close-out.

use chrono::Utc;
use hazardline::{auth::Role, geo::demo_city::grid_center};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::problem,
    ticket_support::{
        at, awaiting_check, closed, complete, confirmed, history, in_days, other_department, pass, rectifying,
        reported, time, verifying, view, NOWHERE,
    },
    tickets::{act, act_ok, actions, cast, get_ticket, make_staff_of, report, submit, upload_photo, user_id},
};

#[tokio::test]
async fn a_declined_check_goes_to_the_next_grid_worker_then_to_the_dispatcher() {
    let c = cast().await;
    let app = &c.app;
    let second = app.staff("13912340005", Role::GridWorker).await;
    let grid = entity::region::Entity::find()
        .filter(entity::region::Column::Code.eq(format!("{}01", hazardline::geo::seed::community_code(0))))
        .one(app.state.db())
        .await
        .unwrap()
        .unwrap();
    entity::grid_assignment::Entity::insert(entity::grid_assignment::ActiveModel {
        id: sea_orm::Set(Uuid::now_v7()),
        user_id: sea_orm::Set(user_id(&second)),
        grid_id: sea_orm::Set(grid.id),
        on_duty: sea_orm::Set(true),
        created_at: sea_orm::Set(Utc::now()),
    })
    .exec_without_returning(app.state.db())
    .await
    .unwrap();

    let t = reported(&c).await;
    let first_id = t["grid_worker_id"].clone();
    let (first, next) =
        if first_id == json!(user_id(&c.grid_worker)) { (&c.grid_worker, &second) } else { (&second, &c.grid_worker) };
    let t = act_ok(app, first, &t, json!({"action": "decline", "note": "不在岗"})).await;
    assert_eq!(t["status"], "assigned");
    assert_eq!(t["grid_worker_id"], json!(user_id(next)));
    assert_eq!(act(app, first, &t, json!({"action": "accept"})).await.status(), StatusCode::CONFLICT);

    let t = act_ok(app, next, &t, json!({"action": "decline"})).await;
    let t = view(app, &c.dispatcher, &t["id"]).await;
    assert_eq!((t["status"].as_str(), t["unrouted_reason"].as_str()), (Some("unrouted"), Some("all_declined")));
    assert!(t["grid_worker_id"].is_null());
    assert_eq!(actions(&t), ["assign"]);

    let body = json!({"action": "assign", "department_id": t["department_id"], "grid_worker_id": user_id(first)});
    let t = act_ok(app, &c.dispatcher, &t, body).await;
    assert_eq!((t["status"].as_str(), &t["grid_worker_id"]), (Some("assigned"), &json!(user_id(first))));
    let steps: Vec<Value> = history(app, &c.dispatcher, &t["id"]).await.iter().map(|e| e["action"].clone()).collect();
    assert_eq!(steps, [json!("submit"), json!("decline"), json!("decline"), json!("assign")]);
}

#[tokio::test]
async fn a_grid_worker_rejects_what_is_not_a_hazard_and_the_reporter_is_told_why() {
    let c = cast().await;
    let t = verifying(&c).await;
    let body = json!({"action": "reject", "ground": {"kind": "not_a_hazard"}, "note": "邻里纠纷"});
    let t = act_ok(&c.app, &c.grid_worker, &t, body).await;
    assert_eq!((t["status"].as_str(), &t["rejection"]), (Some("rejected"), &json!({"kind": "not_a_hazard"})));
    assert!(t["due_at"].is_null());
    let mine = view(&c.app, &c.resident, &t["id"]).await;
    assert_eq!(
        (mine["status_label"].as_str(), mine["rejection_label"].as_str()),
        (Some("未受理"), Some("经核实不属于安全隐患"))
    );
    assert_eq!(actions(&mine), Vec::<String>::new());
}

#[tokio::test]
async fn a_duplicate_is_merged_into_the_kept_ticket_whose_reporter_count_and_priority_rise() {
    let c = cast().await;
    let app = &c.app;
    let kept = reported(&c).await;
    let neighbour = app.resident("13800000002").await;
    let dup = submit(app, &neighbour, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let before = view(app, &c.dispatcher, &kept["id"]).await;
    assert_eq!(before["follower_count"], 0);
    assert_eq!(get_ticket(app, &neighbour, kept["id"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);

    let dup = act_ok(app, &c.grid_worker, &dup, json!({"action": "accept"})).await;
    let own = act(
        app,
        &c.grid_worker,
        &dup,
        json!({"action": "reject", "ground": {"kind": "duplicate_of", "ticket_id": dup["id"]}}),
    );
    assert_eq!(problem(own.await, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "duplicate_of_itself");
    let body = json!({"action": "reject", "ground": {"kind": "duplicate_of", "ticket_id": kept["id"]}});
    let dup = act_ok(app, &c.grid_worker, &dup, body).await;
    assert_eq!((dup["status"].as_str(), &dup["duplicate_of"]), (Some("rejected"), &kept["id"]));

    let after = view(app, &c.dispatcher, &kept["id"]).await;
    assert_eq!(after["follower_count"], 1);
    assert!(after["priority"].as_i64() > before["priority"].as_i64(), "{} → {}", before["priority"], after["priority"]);
    assert_eq!(after["version"], before["version"], "a merge is not a move");
    let merge = history(app, &c.dispatcher, &kept["id"]).await.into_iter().find(|e| e["action"] == "merge").unwrap();
    assert_eq!(merge["detail"]["followers_added"], 1);
    assert!(merge["note"].as_str().unwrap().contains(dup["number"].as_str().unwrap()));
    // The duplicate's reporter now follows the kept ticket and sees it.
    let theirs = view(app, &neighbour, &kept["id"]).await;
    assert_eq!(theirs["following"], true);
}

#[tokio::test]
async fn a_transfer_waits_for_the_dispatcher_who_may_approve_or_refuse_it() {
    let c = cast().await;
    let app = &c.app;
    let t = confirmed(&c, 1).await;
    let to = other_department(app, &t["department_id"]).await;
    let body = json!({"action": "transfer", "reason": "属于燃气公司管辖", "to_department": to});
    let t = act_ok(app, &c.dept_staff, &t, body).await;
    assert_eq!(t["status"], "confirmed");
    assert_eq!(t["pending"]["request"], json!({"kind": "transfer", "to_department": to}));
    assert!(view(app, &c.resident, &t["id"]).await["pending"].is_null(), "residents do not see requests");
    let again = act(app, &c.dept_staff, &t, json!({"action": "cancel_as_error", "reason": "登记有误"})).await;
    assert_eq!(problem(again, StatusCode::CONFLICT).await["code"], "request_pending");
    let t = view(app, &c.dispatcher, &t["id"]).await;
    assert_eq!(actions(&t), ["approve_request", "refuse_request"]);
    let t = act_ok(app, &c.dispatcher, &t, json!({"action": "approve_request", "note": "同意转办"})).await;
    assert_eq!((t["status"].as_str(), &t["department_id"]), (Some("confirmed"), &json!(to)));
    assert!(t["pending"].is_null());
    // The old department lost it; the new one's staff accept it from `confirmed`.
    assert_eq!(get_ticket(app, &c.dept_staff, t["id"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);

    let t = rectifying(&c, 2).await;
    let department = t["department_id"].clone();
    let body = json!({"action": "transfer", "reason": "不归我们管", "to_department": to});
    let t = act_ok(app, &c.dept_staff, &t, body).await;
    let t = act_ok(app, &c.dispatcher, &t, json!({"action": "refuse_request", "reason": "就是你们的"})).await;
    assert_eq!((t["status"].as_str(), &t["department_id"]), (Some("rectifying"), &department));
    assert!(t["pending"].is_null());
    let last = history(app, &c.dispatcher, &t["id"]).await.pop().unwrap();
    assert_eq!((last["action"].as_str(), last["note"].as_str()), (Some("refuse_request"), Some("就是你们的")));
}

#[tokio::test]
async fn a_failed_check_sends_the_fix_back_until_it_passes() {
    let c = cast().await;
    let app = &c.app;
    let t = awaiting_check(&c, 1).await;
    let body = json!({"action": "fail", "reason": "杂物仍未清走", "media": [], "position": at(grid_center(0, 0))});
    let t = act_ok(app, &c.grid_worker, &t, body).await;
    assert_eq!(t["status"], "rectifying");
    assert_eq!(time(&t["due_at"]), time(&t["rectification_deadline"]), "the deadline stands");
    let t = complete(&c, &t, 7).await;
    let t = pass(&c, &t).await;
    assert_eq!(t["status"], "closed");
    let steps: Vec<Value> = history(app, &c.dispatcher, &t["id"]).await.iter().map(|e| e["action"].clone()).collect();
    let tail = ["complete", "fail", "complete", "pass"].map(|a| json!(a));
    assert_eq!(steps[steps.len() - 4..], tail);
}

#[tokio::test]
async fn a_closed_ticket_is_reopened_by_staff_looking_back_and_by_its_reporter() {
    let c = cast().await;
    let app = &c.app;
    let t = closed(&c, 1).await;
    // 回头看: the grid worker finds the hazard back.
    let body = json!({"action": "reopen", "reason": "回头看：通道又被堵", "media": []});
    let t = act_ok(app, &c.grid_worker, &t, body).await;
    assert_eq!((t["status"].as_str(), t["reopen_count"].as_i64()), (Some("rectifying"), Some(1)));
    assert!(t["closed_at"].is_null() && t["rectification_deadline"].is_string());
    let t = complete(&c, &t, 8).await;
    let t = pass(&c, &t).await;

    // The reporter disputes the close-out within the 7 days.
    let mine = view(app, &c.resident, &t["id"]).await;
    assert_eq!(actions(&mine), ["reopen"]);
    let t = act_ok(app, &c.resident, &mine, json!({"action": "reopen", "reason": "根本没整改", "media": []})).await;
    assert_eq!((t["status"].as_str(), t["reopen_count"].as_i64()), (Some("rectifying"), Some(2)));
    let events = history(app, &c.dispatcher, &t["id"]).await;
    let disputes: Vec<&Value> =
        events.iter().filter(|e| e["action"] == "reopen").map(|e| &e["detail"]["dispute"]).collect();
    assert_eq!(disputes, [&json!(false), &json!(true)]);
    let outbox = entity::outbox::Entity::find().all(app.state.db()).await.unwrap();
    assert!(
        outbox.iter().any(|o| o.audience == "dispatchers" && o.kind == "reopened"),
        "a dispute goes to dispatchers"
    );
}

#[tokio::test]
async fn an_emergency_tells_the_reporter_to_call_119_and_the_department_may_accept_at_once() {
    let c = cast().await;
    let app = &c.app;
    let mut body = report("gas", grid_center(0, 0), &[]);
    body["urgency"] = json!("emergency");
    let created = submit(app, &c.resident, &body).await;
    assert!(created["advice"].as_str().unwrap().contains("119"));
    let t = &created["ticket"];
    assert_eq!((t["status"].as_str(), t["urgency"].as_str()), (Some("assigned"), Some("emergency")));
    let department: Uuid = t["department_id"].as_str().unwrap().parse().unwrap();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;

    let seen = view(app, &c.dept_staff, &t["id"]).await;
    assert!(actions(&seen).contains(&"accept".to_owned()));
    let no_level = json!({"action": "accept", "rectification": {"plan": "关阀、疏散", "deadline": in_days(1)}});
    let res = act(app, &c.dept_staff, &seen, no_level).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "rectification.level");
    let plan = json!({"plan": "关阀、疏散", "deadline": in_days(1), "level": "major"});
    let t = act_ok(app, &c.dept_staff, &seen, json!({"action": "accept", "rectification": plan})).await;
    assert_eq!((t["status"].as_str(), t["hazard_level"].as_str()), (Some("rectifying"), Some("major")));
    let accepted = history(app, &c.dispatcher, &t["id"]).await.pop().unwrap();
    assert_eq!(accepted["detail"]["emergency_fast_path"], true);

    let outbox = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::TicketId.eq(t["id"].as_str().unwrap().parse::<Uuid>().unwrap()))
        .all(app.state.db())
        .await
        .unwrap();
    assert!(outbox
        .iter()
        .any(|o| o.audience == "department" && o.audience_id == Some(department) && o.kind == "emergency"));
}

#[tokio::test]
async fn a_report_outside_every_jurisdiction_waits_for_a_dispatcher_to_assign_it() {
    let c = cast().await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", NOWHERE, &[])).await["ticket"].clone();
    assert_eq!(t["status"], "unrouted");
    assert!(t["department_id"].is_null() && t["unrouted_reason"].is_null(), "residents see no routing detail");
    assert_eq!(get_ticket(app, &c.grid_worker, t["id"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
    let t = view(app, &c.dispatcher, &t["id"]).await;
    assert_eq!(t["unrouted_reason"], "no_department");
    let department = other_department(app, &json!(Uuid::nil())).await;
    let body = json!({"action": "assign", "department_id": department, "grid_worker_id": user_id(&c.grid_worker)});
    let t = act_ok(app, &c.dispatcher, &t, body).await;
    assert_eq!((t["status"].as_str(), &t["department_id"]), (Some("assigned"), &json!(department)));
    let theirs = view(app, &c.grid_worker, &t["id"]).await;
    assert_eq!(actions(&theirs), ["accept", "decline", "cancel_as_error"]);
}

#[tokio::test]
async fn the_reporter_withdraws_a_report_nobody_has_taken_yet() {
    let c = cast().await;
    let t = reported(&c).await;
    let t = act_ok(&c.app, &c.resident, &t, json!({"action": "withdraw", "note": "已自行处理"})).await;
    assert_eq!((t["status"].as_str(), &t["rejection"]), (Some("rejected"), &json!({"kind": "withdrawn"})));
    assert_eq!(t["rejection_label"], "已撤回");
    let res = act(&c.app, &c.grid_worker, &t, json!({"action": "accept"})).await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await["code"], "transition_not_allowed");
}

#[tokio::test]
async fn an_approved_extension_moves_the_rectification_deadline_and_the_due_date() {
    let c = cast().await;
    let app = &c.app;
    let t = rectifying(&c, 1).await;
    let first = time(&t["rectification_deadline"]);
    let until = in_days(20);
    let body = json!({"action": "extend_deadline", "until": until, "reason": "需采购消防设备"});
    let t = act_ok(app, &c.dept_staff, &t, body).await;
    assert_eq!(time(&t["rectification_deadline"]), first, "unchanged until approved");
    assert_eq!(t["pending"]["request"]["kind"], "extension");
    let t = act_ok(app, &c.dispatcher, &t, json!({"action": "approve_request"})).await;
    assert_eq!((time(&t["rectification_deadline"]), time(&t["due_at"])), (until, until));
    let approved = history(app, &c.dispatcher, &t["id"]).await.pop().unwrap();
    assert_eq!((time(&approved["deadline_from"]), time(&approved["deadline_to"])), (first, until));
}

#[tokio::test]
async fn a_ticket_recorded_in_error_is_cancelled_once_a_dispatcher_approves() {
    let c = cast().await;
    let t = reported(&c).await;
    let t =
        act_ok(&c.app, &c.grid_worker, &t, json!({"action": "cancel_as_error", "reason": "测试数据，登记有误"})).await;
    assert_eq!(t["status"], "assigned");
    let t = act_ok(&c.app, &c.dispatcher, &t, json!({"action": "approve_request"})).await;
    assert_eq!((t["status"].as_str(), &t["rejection"]), (Some("rejected"), &json!({"kind": "recorded_in_error"})));
    assert_eq!(view(&c.app, &c.resident, &t["id"]).await["rejection_label"], "登记有误，已撤销");
}

#[tokio::test]
async fn a_second_report_nearby_lists_the_first_and_its_reporter_may_follow_it_instead() {
    let c = cast().await;
    let app = &c.app;
    let first = reported(&c).await;
    let neighbour = app.resident("13800000002").await;
    let (lng, lat) = grid_center(0, 0);
    let second = submit(app, &neighbour, &report("fire", (lng, lat + 0.0002), &[])).await;
    let listed: Vec<&Value> = second["possible_duplicates"].as_array().unwrap().iter().map(|d| &d["id"]).collect();
    assert_eq!(listed, [&first["id"]]);
    assert!(second["possible_duplicates"][0]["distance_m"].as_f64().unwrap() < 50.0);
    let elsewhere = submit(app, &neighbour, &report("gas", (lng, lat + 0.0002), &[])).await;
    assert_eq!(elsewhere["possible_duplicates"], json!([]), "another category is another hazard");

    let id = first["id"].as_str().unwrap();
    assert_eq!(get_ticket(app, &neighbour, id).await.status(), StatusCode::NOT_FOUND);
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/follow"), &neighbour.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let followed: Value = res.json().await.unwrap();
    assert_eq!((followed["following"].as_bool(), followed["follower_count"].as_i64()), (Some(true), Some(1)));
    let seen = view(app, &neighbour, &first["id"]).await;
    assert_eq!((seen["following"].as_bool(), actions(&seen)), (Some(true), Vec::<String>::new()));
}

#[tokio::test]
async fn moves_made_away_from_the_place_or_without_a_position_are_flagged_for_staff_only() {
    let c = cast().await;
    let app = &c.app;
    let t = verifying(&c).await;
    let photo = upload_photo(app, &c.grid_worker, 1).await;
    let t =
        act_ok(app, &c.grid_worker, &t, json!({"action": "confirm", "level": "general", "evidence": [photo]})).await;
    let kinds = |t: &Value| t["flags"].as_array().unwrap().iter().map(|f| f["kind"].clone()).collect::<Vec<_>>();
    assert_eq!(kinds(&t), [json!("actor_position_missing")]);
    assert_eq!(t["flags"][0]["user_id"], json!(user_id(&c.grid_worker)));

    let plan = json!({"plan": "清理楼道杂物", "deadline": in_days(10)});
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "accept", "rectification": plan})).await;
    let t = complete(&c, &t, 2).await;
    let (lng, lat) = grid_center(0, 0);
    let far = json!({"action": "pass", "media": [], "position": at((lng + 0.02, lat))});
    let t = act_ok(app, &c.grid_worker, &t, far).await;
    assert_eq!(kinds(&t), [json!("actor_position_missing"), json!("actor_far_from_place")]);
    assert!(t["flags"][1]["distance_m"].as_f64().unwrap() > 1500.0);

    let mine = view(app, &c.resident, &t["id"]).await;
    assert_eq!(mine["flags"], json!([]));
    assert_eq!(view(app, &c.dispatcher, &t["id"]).await["flags"].as_array().unwrap().len(), 2);
}
