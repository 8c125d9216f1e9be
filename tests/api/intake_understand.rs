//! The intake's understanding over HTTP (`POST /api/v1/intake/understand`) and the evaluation
//! command run as an operator would.

use std::process::Command;

use hazardline::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{config_dir, problem, spawn_app, TestApp};

async fn understand(app: &TestApp, token: &str, text: &str) -> Value {
    let res = app.post_json_as("/api/v1/intake/understand", token, &json!({ "text": text })).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn codes(body: &Value) -> Vec<&str> {
    body["categories"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_report_is_understood_with_category_urgency_and_place() {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let resident = app.resident("13800001111").await;

    let body =
        understand(&app, &resident.access_token, "幸福小区3栋2单元楼道停了五六辆电动车，有人拉了根线下来充电").await;

    assert_eq!(codes(&body)[0], "fire");
    assert_eq!(body["categories"][0]["name"], "消防安全");
    assert_eq!(body["confident"], "fire");
    assert_eq!(body["urgency"], "normal");
    assert_eq!(body["call"], json!([]));
    assert_eq!(
        body["places"],
        json!([
            {"text": "幸福小区", "kind": "named"},
            {"text": "3栋", "kind": "building"},
            {"text": "2单元", "kind": "building"},
            {"text": "楼道", "kind": "spot"}
        ])
    );
    let best = &body["matches"][0];
    assert_eq!(best["name"], "幸福社区");
    assert_eq!(best["label"], "幸福社区 · 湖滨街道 · 东湖区");
    assert_eq!(best["level"], "community");
    assert!(best["region_id"].is_string() && best["center"]["lat"].is_f64());
}

#[tokio::test]
async fn an_emergency_names_the_number_to_call_and_its_cues() {
    let app = spawn_app().await;
    let staff = app.staff("13912340002", Role::GridWorker).await;

    let body = understand(&app, &staff.access_token, "二单元好大一股煤气味！！3楼那家敲门没人应").await;

    assert_eq!(codes(&body)[0], "gas");
    assert_eq!(body["urgency"], "emergency");
    assert_eq!(body["call"], json!(["119"]));
    assert_eq!(body["cues"][0], json!({"word": "煤气味", "kind": "gas_leak"}));

    let past = understand(&app, &staff.access_token, "昨天着过火，现在灭了").await;
    assert_eq!(past["urgency"], "urgent");
    assert_eq!(past["call"], json!([]));
}

#[tokio::test]
async fn the_same_text_gets_the_same_answer() {
    let app = spawn_app().await;
    let resident = app.resident("13800001112").await;
    let text = "学校门口的红绿灯坏了两天了，孩子放学过马路很危险";
    let first = understand(&app, &resident.access_token, text).await;
    let second = understand(&app, &resident.access_token, text).await;
    assert_eq!(first, second);
    assert_eq!(codes(&first)[0], "traffic");
}

#[tokio::test]
async fn an_admin_s_new_keyword_is_understood_at_once() {
    let app = spawn_app().await;
    let admin = app.staff("13912340003", Role::Admin).await;
    let before = understand(&app, &admin.access_token, "小区里的充气城堡没固定").await;
    assert!(!codes(&before).contains(&"special_equipment"), "{before}");

    let res = app
        .patch_json_as(
            "/api/v1/categories/special_equipment",
            &admin.access_token,
            &json!({"keywords": [{"word": "电梯", "weight": 1.0}, {"word": "充气城堡", "weight": 2.0}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let after = understand(&app, &admin.access_token, "小区里的充气城堡没固定").await;
    assert_eq!(codes(&after)[0], "special_equipment");
}

#[tokio::test]
async fn blank_or_too_long_text_and_strangers_are_refused() {
    let app = spawn_app().await;
    let resident = app.resident("13800001113").await;

    let res = app.post_json_as("/api/v1/intake/understand", &resident.access_token, &json!({"text": "  "})).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "text");
    assert_eq!(body["errors"][0]["code"], "blank");

    let long = "井盖".repeat(app.settings.tickets.max_description_chars);
    let res = app.post_json_as("/api/v1/intake/understand", &resident.access_token, &json!({"text": long})).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["code"], "too_long");

    let res = app.post_json_as("/api/v1/intake/understand", &resident.access_token, &json!({"words": "x"})).await;
    problem(res, StatusCode::BAD_REQUEST).await;

    let res = app.post_json("/api/v1/intake/understand", &json!({"text": "井盖没了"})).await;
    problem(res, StatusCode::UNAUTHORIZED).await;
}

/// The evaluation command on the repository's labelled set meets the targets.
#[test]
fn the_evaluation_command_meets_the_targets() {
    let set = concat!(env!("CARGO_MANIFEST_DIR"), "/eval/intake-eval.tsv");
    let out = Command::new(env!("CARGO_BIN_EXE_hazardline"))
        .env("HAZARDLINE_ENV", "test")
        .env("HAZARDLINE_CONFIG_DIR", config_dir())
        .env("HAZARDLINE__AUTH__JWT_SECRET", crate::helpers::TEST_JWT_SECRET)
        .args(["eval-intake", "--check", "--file", set])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for line in ["category top-1:", "category top-3:", "emergency recall:", "emergency precision:", "confusions"] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
}
