//! The admin pages (`/admin`): for admins only, lists rendered on the server, writes through plain
//! forms with the CSRF token (post, redirect, get), refusals in words next to the form with a 4xx
//! status and what was typed, and a double submit that creates once.

use hazardline::auth::{cookie::csrf_token, Role};
use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::helpers::{page_cookies, spawn_app, Session, TestApp, PAGE_SID, STAFF_PASSWORD};

/// A browser session of one user on the pages.
struct Pages<'a> {
    app: &'a TestApp,
    who: Session,
    csrf: String,
}

impl<'a> Pages<'a> {
    fn new(app: &'a TestApp, who: Session) -> Pages<'a> {
        let id = who.user["id"].as_str().unwrap().parse().unwrap();
        let csrf = csrf_token(app.state.jwt(), PAGE_SID, Some(id));
        Pages { app, who, csrf }
    }

    fn cookie(&self) -> String {
        page_cookies(&self.who)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.app.client.get(self.app.url(path)).header(header::COOKIE, self.cookie()).send().await.unwrap()
    }

    /// The page's status and HTML.
    async fn html(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token (or without it).
    async fn post_with(&self, path: &str, fields: &[(&str, &str)], csrf: bool) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            all.push(("csrf_token", &self.csrf));
        }
        self.app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie())
            .header(header::ORIGIN, &self.app.address)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_with(path, fields, true).await
    }

    /// Posts a form that must be accepted: 303 back to the list with a notice.
    async fn accepted(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let res = self.post(path, fields).await;
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
        let location = location.unwrap();
        assert!(location.contains("done="), "{location}");
        location
    }

    /// Posts a form that must be refused: the page again, `status`, HTML.
    async fn refused(&self, path: &str, fields: &[(&str, &str)], status: StatusCode) -> String {
        let res = self.post(path, fields).await;
        assert_eq!(res.status(), status);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        res.text().await.unwrap()
    }

    async fn api(&self, path: &str) -> Value {
        self.app.get_as(path, &self.who.access_token).await.json().await.unwrap()
    }
}

/// Borrowed pairs of a form built with owned values.
fn pairs<K: AsRef<str>>(form: &[(K, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect()
}

async fn admin<'a>(app: &'a TestApp, phone: &str) -> Pages<'a> {
    Pages::new(app, app.staff(phone, Role::Admin).await)
}

#[tokio::test]
async fn the_admin_pages_are_for_admins_and_everyone_else_is_sent_where_the_desk_sends_them() {
    let app = spawn_app().await;
    let boss = admin(&app, "13912360001").await;
    let (status, html) = boss.html("/admin").await;
    assert_eq!(status, StatusCode::OK);
    for link in ["/admin/categories", "/admin/departments", "/admin/routing-rules", "/admin/users", "/admin/campaigns"]
    {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(html.contains("<a href=\"/admin\" aria-current=\"page\">管理</a>"), "the nav entry: {html}");

    let staff = Pages::new(&app, app.staff("13912360002", Role::DeptStaff).await);
    let (_, desk) = staff.html("/desk").await;
    assert!(!desk.contains("href=\"/admin\""), "no admin entry for department staff");
    let resident = Pages::new(&app, app.resident("13800360003").await);
    for path in ["/admin", "/admin/categories", "/admin/departments", "/admin/routing-rules", "/admin/users"] {
        assert_eq!(staff.get(path).await.headers()["location"], "/desk", "{path}");
        assert_eq!(resident.get(path).await.headers()["location"], "/chat", "{path}");
    }
    assert_eq!(app.get("/admin/campaigns").await.headers()["location"], "/login?next=%2Fadmin%2Fcampaigns");

    // A write by someone else changes nothing, even with their own valid token.
    let res = staff.post("/admin/categories/fire", &[("name_zh", "改名"), ("default_urgency", "normal")]).await;
    assert_eq!((res.status(), res.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/desk"));
    let fire = &boss.api("/api/v1/categories").await[0];
    assert_eq!(fire["name_zh"], "消防安全");

    // Editing something that is not there says so.
    let (status, html) = boss.html("/admin/categories?edit=no_such").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("没有这个页面") && html.contains("id=\"c-fire\""), "the list stays");

    // A browser without a session id gets one with the page, and the page's forms carry its token.
    let res = app
        .client
        .get(app.url("/admin/routing-rules"))
        .header(header::COOKIE, format!("hl_access={}", boss.who.access_token))
        .send()
        .await
        .unwrap();
    let sids: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().unwrap().strip_prefix("hl_sid=").map(|r| r.split(';').next().unwrap().to_owned()))
        .collect();
    assert_eq!(sids.len(), 1, "one new session id: {sids:?}");
    let html = res.text().await.unwrap();
    let token = html.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let boss_id = boss.who.user["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(token, csrf_token(app.state.jwt(), &sids[0], Some(boss_id)));

    // English on request.
    let (_, html) = boss.html("/admin/users?lang=en").await;
    assert!(html.contains("Users and roles") && html.contains("Grant a role"));
}

fn category_form<'a>(code: &'a str, name: &'a str, keywords: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("usual_department_kind", "fire_rescue"),
        ("name_zh", name),
        ("name_en", "E-bikes"),
        ("keywords", keywords),
        ("default_urgency", "urgent"),
        ("accept_hours", "4"),
        ("verify_hours", "8"),
        ("rectify_days_general", "3"),
        ("rectify_days_major", "15"),
    ]
}

#[tokio::test]
async fn categories_are_listed_added_and_changed_through_forms_and_bad_input_is_named() {
    let app = spawn_app().await;
    let boss = admin(&app, "13912360011").await;
    let (status, html) = boss.html("/admin/categories").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"c-fire\"") && html.contains("消防安全") && html.contains("消防通道"), "{html}");

    // Created through the form: keywords split on commas and 、, weights after a colon.
    let location =
        boss.accepted("/admin/categories", &category_form("e_bike", "电动自行车", "电瓶车:2、飞线充电，充电桩")).await;
    assert_eq!(location, "/admin/categories?done=saved");
    let (_, html) = boss.html(&location).await;
    assert!(html.contains("已保存") && html.contains("id=\"c-e_bike\""));
    let categories = boss.api("/api/v1/categories").await;
    let e_bike = categories.as_array().unwrap().iter().find(|c| c["code"] == "e_bike").unwrap();
    let words: Vec<(&str, f64)> = e_bike["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["word"].as_str().unwrap(), k["weight"].as_f64().unwrap()))
        .collect();
    assert_eq!(words, [("电瓶车", 2.0), ("飞线充电", 1.0), ("充电桩", 1.0)]);

    // The same code again: the unique key's refusal in words, what was typed kept.
    let html = boss.refused("/admin/categories", &category_form("e_bike", "电动车二", ""), StatusCode::CONFLICT).await;
    assert!(html.contains("这个编码已经有类别了"), "{html}");
    assert!(html.contains("value=\"电动车二\"") && html.contains("value=\"e_bike\""));
    // An empty name and a bad code are named.
    let html =
        boss.refused("/admin/categories", &category_form("e_bike2", " ", ""), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("请检查：中文名称：不能为空"), "{html}");
    let html = boss
        .refused("/admin/categories", &category_form("E Bike", "电动车", ""), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert!(html.contains("编码：只能用2–32位小写字母、数字和下划线"), "{html}");
    let mut form = category_form("e_bike3", "电动车", "");
    form[6] = ("accept_hours", "四");
    let html = boss.refused("/admin/categories", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("签收时限（小时）：数值超出允许范围") && html.contains("value=\"四\""), "{html}");
    // Without the CSRF token nothing is created.
    let res = boss.post_with("/admin/categories", &category_form("e_bike4", "电动车", ""), false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("页面已过期"));
    let codes = boss.api("/api/v1/categories").await;
    assert_eq!(
        codes.as_array().unwrap().iter().filter(|c| c["code"].as_str().unwrap().starts_with("e_bike")).count(),
        1
    );

    // Edited: the form shows the current values; a kept word keeps its weight; disabled.
    let (_, html) = boss.html("/admin/categories?edit=e_bike").await;
    assert!(html.contains("电瓶车:2、飞线充电、充电桩"), "{html}");
    let mut form = category_form("", "电动自行车", "电瓶车、楼道充电");
    form.retain(|(k, _)| !matches!(*k, "code" | "usual_department_kind"));
    boss.accepted("/admin/categories/e_bike", &form).await;
    let categories = boss.api("/api/v1/categories").await;
    let e_bike = categories.as_array().unwrap().iter().find(|c| c["code"] == "e_bike").unwrap();
    assert_eq!(e_bike["active"], false, "no `active` box ticked");
    assert_eq!(e_bike["keywords"][0]["weight"], 2.0);
    assert_eq!(e_bike["keywords"][1]["word"], "楼道充电");
    let (_, html) = boss.html("/admin/categories").await;
    assert!(html.contains("<tr id=\"c-e_bike\" class=\"off\">"), "shown as disabled");
    form.push(("active", "true"));
    form[0] = ("name_zh", "");
    let html = boss.refused("/admin/categories/e_bike", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("id=\"msg-e_bike\"") && html.contains("中文名称：不能为空"), "next to the edit form: {html}");
}

#[tokio::test]
async fn departments_are_created_once_per_form_and_get_members_by_phone() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let boss = admin(&app, "13912360021").await;
    let (status, html) = boss.html("/admin/departments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("东湖区消防救援大队"));
    let once = html.split("name=\"once\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let regions = boss.api("/api/v1/regions?level=district").await;
    let district = regions[0]["id"].as_str().unwrap().to_owned();
    let form = |name: &'static str, region: &str| {
        vec![
            ("once", once.clone()),
            ("region_id", region.to_owned()),
            ("name", name.to_owned()),
            ("kind", "gas_authority".to_owned()),
            ("categories", "gas".to_owned()),
            ("categories", "hazchem".to_owned()),
            ("duty_contact", "王工".to_owned()),
            ("duty_phone", "0731-1234567".to_owned()),
            ("working_hours", "8:30-17:30".to_owned()),
        ]
    };

    // Bad input is named and gives the token back; what was typed stays.
    let html =
        boss.refused("/admin/departments", &pairs(&form(" ", &district)), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("名称：不能为空") && html.contains("value=\"王工\""), "{html}");
    assert!(html.contains(&format!("value=\"{once}\"")), "the same token for the corrected form");
    let html =
        boss.refused("/admin/departments", &pairs(&form("东湖区燃气办", "")), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("辖区：不能为空"), "{html}");

    // Sent twice: created once, the second told so.
    let good = form("东湖区燃气办", &district);
    let good = pairs(&good);
    let location = boss.accepted("/admin/departments", &good).await;
    assert!(location.starts_with("/admin/departments?edit="), "{location}");
    let html = boss.refused("/admin/departments", &good, StatusCode::CONFLICT).await;
    assert!(html.contains("这个表单已经提交过了"), "{html}");
    let all = boss.api("/api/v1/departments").await;
    let made: Vec<&Value> = all.as_array().unwrap().iter().filter(|d| d["name"] == "东湖区燃气办").collect();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["categories"].as_array().unwrap().len(), 2);
    let id = made[0]["id"].as_str().unwrap().to_owned();

    // Without the CSRF token: refused, nothing changes.
    let res = boss.post_with(&format!("/admin/departments/{id}"), &[("name", "改名"), ("kind", "other")], false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Edited; members added by phone, an unknown phone named, removed again.
    boss.accepted(
        &format!("/admin/departments/{id}"),
        &[("name", "东湖区燃气管理办公室"), ("kind", "gas_authority"), ("categories", "gas")],
    )
    .await;
    let members = format!("/admin/departments/{id}/members");
    let html = boss.refused(&members, &[("phone", "13912369999")], StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("没有用这个手机号注册的用户") && html.contains("value=\"13912369999\""), "{html}");
    app.staff("13912360022", Role::DeptStaff).await;
    boss.accepted(&members, &[("phone", "13912360022")]).await;
    let (_, html) = boss.html(&format!("/admin/departments?edit={id}")).await;
    assert!(html.contains("东湖区燃气管理办公室") && html.contains("13912360022"), "{html}");
    let remove = html.split(&format!("action=\"/admin/departments/{id}/members/")).nth(1).unwrap();
    let remove = format!("/admin/departments/{id}/members/{}", remove.split('"').next().unwrap());
    boss.accepted(&remove, &[]).await;
    let (_, html) = boss.html(&format!("/admin/departments?edit={id}")).await;
    assert!(!html.contains("13912360022") && html.contains("还没有成员"));
}

#[tokio::test]
async fn routing_rules_are_added_changed_and_deleted_and_a_second_rule_for_a_pair_is_refused() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let boss = admin(&app, "13912360031").await;
    let street = boss.api("/api/v1/regions?level=street").await[0]["id"].as_str().unwrap().to_owned();
    let departments = boss.api("/api/v1/departments").await;
    let dept = |name: &str| {
        departments.as_array().unwrap().iter().find(|d| d["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (fire_dept, office) = (dept("东湖区消防救援大队"), dept("东湖区安委办"));
    let before = boss.api("/api/v1/routing-rules").await.as_array().unwrap().len();
    let (status, html) = boss.html("/admin/routing-rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<select id=\"new-region\"") && html.contains("东湖区消防救援大队"));

    let rule =
        [("category", "gas"), ("region_id", street.as_str()), ("department_id", fire_dept.as_str()), ("note", "试点")];
    boss.accepted("/admin/routing-rules", &rule).await;
    let html = boss.refused("/admin/routing-rules", &rule, StatusCode::CONFLICT).await;
    assert!(html.contains("这个类别在这个辖区已有规则"), "{html}");
    let html = boss
        .refused(
            "/admin/routing-rules",
            &[("category", "gas"), ("region_id", street.as_str())],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(html.contains("部门：不能为空"), "{html}");
    let rules = boss.api("/api/v1/routing-rules").await;
    assert_eq!(rules.as_array().unwrap().len(), before + 1);
    let id = rules.as_array().unwrap().iter().find(|r| r["note"] == "试点").unwrap()["id"].as_str().unwrap().to_owned();

    boss.accepted(&format!("/admin/routing-rules/{id}"), &[("department_id", office.as_str()), ("note", "改由安委办")])
        .await;
    let rules = boss.api("/api/v1/routing-rules").await;
    let changed = rules.as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(
        (changed["department_id"].as_str(), changed["note"].as_str()),
        (Some(office.as_str()), Some("改由安委办"))
    );

    let res = boss.post_with(&format!("/admin/routing-rules/{id}/delete"), &[], false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(boss.api("/api/v1/routing-rules").await.as_array().unwrap().len(), before + 1);
    assert_eq!(
        boss.accepted(&format!("/admin/routing-rules/{id}/delete"), &[]).await,
        "/admin/routing-rules?done=deleted"
    );
    assert_eq!(boss.api("/api/v1/routing-rules").await.as_array().unwrap().len(), before);
    let html = boss.refused(&format!("/admin/routing-rules/{id}/delete"), &[], StatusCode::NOT_FOUND).await;
    assert!(html.contains("没有这个页面"));
}

#[tokio::test]
async fn roles_are_granted_by_phone_with_their_scope_revoked_and_accounts_disabled() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let boss = admin(&app, "13912360041").await;
    app.staff("13912360042", Role::Dispatcher).await;
    let (status, html) = boss.html("/admin/users?q=1391236004").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"u-13912360042\"") && html.contains("调度员"), "{html}");
    let resident = app.resident("13800360043").await;
    let street = boss.api("/api/v1/regions?level=street").await[0]["id"].as_str().unwrap().to_owned();
    let grid = boss.api("/api/v1/regions?level=grid").await[0]["id"].as_str().unwrap().to_owned();
    let fire_dept = boss
        .api("/api/v1/departments")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "东湖区消防救援大队")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let grant = |phone: &'static str, role: &'static str| vec![("q", "13800360043"), ("phone", phone), ("role", role)];
    let html =
        boss.refused("/admin/users/roles", &grant("13800369999", "dispatcher"), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("没有用这个手机号注册的用户") && html.contains("value=\"13800369999\""), "{html}");
    let html =
        boss.refused("/admin/users/roles", &grant("13800360043", "dept_staff"), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("部门：不能为空"), "{html}");
    let mut not_grid = grant("13800360043", "grid_worker");
    not_grid.push(("region_id", &street));
    let html = boss.refused("/admin/users/roles", &not_grid, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("请选择一个网格"), "{html}");

    let mut staff = grant("13800360043", "dept_staff");
    staff.push(("department_id", &fire_dept));
    assert_eq!(boss.accepted("/admin/users/roles", &staff).await, "/admin/users?q=13800360043&done=saved");
    boss.accepted("/admin/users/roles", &staff).await;
    let mut worker = grant("13800360043", "grid_worker");
    worker.push(("region_id", &grid));
    boss.accepted("/admin/users/roles", &worker).await;
    let me = app.me(&resident.access_token).await.json::<Value>().await.unwrap();
    let roles: Vec<&str> = me["roles"].as_array().unwrap().iter().map(|g| g["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["resident", "dept_staff", "grid_worker"], "granting twice grants once");
    let assignments = boss.api(&format!("/api/v1/grid-assignments?user_id={}", me["id"].as_str().unwrap())).await;
    assert_eq!(assignments[0]["grid_id"], grid.as_str());
    let (_, html) = boss.html("/admin/users?q=13800360043").await;
    assert!(html.contains("部门工作人员") && html.contains("东湖区消防救援大队") && html.contains("网格员"), "{html}");

    // Revoke the grid worker role: the grid goes with it.
    let revoke =
        html.split("/roles/").filter(|s| s.contains("/revoke")).map(|s| s.split('/').next().unwrap()).last().unwrap();
    let user_id = me["id"].as_str().unwrap();
    boss.accepted(&format!("/admin/users/{user_id}/roles/{revoke}/revoke"), &[("q", "13800360043")]).await;
    let me = app.me(&resident.access_token).await.json::<Value>().await.unwrap();
    assert_eq!(me["roles"].as_array().unwrap().len(), 2);
    assert_eq!(boss.api(&format!("/api/v1/grid-assignments?user_id={user_id}")).await, serde_json::json!([]));

    // Disabled: the login is refused; an admin cannot disable themselves.
    let res = boss.post_with(&format!("/admin/users/{user_id}/access"), &[("disabled", "true")], false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    boss.accepted(&format!("/admin/users/{user_id}/access"), &[("disabled", "true")]).await;
    assert_eq!(app.refresh(&resident.refresh_token).await.status(), StatusCode::UNAUTHORIZED, "sessions end");
    let boss_id = boss.who.user["id"].as_str().unwrap().to_owned();
    let html =
        boss.refused(&format!("/admin/users/{boss_id}/access"), &[("disabled", "true")], StatusCode::CONFLICT).await;
    assert!(html.contains("不能停用自己的账号"));
    let (_, html) = boss.html("/admin/users?q=13800360043").await;
    assert!(html.contains("已停用"));
    boss.accepted(&format!("/admin/users/{user_id}/access"), &[("disabled", "false")]).await;
    assert_eq!(app.login_password("13912360042", STAFF_PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn campaigns_are_started_once_per_form_changed_and_closed() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let boss = admin(&app, "13912360051").await;
    let (status, html) = boss.html("/admin/campaigns").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("还没有专项整治"));
    let once = html.split("name=\"once\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let district = boss.api("/api/v1/regions?level=district").await[0]["id"].as_str().unwrap().to_owned();
    let today = chrono::Utc::now() + chrono::TimeDelta::hours(8);
    let start = (today - chrono::TimeDelta::days(1)).format("%Y-%m-%dT%H:%M").to_string();
    let end = (today + chrono::TimeDelta::days(30)).format("%Y-%m-%dT%H:%M").to_string();
    let form = |starts: &str, ends: &str| {
        vec![
            ("once".to_owned(), once.clone()),
            ("name".to_owned(), "燃气安全专项整治".to_owned()),
            ("description".to_owned(), "瓶装液化气".to_owned()),
            ("starts_at".to_owned(), starts.to_owned()),
            ("ends_at".to_owned(), ends.to_owned()),
            ("categories".to_owned(), "gas".to_owned()),
            ("regions".to_owned(), district.clone()),
        ]
    };
    let html = boss.refused("/admin/campaigns", &pairs(&form("明天", &end)), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("开始时间：请填写日期和时间") && html.contains("value=\"明天\""), "{html}");
    let html = boss.refused("/admin/campaigns", &pairs(&form(&end, &start)), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("结束时间：结束时间须晚于开始时间"), "{html}");
    let mut no_regions = form(&start, &end);
    no_regions.retain(|(k, _)| k != "regions");
    let html = boss.refused("/admin/campaigns", &pairs(&no_regions), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("目标辖区：请至少选一项"), "{html}");
    let good = form(&start, &end);
    let good = pairs(&good);
    let res = boss.post_with("/admin/campaigns", &good, false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Sent twice with the same token: one campaign (the API's idempotency key).
    boss.accepted("/admin/campaigns", &good).await;
    boss.accepted("/admin/campaigns", &good).await;
    let list = boss.api("/api/v1/campaigns").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["active"], true);
    let (_, html) = boss.html("/admin/campaigns").await;
    assert!(html.contains("燃气安全专项整治") && html.contains("进行中"), "{html}");
    // The same token with another form is told it was used.
    let mut other = form(&start, &end);
    other[1].1 = "另一个".to_owned();
    let html = boss.refused("/admin/campaigns", &pairs(&other), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("这个表单已经提交过了"), "{html}");

    // Changed, then closed now.
    let (_, html) = boss.html(&format!("/admin/campaigns?edit={id}")).await;
    assert!(html.contains(&format!("value=\"{start}\"")), "China time in the form: {html}");
    let mut change = form(&start, &end);
    change.retain(|(k, _)| k != "once");
    change[0].1 = "燃气安全专项整治（第二阶段）".to_owned();
    change.push(("categories".to_owned(), "hazchem".to_owned()));
    boss.accepted(&format!("/admin/campaigns/{id}"), &pairs(&change)).await;
    let one = boss.api(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(one["name"], "燃气安全专项整治（第二阶段）");
    assert_eq!(one["categories"].as_array().unwrap().len(), 2);
    boss.accepted(&format!("/admin/campaigns/{id}/close"), &[]).await;
    let one = boss.api(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(one["active"], false);
    let (_, html) = boss.html("/admin/campaigns").await;
    assert!(html.contains("已结束") && !html.contains(&format!("/admin/campaigns/{id}/close")));
}

#[tokio::test]
async fn a_search_matching_more_than_the_page_shows_says_so() {
    let app = spawn_app().await;
    let boss = admin(&app, "13912360051").await;
    for i in 0..52 {
        let phone = hazardline::auth::Phone::parse(&format!("138005{i:05}")).unwrap();
        hazardline::auth::service::insert_user_hashed(app.state.db(), &phone, "居民", None, Role::Resident)
            .await
            .unwrap();
    }
    let (status, html) = boss.html("/admin/users?q=138005").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("id=\"u-138005").count(), 50);
    let more = "<p class=\"hint\" role=\"status\">只列出前 50 个";
    assert!(html.contains(more), "the page says there may be more");
    let (_, html) = boss.html("/admin/users?q=1380050000").await;
    assert_eq!(html.matches("id=\"u-138005").count(), 10);
    assert!(!html.contains(more), "ten found, all shown");
}
