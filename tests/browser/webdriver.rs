//! A small W3C WebDriver client over reqwest, for Debian's chromedriver. (thirtyfour turns on
//! serde_json's `preserve_order` for the whole test build, which would rebuild the workspace and
//! reorder the JSON the snapshot tests compare; the few commands needed here are plain JSON.)

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use base64::Engine as _;
use serde_json::{json, Value};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process and one browser session in it.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// A found element.
#[derive(Clone, Debug)]
pub struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium with a fresh profile, asking for
    /// Chinese pages (Accept-Language) like a phone in China.
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http.get(format!("{base}/status")).send().await.ok();
            if let Some(res) = ready {
                let status: Value = res.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=390,844",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args, "prefs": {"intl.accept_languages": "zh-CN,zh"}},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let res: Value = http.post(format!("{base}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let id = res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {res}")).to_owned();
        Browser { http, session: format!("{base}/session/{id}"), driver, _profile: profile }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = res["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", res["value"]["message"]);
        }
        res["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    /// Opens a URL and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None).await.as_str().unwrap().to_owned()
    }

    /// Runs a script (its `return` value comes back).
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// A Chrome DevTools command.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        let v = self.post("/element", json!({"using": "css selector", "value": css})).await;
        Element(v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned())
    }

    pub async fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({})).await;
    }

    /// Types into an element (a path, for a file input).
    pub async fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text })).await;
    }

    /// The rendered text of the first element matching `css`, once there is one.
    pub async fn text(&self, css: &str) -> String {
        let script = "var e = document.querySelector(arguments[0]); return e && {text: e.innerText}";
        let v = self.wait_for(css, script, json!([css])).await;
        v["text"].as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the first element matching `css` reads `expected` (after a navigation, say).
    pub async fn wait_text(&self, css: &str, expected: &str) {
        let script = "var e = document.querySelector(arguments[0]); return e && e.innerText.trim() === arguments[1]";
        self.wait_for(&format!("{css} to read {expected:?}"), script, json!([css, expected])).await;
    }

    /// Waits until `script` returns something truthy (it is polled; the page keeps running), and
    /// returns it. Panics with `what` after 20 s.
    pub async fn wait_for(&self, what: &str, script: &str, args: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.js(script, args.clone()).await;
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            if Instant::now() > deadline {
                let body = self.js("return document.body.innerText", json!([])).await;
                let errors = self.js("return window.__hlErrors || []", json!([])).await;
                let console = self.console().await;
                panic!(
                    "timed out waiting for {what}; page errors {errors}, console {console:?}; the page says:\n{}",
                    body.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the last element matching `css` once it exists.
    pub async fn click_when_there(&self, css: &str) {
        self.wait_for(css, "return document.querySelectorAll(arguments[0]).length", json!([css])).await;
        self.js("var all = document.querySelectorAll(arguments[0]); all[all.length - 1].click();", json!([css])).await;
    }

    /// A cookie's value (HttpOnly ones too: WebDriver sees every cookie).
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let all = self.cmd(reqwest::Method::GET, "/cookie", None).await;
        all.as_array()?.iter().find(|c| c["name"] == name).and_then(|c| c["value"].as_str()).map(str::to_owned)
    }

    /// Sets the window size (the viewport follows it in headless mode).
    pub async fn resize(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await;
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// The browser console's entries since the last call: (level, message).
    pub async fn console(&self) -> Vec<(String, String)> {
        let v = self.post("/se/log", json!({"type": "browser"})).await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| (e["level"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap_or("").to_owned()))
            .collect()
    }

    /// Ends the session (closes Chromium) and stops chromedriver.
    pub async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        self.session.clear();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a failed test (no async here): end the session with a plain blocking request so
        // chromedriver closes Chromium, which would outlive a killed chromedriver.
        if let Some((host, path)) = self.session.strip_prefix("http://").and_then(|rest| rest.split_once('/')) {
            if let Ok(mut stream) = std::net::TcpStream::connect(host) {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!(
                    "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let _ = stream.read_to_end(&mut Vec::new());
                }
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
