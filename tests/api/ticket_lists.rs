//! Ticket lists, counts, comments, reply templates, co-handling, ratings, and who sees what.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use entity::{department, outbox, region, ticket, ticket_event, user_role};
use hazardline::{auth::Role, geo::demo_city::grid_center};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, Session, TestApp},
    tickets::{act_ok, cast, get_ticket, login, make_staff_of, report, submit, upload_photo, user_id},
};

async fn get(app: &TestApp, who: &Session, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
    app.client.get(app.url(path)).query(query).bearer_auth(&who.access_token).send().await.unwrap()
}

async fn list(app: &TestApp, who: &Session, query: &[(&str, &str)]) -> Value {
    let res = get(app, who, "/api/v1/tickets", query).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Every ticket of a list, page by page.
async fn walk(app: &TestApp, who: &Session, query: &[(&str, &str)]) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut q = query.to_vec();
        if let Some(c) = &cursor {
            q.push(("cursor", c));
        }
        let page = list(app, who, &q).await;
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return all,
        }
    }
    panic!("the list never ended");
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

async fn department_id(app: &TestApp, name: &str) -> Value {
    let d = department::Entity::find().filter(department::Column::Name.eq(name)).one(app.state.db()).await.unwrap();
    json!(d.unwrap().id)
}

async fn region_id(app: &TestApp, code: &str) -> Uuid {
    region::Entity::find().filter(region::Column::Code.eq(code)).one(app.state.db()).await.unwrap().unwrap().id
}

/// A dispatcher whose grant reaches `region` only.
async fn dispatcher_of(app: &TestApp, phone: &str, region: Uuid) -> Session {
    let s = app.staff(phone, Role::Dispatcher).await;
    let grant =
        user_role::Entity::find().filter(user_role::Column::UserId.eq(user_id(&s))).one(app.state.db()).await.unwrap();
    let mut grant = grant.unwrap().into_active_model();
    grant.region_id = Set(Some(region));
    grant.update(app.state.db()).await.unwrap();
    s
}

async fn comment(app: &TestApp, who: &Session, id: &str, body: Value) -> reqwest::Response {
    app.post_json_as(&format!("/api/v1/tickets/{id}/comments"), &who.access_token, &body).await
}

#[tokio::test]
async fn lists_filter_sort_and_page_through_every_ticket_once_and_counts_agree() {
    let c = cast().await;
    let app = &c.app;
    let other = app.resident("13800000009").await;
    let mut created = Vec::new();
    for i in 0..25usize {
        let (community, category) = match i % 5 {
            0 => (0, "fire"),
            1 => (1, "building"),
            2 => (9, "fire"),
            3 => (10, "traffic"),
            _ => (0, "building"),
        };
        let mut body = report(category, grid_center(community, i % 3), &[]);
        body["urgency"] = json!(["normal", "urgent", "emergency"][i % 3]);
        body["description"] = json!(format!("隐患 {i} {}", if i == 7 { "100%_sure" } else { "1000 sure" }));
        body["address"] = json!(if i % 4 == 0 { "青川市幸福路 Block ABC" } else { "青川市望江路" });
        let who = if i < 20 { &c.resident } else { &other };
        created.push(submit(app, who, &body).await["ticket"].clone());
    }
    // Withdrawn tickets have no deadline: they sort last by deadline.
    for t in created.iter().take(3) {
        act_ok(app, &c.resident, t, json!({"action": "withdraw"})).await;
    }
    // Two wait for a dispatcher to approve a cancellation; two are overdue (as the SLA worker marks them).
    for t in [&created[5], &created[9]] {
        act_ok(app, &c.grid_worker, t, json!({"action": "cancel_as_error", "reason": "误报，现场无隐患"})).await;
    }
    for t in [&created[10], &created[11]] {
        let id: Uuid = t["id"].as_str().unwrap().parse().unwrap();
        let mut row = ticket::Entity::find_by_id(id).one(app.state.db()).await.unwrap().unwrap().into_active_model();
        row.overdue = Set(true);
        row.update(app.state.db()).await.unwrap();
    }
    let all: HashSet<String> = ids(&created).into_iter().collect();

    for sort in ["created_desc", "due_asc", "priority_desc"] {
        let items = walk(app, &c.dispatcher, &[("sort", sort), ("limit", "4")]).await;
        let got = ids(&items);
        assert_eq!(got.len(), 25, "{sort}");
        assert_eq!(got.iter().cloned().collect::<HashSet<_>>(), all, "{sort}: each ticket exactly once");
        for pair in items.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            match sort {
                "created_desc" => assert!(a["created_at"].as_str() >= b["created_at"].as_str()),
                "priority_desc" => assert!(a["priority"].as_i64() >= b["priority"].as_i64()),
                _ => match (a["due_at"].as_str(), b["due_at"].as_str()) {
                    (Some(x), Some(y)) => assert!(x <= y, "{x} > {y}"),
                    (None, Some(_)) => panic!("a ticket without deadline before one with"),
                    _ => {}
                },
            }
        }
        if sort == "due_asc" {
            assert!(items[22..].iter().all(|t| t["due_at"].is_null()), "no deadline last");
        }
    }
    let first = list(app, &c.dispatcher, &[]).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 20, "default page size");
    assert_eq!(first["items"][0]["id"], created[24]["id"], "newest first");
    assert_eq!(first["items"][0]["status_label"], "待签收");

    let count = |q: Vec<(&'static str, String)>| {
        let app = &c.app;
        let who = &c.dispatcher;
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            walk(app, who, &q).await.len()
        }
    };
    let s = |v: &str| v.to_owned();
    assert_eq!(count(vec![("status", s("rejected"))]).await, 3);
    assert_eq!(count(vec![("status", s("rejected,assigned"))]).await, 25);
    assert_eq!(count(vec![("category", s("traffic"))]).await, 5);
    assert_eq!(count(vec![("urgency", s("emergency"))]).await, 8);
    assert_eq!(count(vec![("region_id", region_id(app, "439902").await.to_string())]).await, 10);
    assert_eq!(count(vec![("region_id", region_id(app, "439901").await.to_string())]).await, 15);
    let grid = created[5]["location"]["grid_id"].as_str().unwrap().to_owned();
    let in_grid = created.iter().filter(|t| t["location"]["grid_id"] == json!(grid)).count();
    assert_eq!(count(vec![("grid_id", grid)]).await, in_grid);
    let dept = created[0]["department_id"].as_str().unwrap().to_owned();
    let of_dept = created.iter().filter(|t| t["department_id"] == json!(dept)).count();
    assert_eq!(count(vec![("department_id", dept.clone())]).await, of_dept);
    assert_eq!(count(vec![("q", s("abc"))]).await, 7, "address, case-insensitive");
    assert_eq!(count(vec![("q", s("0%_"))]).await, 1, "% and _ match themselves");
    assert_eq!(count(vec![("q", s(&created[3]["number"].as_str().unwrap()[2..]))]).await, 1);
    assert_eq!(count(vec![("overdue", s("true"))]).await, 2);
    assert_eq!(count(vec![("overdue", s("false"))]).await, 23);
    assert_eq!(count(vec![("pending", s("true"))]).await, 2);
    assert_eq!(count(vec![("pending", s("false"))]).await, 23);
    let tenth = created[10]["created_at"].as_str().unwrap().to_owned();
    assert_eq!(count(vec![("from", tenth.clone())]).await, 15);
    assert_eq!(count(vec![("to", tenth)]).await, 10);
    assert_eq!(count(vec![("from", (Utc::now() + Duration::hours(1)).to_rfc3339())]).await, 0);

    // Residents list their own; `mine` adds what they follow.
    let follow = app
        .post_json_as(
            &format!("/api/v1/tickets/{}/follow", created[5]["id"].as_str().unwrap()),
            &other.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(follow.status(), StatusCode::OK);
    assert_eq!(walk(app, &other, &[]).await.len(), 6);
    assert_eq!(walk(app, &other, &[("mine", "true")]).await.len(), 6);
    assert_eq!(walk(app, &c.resident, &[]).await.len(), 20);
    assert_eq!(walk(app, &c.dispatcher, &[("mine", "true")]).await.len(), 0);

    // The counts are the list's numbers.
    let summary: Value = get(app, &c.dispatcher, "/api/v1/tickets/summary", &[]).await.json().await.unwrap();
    assert_eq!(summary["total"], 25);
    for entry in summary["statuses"].as_array().unwrap() {
        let status = entry["status"].as_str().unwrap().to_owned();
        assert_eq!(entry["count"].as_u64().unwrap() as usize, count(vec![("status", status)]).await, "{entry}");
    }
    assert_eq!((summary["overdue"].as_i64(), summary["pending_approval"].as_i64()), (Some(2), Some(2)));
    let scoped: Value =
        get(app, &c.dispatcher, "/api/v1/tickets/summary", &[("category", "fire"), ("urgency", "urgent")])
            .await
            .json()
            .await
            .unwrap();
    let expected = count(vec![("category", s("fire")), ("urgency", s("urgent"))]).await;
    assert_eq!(scoped["total"].as_u64().unwrap() as usize, expected);
    let mine: Value = get(app, &other, "/api/v1/tickets/summary", &[]).await.json().await.unwrap();
    assert_eq!(mine["total"], 6);

    // Bad parameters are named.
    for (q, field) in [
        (vec![("colour", "red")], "colour"),
        (vec![("limit", "0")], "limit"),
        (vec![("limit", "many")], "limit"),
        (vec![("status", "open")], "status"),
        (vec![("region_id", "east")], "region_id"),
        (vec![("from", "yesterday")], "from"),
        (vec![("sort", "random")], "sort"),
    ] {
        let p = problem(get(app, &c.dispatcher, "/api/v1/tickets", &q).await, StatusCode::BAD_REQUEST).await;
        assert_eq!((p["code"].as_str(), p["errors"][0]["field"].as_str()), (Some("invalid_query"), Some(field)));
    }
    let p = problem(
        get(app, &c.dispatcher, "/api/v1/tickets/summary", &[("status", "closed")]).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "status");
    let cursor = first["next_cursor"].as_str().unwrap();
    for bad in ["garbage", &cursor[1..]] {
        let p = problem(get(app, &c.dispatcher, "/api/v1/tickets", &[("cursor", bad)]).await, StatusCode::BAD_REQUEST)
            .await;
        assert_eq!(p["code"], "invalid_cursor");
    }
    let p = problem(
        get(app, &c.dispatcher, "/api/v1/tickets", &[("cursor", cursor), ("sort", "priority_desc")]).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["code"], "invalid_cursor", "a cursor belongs to its order");
}

#[tokio::test]
async fn residents_read_public_comments_and_staff_also_internal_notes() {
    let c = cast().await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let id = t["id"].as_str().unwrap();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;

    let res = comment(app, &c.dept_staff, id, json!({"body": "  已安排人员前往核查  "})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let reply: Value = res.json().await.unwrap();
    assert_eq!((reply["body"].as_str(), reply["visibility"].as_str()), (Some("已安排人员前往核查"), Some("public")));
    assert_eq!(reply["author_role"], "dept_staff");
    let res =
        comment(app, &c.dept_staff, id, json!({"body": "业主不配合，需联系物业", "visibility": "internal"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = comment(app, &c.resident, id, json!({"body": "谢谢，今天下午在家"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let staff_view: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/comments"), &c.grid_worker.access_token).await.json().await.unwrap();
    assert_eq!(staff_view.as_array().unwrap().len(), 3);
    let mine: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/comments"), &c.resident.access_token).await.json().await.unwrap();
    let bodies: Vec<&str> = mine.as_array().unwrap().iter().map(|x| x["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["已安排人员前往核查", "谢谢，今天下午在家"]);
    assert!(mine[0]["author_id"].is_null(), "residents are not told which staff member wrote");
    assert_eq!(mine[1]["author_id"], json!(user_id(&c.resident)));

    // Staff of another department following it as a neighbour read what residents read.
    let neighbour = app.staff("13912340005", Role::DeptStaff).await;
    make_staff_of(app, &neighbour, &department_id(app, "东湖区住房和城乡建设局").await).await;
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/follow"), &neighbour.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let theirs: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/comments"), &neighbour.access_token).await.json().await.unwrap();
    assert_eq!(theirs.as_array().unwrap().len(), 2, "no internal notes for followers");
    assert!(theirs[1]["author_id"].is_null(), "nor whose account wrote what");
    let res = comment(app, &neighbour, id, json!({"body": "内部", "visibility": "internal"})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "visibility");
    let res = app.get_as(&format!("/api/v1/tickets/{id}/reply-templates"), &neighbour.access_token).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Only the public staff reply is sent out, to the reporter and the followers.
    let sent = outbox::Entity::find().filter(outbox::Column::Kind.eq("reply")).all(app.state.db()).await.unwrap();
    let mut audiences: Vec<&str> = sent.iter().map(|o| o.audience.as_str()).collect();
    audiences.sort();
    assert_eq!(audiences, ["followers", "reporter"]);

    for (body, field) in [
        (json!({"body": "内部", "visibility": "internal"}), "visibility"),
        (json!({"body": "   "}), "body"),
        (json!({"body": "字".repeat(2001)}), "body"),
        (json!({"body": "模板", "template_id": Uuid::now_v7()}), "template_id"),
    ] {
        let p = problem(comment(app, &c.resident, id, body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["errors"][0]["field"], field);
    }
    let p = problem(
        comment(app, &c.dept_staff, id, json!({"body": "x", "visibility": "secret"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["code"], "invalid_body");
    let stranger = app.resident("13800000005").await;
    assert_eq!(comment(app, &stranger, id, json!({"body": "路过"})).await.status(), StatusCode::NOT_FOUND);
    let res = app.get_as(&format!("/api/v1/tickets/{id}/comments"), &stranger.access_token).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "ticket_not_found");
}

#[tokio::test]
async fn admins_manage_reply_templates_and_staff_get_them_filled_in() {
    let c = cast().await;
    let app = &c.app;
    let admin = app.staff("13912350009", Role::Admin).await;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let id = t["id"].as_str().unwrap();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let create = |body: Value| {
        let token = admin.access_token.clone();
        async move { app.post_json_as("/api/v1/admin/response-templates", &token, &body).await }
    };

    let res = create(json!({
        "category": "fire", "title": "受理告知",
        "body": "您反映的{category}隐患（{number}）由{department}办理，当前{status}，整改期限{deadline}。",
    }))
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fire: Value = res.json().await.unwrap();
    assert_eq!((fire["active"].as_bool(), fire["status"].is_null()), (Some(true), true));
    let any: Value = create(json!({"title": "感谢", "body": "感谢您的反映（{number}）。"})).await.json().await.unwrap();
    let other: Value =
        create(json!({"category": "building", "title": "房屋", "body": "房屋"})).await.json().await.unwrap();
    let closed: Value =
        create(json!({"status": "closed", "title": "办结", "body": "已办结"})).await.json().await.unwrap();
    let off: Value = create(json!({"title": "停用", "body": "停用", "active": false})).await.json().await.unwrap();
    for body in [
        json!({"title": "x", "body": "您好{name}"}),
        json!({"title": "x", "body": "x", "category": "no_such"}),
        json!({"title": " ", "body": "x"}),
    ] {
        assert_eq!(create(body).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let p = problem(
        app.post_json_as(
            "/api/v1/admin/response-templates",
            &c.dispatcher.access_token,
            &json!({"title": "x", "body": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p["code"], "forbidden");
    assert_eq!(
        app.get_as("/api/v1/admin/response-templates", &c.dept_staff.access_token).await.status(),
        StatusCode::FORBIDDEN
    );
    let listed: Value = app.get_as("/api/v1/admin/response-templates", &admin.access_token).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 5);

    // `null` widens a template to any category; absent fields stay.
    let path = format!("/api/v1/admin/response-templates/{}", other["id"].as_str().unwrap());
    let widened: Value = app
        .patch_json_as(&path, &admin.access_token, &json!({"category": null, "title": "通用"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((widened["category"].is_null(), widened["body"].as_str()), (true, Some("房屋")));
    let res = app.patch_json_as(&path, &admin.access_token, &json!({"active": false})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["title"], "通用");
    let missing = format!("/api/v1/admin/response-templates/{}", Uuid::now_v7());
    let p = problem(
        app.patch_json_as(&missing, &admin.access_token, &json!({"active": true})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(p["code"], "template_not_found");

    let offered: Value = app
        .get_as(&format!("/api/v1/tickets/{id}/reply-templates"), &c.dept_staff.access_token)
        .await
        .json()
        .await
        .unwrap();
    let offered = offered.as_array().unwrap();
    let offered_ids: HashSet<&str> = offered.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(offered_ids, HashSet::from([fire["id"].as_str().unwrap(), any["id"].as_str().unwrap()]));
    assert!(
        !offered_ids.contains(closed["id"].as_str().unwrap()) && !offered_ids.contains(off["id"].as_str().unwrap())
    );
    let rendered = offered.iter().find(|o| o["id"] == fire["id"]).unwrap()["body"].as_str().unwrap().to_owned();
    let number = t["number"].as_str().unwrap();
    assert_eq!(
        rendered,
        format!("您反映的消防安全隐患（{number}）由东湖区消防救援大队办理，当前待签收，整改期限未定。")
    );
    let res = app.get_as(&format!("/api/v1/tickets/{id}/reply-templates"), &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A reply written from a template says so; an inactive template is refused.
    let res = comment(app, &c.dept_staff, id, json!({"body": rendered, "template_id": fire["id"]})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["template_id"], fire["id"]);
    let res = comment(app, &c.dept_staff, id, json!({"body": "停用", "template_id": off["id"]})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "template_id");
}

/// Takes a fresh ticket in grid (0, 0) to `closed`, via a rectification deadline of `deadline`.
async fn close(c: &crate::tickets::Cast, t: &Value, deadline: chrono::DateTime<Utc>) -> Value {
    let app = &c.app;
    let place = grid_center(0, 0);
    let at = json!({"lat": place.1, "lng": place.0, "coord_system": "gcj02"});
    let seen: Value = get_ticket(app, &c.grid_worker, t["id"].as_str().unwrap()).await.json().await.unwrap();
    let t = act_ok(app, &c.grid_worker, &seen, json!({"action": "accept"})).await;
    let photo = upload_photo(app, &c.grid_worker, 4).await;
    let t = act_ok(
        app,
        &c.grid_worker,
        &t,
        json!({"action": "confirm", "level": "general", "evidence": [photo], "position": at}),
    )
    .await;
    let plan = json!({"plan": "清理杂物", "deadline": deadline.to_rfc3339()});
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "accept", "rectification": plan})).await;
    let fixed = upload_photo(app, &c.dept_staff, 5).await;
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "complete", "evidence": [fixed]})).await;
    act_ok(app, &c.grid_worker, &t, json!({"action": "pass", "media": [], "position": at})).await
}

#[tokio::test]
async fn the_reporter_rates_a_closed_ticket_once() {
    let c = cast().await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let id = t["id"].as_str().unwrap().to_owned();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let rate = |who: &Session, body: Value| {
        let path = format!("/api/v1/tickets/{id}/rating");
        let token = who.access_token.clone();
        async move { app.post_json_as(&path, &token, &body).await }
    };
    let p = problem(rate(&c.resident, json!({"score": 5})).await, StatusCode::CONFLICT).await;
    assert_eq!(p["code"], "not_closed");

    let follower = app.resident("13800000006").await;
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/follow"), &follower.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Half past seven in the morning, China time, eight days on.
    let deadline = (Utc::now() + Duration::days(8)).date_naive().and_hms_opt(23, 30, 0).unwrap().and_utc();
    close(&c, &t, deadline).await;
    let admin = app.staff("13912350010", Role::Admin).await;
    let res = app
        .post_json_as(
            "/api/v1/admin/response-templates",
            &admin.access_token,
            &json!({"title": "期限", "body": "{deadline}"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let offered: Value = app
        .get_as(&format!("/api/v1/tickets/{id}/reply-templates"), &c.dept_staff.access_token)
        .await
        .json()
        .await
        .unwrap();
    let china = deadline + Duration::hours(8);
    assert_eq!(offered[0]["body"], china.format("%Y-%m-%d %H:%M").to_string());

    assert_eq!(rate(&follower, json!({"score": 5})).await.status(), StatusCode::FORBIDDEN);
    for body in [json!({"score": 0}), json!({"score": 6}), json!({"score": 4, "comment": "好".repeat(501)})] {
        assert_eq!(rate(&c.resident, body).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = rate(&c.resident, json!({"score": 4, "comment": " 处理及时 "})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rated: Value = res.json().await.unwrap();
    assert_eq!((rated["rating"].as_i64(), rated["rating_comment"].as_str()), (Some(4), Some("处理及时")));
    assert_eq!(rated["version"], json!(6), "a rating is not a move");
    let p = problem(rate(&c.resident, json!({"score": 1})).await, StatusCode::CONFLICT).await;
    assert_eq!(p["code"], "already_rated");
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(id.parse::<Uuid>().unwrap()))
        .filter(ticket_event::Column::Action.eq("rate"))
        .all(app.state.db())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_co_handling_department_sees_the_ticket_once_added() {
    let c = cast().await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let id = t["id"].as_str().unwrap();
    let housing = department_id(app, "东湖区住房和城乡建设局").await;
    make_staff_of(app, &c.dept_staff, &housing).await;
    assert_eq!(get_ticket(app, &c.dept_staff, id).await.status(), StatusCode::NOT_FOUND);
    assert!(walk(app, &c.dept_staff, &[]).await.is_empty());

    let path = format!("/api/v1/tickets/{id}/co-departments");
    let add = |who: &Session, body: Value| {
        let token = who.access_token.clone();
        let path = path.clone();
        async move { app.post_json_as(&path, &token, &body).await }
    };
    assert_eq!(add(&c.dept_staff, json!({"department_id": housing})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(add(&c.resident, json!({"department_id": housing})).await.status(), StatusCode::FORBIDDEN);
    let p =
        problem(add(&c.dispatcher, json!({"department_id": Uuid::now_v7()})).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(p["errors"][0]["field"], "department_id");
    for _ in 0..2 {
        let res = add(&c.dispatcher, json!({"department_id": housing})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["co_departments"], json!([housing]));
    }
    assert_eq!(get_ticket(app, &c.dept_staff, id).await.status(), StatusCode::OK);
    assert_eq!(ids(&walk(app, &c.dept_staff, &[]).await), [id]);
    let events: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/events"), &c.dispatcher.access_token).await.json().await.unwrap();
    let co: Vec<&Value> = events.as_array().unwrap().iter().filter(|e| e["action"] == "co_department").collect();
    assert_eq!(co.len(), 1, "adding twice records once");
    let sent = outbox::Entity::find().filter(outbox::Column::Kind.eq("co_handling")).all(app.state.db()).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].audience.as_str(), sent[0].audience_id.map(|d| json!(d))), ("department", Some(housing)));
    let seen: Value = get_ticket(app, &c.dept_staff, id).await.json().await.unwrap();
    assert_eq!(seen["version"], t["version"], "co-handling is not a move");
}

/// Who sees a ticket, by role, on every endpoint that shows it.
#[tokio::test]
async fn each_role_sees_exactly_the_tickets_it_should() {
    let c = cast().await;
    let app = &c.app;
    let mut body = report("fire", grid_center(0, 0), &[]);
    body["anonymous"] = json!(true);
    let t = submit(app, &c.resident, &body).await["ticket"].clone();
    let id = t["id"].as_str().unwrap().to_owned();

    let other_resident = app.resident("13800000002").await;
    let follower = app.resident("13800000003").await;
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/follow"), &follower.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let other_worker = login(app, &hazardline::geo::seed::grid_worker_phone(9), "demo password 1").await;
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let other_staff = app.staff("13912340005", Role::DeptStaff).await;
    make_staff_of(app, &other_staff, &department_id(app, "东湖区住房和城乡建设局").await).await;
    let near_dispatcher = dispatcher_of(app, "13912340006", region_id(app, "439901").await).await;
    let far_dispatcher = dispatcher_of(app, "13912340007", region_id(app, "439902").await).await;
    let admin = app.staff("13912340008", Role::Admin).await;

    // (who, sees it, sees the anonymous reporter)
    let matrix: [(&str, &Session, bool, bool); 10] = [
        ("reporter", &c.resident, true, true),
        ("other resident", &other_resident, false, false),
        ("follower", &follower, true, false),
        ("grid worker of the grid", &c.grid_worker, true, false),
        ("grid worker elsewhere", &other_worker, false, false),
        ("staff of the department", &c.dept_staff, true, false),
        ("staff of another department", &other_staff, false, false),
        ("dispatcher of the district", &near_dispatcher, true, true),
        ("dispatcher of the other district", &far_dispatcher, false, false),
        ("admin", &admin, true, true),
    ];
    for (role, who, sees, sees_reporter) in matrix {
        let (ok, created) =
            if sees { (StatusCode::OK, StatusCode::CREATED) } else { (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND) };
        let view = get_ticket(app, who, &id).await;
        assert_eq!(view.status(), ok, "{role}: GET ticket");
        let events = app.get_as(&format!("/api/v1/tickets/{id}/events"), &who.access_token).await;
        assert_eq!(events.status(), ok, "{role}: GET events");
        let comments = app.get_as(&format!("/api/v1/tickets/{id}/comments"), &who.access_token).await;
        assert_eq!(comments.status(), ok, "{role}: GET comments");
        let listed = walk(app, who, &[]).await;
        let row = listed.iter().find(|x| x["id"] == json!(id));
        assert_eq!(row.is_some(), sees, "{role}: in the list");
        let summary: Value = get(app, who, "/api/v1/tickets/summary", &[]).await.json().await.unwrap();
        assert_eq!(summary["total"], json!(listed.len()), "{role}: counted");
        let posted = comment(app, who, &id, json!({"body": format!("{role} 留言")})).await;
        assert_eq!(posted.status(), created, "{role}: POST comment");
        if sees {
            let reporter = if sees_reporter { json!(user_id(&c.resident)) } else { Value::Null };
            let view: Value = view.json().await.unwrap();
            assert_eq!(view["reporter_id"], reporter, "{role}: reporter in the ticket");
            assert_eq!(row.unwrap()["reporter_id"], reporter, "{role}: reporter in the list");
        }
    }
    // The anonymous reporter's own comment does not give them away either.
    let seen: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/comments"), &c.dept_staff.access_token).await.json().await.unwrap();
    let by_reporter = seen.as_array().unwrap().iter().find(|x| x["body"] == "reporter 留言").unwrap();
    assert!(by_reporter["author_id"].is_null());
    let seen: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/comments"), &admin.access_token).await.json().await.unwrap();
    let by_reporter = seen.as_array().unwrap().iter().find(|x| x["body"] == "reporter 留言").unwrap();
    assert_eq!(by_reporter["author_id"], json!(user_id(&c.resident)));
}
