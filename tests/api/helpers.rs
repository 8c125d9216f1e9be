//! `spawn_app()`: the real application on a random port with a fresh database, and a typed
//! client per endpoint.

use std::{path::PathBuf, sync::Arc};

use hazardline::{
    auth::sms::LogSmsSender,
    clock::{Clock, SystemClock},
    config::Settings,
    startup::{build_state, Application},
    state::AppState,
};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use serde_json::{json, Value};
use uuid::Uuid;

/// The JWT key every test app uses, so tests can forge tokens on purpose.
pub const TEST_JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";
/// Password of staff accounts made by `TestApp::create_staff`.
pub const STAFF_PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub sms: Option<Arc<LogSmsSender>>,
    pub settings: Settings,
    /// The local media directory (a fresh temporary one per app).
    pub media_dir: PathBuf,
    _db: DbGuard,
    _media: tempfile::TempDir,
}

pub fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config")
}

/// Settings as a test app uses them, before the database is chosen.
pub fn test_settings() -> Settings {
    let mut s = Settings::load_layers(&config_dir(), "test", false).expect("test settings load");
    s.auth.jwt_secret = SecretString::from(TEST_JWT_SECRET);
    if let Ok(url) = std::env::var("TEST_REDIS_URL") {
        s.redis.url = SecretString::from(url);
        s.redis.key_prefix = format!("hztest:{}:", Uuid::new_v4().simple());
    }
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with_clock(Arc::new(SystemClock), change).await
}

/// As [`spawn_app_with`], telling time by `clock` (a `ManualClock` for tests that move time).
pub async fn spawn_app_with_clock(clock: Arc<dyn Clock>, change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings();
    let db = DbGuard::fresh().await;
    settings.database.url = SecretString::from(db.url.clone());
    let media = tempfile::tempdir().expect("media temp dir");
    settings.media.dir = media.path().join("media");
    change(&mut settings);
    let app = Application::build_with_clock(settings.clone(), clock).await.expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let sms = app.sms_log();
    tokio::spawn(app.run_until_stopped());
    // Idle connections are dropped before the server's keep-alive (5 s) closes them: reusing one the
    // server is closing at that moment fails the request (IncompleteMessage) on a busy machine.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("client");
    let media_dir = settings.media.dir.clone();
    TestApp { address, client, state, sms, settings, media_dir, _db: db, _media: media }
}

/// A fresh database: a SQLite file in a temporary directory, or a new PostgreSQL database
/// (dropped again when the test ends) when `TEST_DATABASE_URL` is set.
pub struct DbGuard {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl DbGuard {
    pub async fn fresh() -> DbGuard {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) => {
                let name = format!("hztest_{}", Uuid::new_v4().simple());
                let conn = Database::connect(&admin).await.expect("connect TEST_DATABASE_URL");
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                DbGuard { url: url.to_string(), _dir: None, pg: Some((admin, name)) }
            }
            Err(_) => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                DbGuard { url, _dir: Some(dir), pg: None }
            }
        }
    }
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside async context: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                rt.block_on(async {
                    if let Ok(conn) = Database::connect(&admin).await {
                        let _ =
                            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                        let _ = conn.close().await;
                    }
                });
                Ok::<_, std::io::Error>(())
            })
            .join();
        }
    }
}

/// A logged-in identity.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user: Value,
}

impl Session {
    fn from(body: &Value) -> Session {
        Session {
            access_token: body["access_token"].as_str().expect("access_token").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh_token").to_owned(),
            user: body["user"].clone(),
        }
    }
}

impl TestApp {
    /// Another instance of the service on the same database and (with Redis) the same key-value
    /// store, as a second server in a deployment would be; it serves no HTTP and runs no jobs.
    pub async fn another_instance(&self, clock: Arc<dyn Clock>) -> AppState {
        build_state(self.settings.clone(), clock).await.expect("second instance builds").0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn post_json_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn patch_json_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn delete_as(&self, path: &str, token: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    /// Seeds the demo city 青川市 (regions, departments, rule, grid workers).
    pub async fn with_demo_city(&self) {
        assert!(hazardline::geo::seed::seed_city(&self.state, "demo password 1").await.expect("seed city"));
        hazardline::geo::service::regions_changed(&self.state).await.expect("rebuild index");
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Response {
        self.client.post(self.url(path)).header("content-type", content_type).body(body).send().await.expect("request")
    }

    pub async fn request_sms_code(&self, phone: &str) -> Response {
        self.post_json("/api/v1/auth/sms-codes", &json!({ "phone": phone })).await
    }

    pub async fn login_sms(&self, phone: &str, code: &str) -> Response {
        self.post_json("/api/v1/auth/login/sms", &json!({ "phone": phone, "code": code })).await
    }

    pub async fn login_password(&self, phone: &str, password: &str) -> Response {
        self.post_json("/api/v1/auth/login/password", &json!({ "phone": phone, "password": password })).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": refresh_token })).await
    }

    pub async fn logout(&self, refresh_token: &str) -> Response {
        self.post_json("/api/v1/auth/logout", &json!({ "refresh_token": refresh_token })).await
    }

    pub async fn me(&self, token: &str) -> Response {
        self.get_as("/api/v1/me", token).await
    }

    /// The code the log sender "sent" to `phone`.
    pub fn last_sms_code(&self, phone: &str) -> String {
        self.sms.as_ref().and_then(|s| s.last_code(phone)).expect("a code was sent")
    }

    /// Logs a resident in through the SMS flow.
    pub async fn resident(&self, phone: &str) -> Session {
        assert_eq!(self.request_sms_code(phone).await.status(), StatusCode::ACCEPTED);
        let normalized = hazardline::auth::Phone::parse(phone).expect("valid phone");
        let code = self.last_sms_code(normalized.as_str());
        let res = self.login_sms(phone, &code).await;
        assert_eq!(res.status(), StatusCode::OK);
        Session::from(&res.json().await.expect("json"))
    }

    /// Creates a staff account with [`STAFF_PASSWORD`] and logs it in.
    pub async fn staff(&self, phone: &str, role: hazardline::auth::Role) -> Session {
        hazardline::auth::service::create_user(
            &self.state,
            phone,
            "测试",
            Some(SecretString::from(STAFF_PASSWORD)),
            role,
        )
        .await
        .expect("create staff");
        let res = self.login_password(phone, STAFF_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        Session::from(&res.json().await.expect("json"))
    }
}

/// Reads an error response, checking it is in the one error shape.
/// The session id cookie the page tests send (a browser's: any 32 characters or more).
pub const PAGE_SID: &str = "a-browser-session-id-of-at-least-32-chars";

/// The cookies of a logged-in browser: the session's tokens and [`PAGE_SID`].
pub fn page_cookies(s: &Session) -> String {
    format!("hl_access={}; hl_refresh={}; hl_sid={PAGE_SID}", s.access_token, s.refresh_token)
}

impl TestApp {
    /// A page as `who`'s browser asks for it (no redirect followed).
    pub async fn page_as(&self, who: &Session, path: &str) -> Response {
        self.client.get(self.url(path)).header(reqwest::header::COOKIE, page_cookies(who)).send().await.unwrap()
    }

    /// The HTML of a page that must answer 200.
    pub async fn html_as(&self, who: &Session, path: &str) -> String {
        let res = self.page_as(who, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().await.unwrap()
    }
}

pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(ct, "application/problem+json", "error content type");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16());
    let code = body["code"].as_str().expect("code");
    assert_eq!(body["type"], format!("urn:hazardline:problem:{code}"));
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// Session body → Session, for tests that log in by hand.
pub fn session(body: &Value) -> Session {
    Session::from(body)
}
