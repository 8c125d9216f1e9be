//! The OpenAPI document: complete, snapshot-tested, and browsable offline.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_document_is_openapi_3_1_and_matches_the_snapshot() {
    let app = spawn_app().await;
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn every_operation_has_an_id_a_tag_and_documented_errors() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(op["tags"][0].is_string(), "{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            let ops_endpoint = ["/healthz", "/readyz", "/metrics"].contains(&path.as_str());
            if !ops_endpoint {
                let errors: Vec<_> = responses.keys().filter(|k| k.starts_with('4') || k.starts_with('5')).collect();
                assert!(!errors.is_empty(), "{method} {path} documents no error");
                for code in errors {
                    let content = &responses[code]["content"];
                    if path.starts_with("/open311/v2/") {
                        // Open311 answers errors in the spec's own format, JSON or XML as requested.
                        for mime in ["application/json", "text/xml"] {
                            assert!(content[mime].is_object(), "{method} {path} {code} has no {mime} error list");
                        }
                    } else {
                        let problem = &content["application/problem+json"];
                        assert!(problem.is_object(), "{method} {path} {code} is not problem+json");
                    }
                }
            }
        }
    }
    assert!(count >= 10, "{count} operations");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn the_docs_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/docs/rapidoc-min.js") && html.contains("/api/openapi.json"));
    assert!(!html.contains("https://"), "no external resources");
    let js = app.get("/api/docs/rapidoc-min.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.text().await.unwrap().contains("rapi-doc"));
}
