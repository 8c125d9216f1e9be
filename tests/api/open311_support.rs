//! Open311 test support: an app with the demo city, an admin and an API key; raw GET/POST in either
//! format; a small XML tree to check element names against the spec's examples.

use std::sync::Arc;

use hazardline::{auth::Role, clock::Clock, config::Settings};
use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app_with_clock, Session, TestApp};

pub struct Open311 {
    pub app: TestApp,
    pub admin: Session,
    pub key: String,
    pub key_id: String,
}

pub async fn open311_app(clock: Arc<dyn Clock>, change: impl FnOnce(&mut Settings)) -> Open311 {
    let app = spawn_app_with_clock(clock, change).await;
    app.with_demo_city().await;
    let admin = app.staff("13912349999", Role::Admin).await;
    let created = create_key(&app, &admin, "12345热线").await;
    Open311 {
        key: created["key"].as_str().unwrap().to_owned(),
        key_id: created["id"].as_str().unwrap().to_owned(),
        app,
        admin,
    }
}

pub async fn create_key(app: &TestApp, admin: &Session, name: &str) -> Value {
    let res = app.post_json_as("/api/v1/api-keys", &admin.access_token, &serde_json::json!({ "name": name })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// An answer: status, content type and body text.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
    pub retry_after: Option<String>,
}

impl Answer {
    async fn from(res: reqwest::Response) -> Answer {
        let status = res.status();
        let header = |n: &str| res.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        Answer { status, content_type, retry_after, text: res.text().await.unwrap() }
    }

    pub fn json(&self) -> Value {
        assert_eq!(self.content_type, "application/json; charset=utf-8", "{}", self.text);
        serde_json::from_str(&self.text).unwrap()
    }

    pub fn xml(&self) -> Node {
        assert_eq!(self.content_type, "text/xml; charset=utf-8", "{}", self.text);
        assert!(self.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{}", self.text);
        parse_xml(&self.text)
    }

    /// The spec's error list in JSON: `[{code, description}]`, code = HTTP status.
    pub fn json_errors(&self, status: StatusCode) -> Vec<String> {
        assert_eq!(self.status, status, "{}", self.text);
        let body = self.json();
        let list = body.as_array().expect("an error list");
        assert!(!list.is_empty());
        list.iter()
            .map(|e| {
                let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, ["code", "description"]);
                assert_eq!(e["code"], status.as_u16(), "{e}");
                e["description"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    /// The spec's error list in XML: `<errors><error><code/><description/></error></errors>`.
    pub fn xml_errors(&self, status: StatusCode) -> Vec<String> {
        assert_eq!(self.status, status, "{}", self.text);
        let root = self.xml();
        assert_eq!(root.name, "errors");
        assert!(!root.children.is_empty());
        root.children
            .iter()
            .map(|e| {
                assert_eq!(e.name, "error");
                assert_eq!(e.names(), ["code", "description"]);
                assert_eq!(e.child("code").text, status.as_u16().to_string());
                e.child("description").text.clone()
            })
            .collect()
    }
}

pub async fn get(app: &TestApp, path: &str) -> Answer {
    Answer::from(app.get(&format!("/open311/v2/{path}")).await).await
}

pub async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)], idempotency: Option<&str>) -> Answer {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut req = app
        .client
        .post(app.url(&format!("/open311/v2/{path}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(key) = idempotency {
        req = req.header("idempotency-key", key);
    }
    Answer::from(req.send().await.unwrap()).await
}

pub async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: String) -> Answer {
    Answer::from(app.post_raw(&format!("/open311/v2/{path}"), content_type, body).await).await
}

/// An XML element: its name, its text and its child elements.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    pub fn child(&self, name: &str) -> &Node {
        self.children.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no <{name}> in <{}>", self.name))
    }
}

pub fn parse_xml(text: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                stack.push(Node { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..Node::default() })
            }
            Event::Empty(e) => {
                let node = Node { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..Node::default() };
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                };
                stack.last_mut().unwrap().text.push_str(c);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.remove(0)
}
