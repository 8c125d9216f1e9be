//! Categories and departments as administrators keep them.

use hazardline::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, STAFF_PASSWORD};

#[tokio::test]
async fn the_canonical_categories_are_there_in_domain_order() {
    let app = spawn_app().await;
    let s = app.resident("13800138400").await;
    let body: Value = app.get_as("/api/v1/categories", &s.access_token).await.json().await.unwrap();
    let codes: Vec<&str> = body.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 19);
    assert_eq!(&codes[..3], ["fire", "gas", "hazchem"]);
    assert_eq!(codes.last(), Some(&"other"));
    let gas = &body[1];
    assert_eq!(gas["name_zh"], "城镇燃气");
    assert!(gas["keywords"].as_array().unwrap().iter().any(|k| k["word"] == "煤气罐" && k["weight"] == 1.0));
    assert!(gas["keywords"].as_array().unwrap().iter().any(|k| k["word"] == "异味" && k["weight"] == 0.5));
}

#[tokio::test]
async fn admins_add_and_change_categories_with_checked_values() {
    let app = spawn_app().await;
    let admin = app.staff("13912350001", Role::Admin).await;
    let t = &admin.access_token;
    let new = json!({
        "code": "e_bike", "name_zh": "电动自行车", "name_en": "E-bikes", "parent_code": "fire",
        "keywords": [{"word": "电瓶车", "weight": 2.0}], "default_urgency": "urgent",
        "usual_department_kind": "fire_rescue", "accept_hours": 4, "verify_hours": 8,
        "rectify_days_general": 3, "rectify_days_major": 15
    });
    let res = app.post_json_as("/api/v1/categories", t, &new).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!((created["code"].as_str(), created["parent_code"].as_str()), (Some("e_bike"), Some("fire")));
    assert_eq!(
        problem(app.post_json_as("/api/v1/categories", t, &new).await, StatusCode::CONFLICT).await["code"],
        "category_exists"
    );

    let mut bad = new.clone();
    bad["code"] = json!("E Bike!");
    let body = problem(app.post_json_as("/api/v1/categories", t, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "code");
    let mut bad = new.clone();
    bad["code"] = json!("e_bike2");
    bad["rectify_days_general"] = json!(0);
    let body = problem(app.post_json_as("/api/v1/categories", t, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "rectify_days_general");

    let res = app
        .patch_json_as(
            "/api/v1/categories/e_bike",
            t,
            &json!({"keywords": [{"word": "飞线充电", "weight": 1.5}], "active": false}),
        )
        .await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["keywords"][0]["word"], "飞线充电");
    assert_eq!(changed["active"], false);
    problem(app.patch_json_as("/api/v1/categories/nope", t, &json!({"active": true})).await, StatusCode::NOT_FOUND)
        .await;

    let staff = app.staff("13912350002", Role::DeptStaff).await;
    problem(app.post_json_as("/api/v1/categories", &staff.access_token, &new).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn departments_are_created_with_their_categories_and_members() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let admin = app.staff("13912350003", Role::Admin).await;
    let t = &admin.access_token;
    let districts: Value = app.get_as("/api/v1/regions?level=district", t).await.json().await.unwrap();
    let region_id = districts[0]["id"].clone();
    let res = app
        .post_json_as(
            "/api/v1/departments",
            t,
            &json!({"name": "东湖区燃气办", "kind": "gas_authority", "region_id": region_id, "categories": ["gas"], "duty_phone": "0731-1"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let dept: Value = res.json().await.unwrap();
    assert_eq!(dept["categories"], json!(["gas"]));
    let listed: Value = app
        .get_as(&format!("/api/v1/departments?region_id={}", region_id.as_str().unwrap()), t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 13, "12 demo departments plus the new one");

    let path = format!("/api/v1/departments/{}", dept["id"].as_str().unwrap());
    let res = app.patch_json_as(&path, t, &json!({"categories": ["gas", "hazchem", "gas"]})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["categories"].as_array().unwrap().len(), 2);
    let res = app.patch_json_as(&path, t, &json!({"categories": ["nope"]})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "categories[0]");
    let res = app
        .post_json_as("/api/v1/departments", t, &json!({"name": "x", "kind": "spaceport", "region_id": region_id}))
        .await;
    problem(res, StatusCode::BAD_REQUEST).await;

    // A member becomes dept_staff of that department.
    let worker = app.staff("13912350004", Role::GridWorker).await;
    let res = app.post_json_as(&format!("{path}/members"), t, &json!({"user_id": worker.user["id"]})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let again = app.login_password("13912350004", STAFF_PASSWORD).await.json::<Value>().await.unwrap();
    let roles = again["user"]["roles"].as_array().unwrap();
    assert!(roles.iter().any(|g| g["role"] == "dept_staff" && g["department_id"] == dept["id"]), "{roles:?}");

    let resident = app.resident("13800138401").await;
    problem(app.get_as("/api/v1/departments", &resident.access_token).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn admins_find_accounts_grant_and_revoke_roles_and_disable_accounts() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let admin = app.staff("13912350021", Role::Admin).await;
    let t = &admin.access_token;
    let someone = app.resident("13800350022").await;
    let id = someone.user["id"].as_str().unwrap().to_owned();
    let street: Value = app.get_as("/api/v1/regions?level=street", t).await.json().await.unwrap();
    let street = street[0]["id"].as_str().unwrap().to_owned();

    let found: Value = app.get_as("/api/v1/users?q=13800350022", t).await.json().await.unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["grants"][0]["role"], "resident");

    // A dispatcher of a street; department staff need a department; a grid worker needs a grid.
    let roles = format!("/api/v1/users/{id}/roles");
    let res = app.post_json_as(&roles, t, &json!({"role": "dispatcher", "region_id": street})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.post_json_as(&roles, t, &json!({"role": "dept_staff"})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "department_id");
    let res = app.post_json_as(&roles, t, &json!({"role": "grid_worker", "region_id": street})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "not_a_grid");
    let me: Value = app.me(&someone.access_token).await.json().await.unwrap();
    let grant = me["roles"].as_array().unwrap().iter().find(|g| g["role"] == "dispatcher").unwrap().clone();
    assert_eq!(grant["region_id"], street.as_str());

    // Others may not; a grant of someone else is not theirs to revoke under this account.
    let staff = app.staff("13912350023", Role::Dispatcher).await;
    let res = app.post_json_as(&roles, &staff.access_token, &json!({"role": "admin"})).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
    let found: Value = app.get_as("/api/v1/users?q=13800350022", t).await.json().await.unwrap();
    let grant_id = found[0]["grants"].as_array().unwrap().iter().find(|g| g["role"] == "dispatcher").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_id = admin.user["id"].as_str().unwrap();
    let res = app.delete_as(&format!("/api/v1/users/{admin_id}/roles/{grant_id}"), t).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "grant_not_found");
    let res = app.delete_as(&format!("{roles}/{grant_id}"), t).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let own = admin.user["roles"][0]["role"].clone();
    assert_eq!(own, "admin");
    let found: Value = app.get_as("/api/v1/users?q=13912350021", t).await.json().await.unwrap();
    let own_grant = found[0]["grants"][0]["id"].as_str().unwrap();
    let res = app.delete_as(&format!("/api/v1/users/{admin_id}/roles/{own_grant}"), t).await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await["code"], "own_admin_grant");

    // Disabled: the sessions end and logging in is refused; not oneself.
    let res = app.patch_json_as(&format!("/api/v1/users/{id}"), t, &json!({"disabled": true})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        problem(app.refresh(&someone.refresh_token).await, StatusCode::UNAUTHORIZED).await["code"],
        "refresh_token_invalid"
    );
    let res = app.patch_json_as(&format!("/api/v1/users/{admin_id}"), t, &json!({"disabled": true})).await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await["code"], "own_account");
    assert_eq!(app.login_password("13912350021", STAFF_PASSWORD).await.status(), StatusCode::OK);
}
