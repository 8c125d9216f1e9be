//! Settings: `config/base.yaml` → `config/{HAZARDLINE_ENV}.yaml` → `HAZARDLINE__SECTION__KEY`.
//!
//! Every key is documented in `config/base.yaml`; unknown keys are an error. `Settings::validate`
//! checks what serde cannot (URL schemes, production rules) and names the offending key.

use std::{fmt, path::PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The whole configuration tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Deployment-wide switches.
    pub app: AppSettings,
    /// HTTP listener.
    pub server: ServerSettings,
    /// Relational database.
    pub database: DatabaseSettings,
    /// Redis; empty URL means in-process backends.
    pub redis: RedisSettings,
    /// Photo storage.
    pub media: MediaSettings,
    /// Tokens, passwords and one-time codes.
    pub auth: AuthSettings,
    /// Outgoing SMS.
    pub sms: SmsSettings,
    /// WeChat API access.
    pub wechat: WechatSettings,
    /// Jurisdiction lookup.
    pub geo: GeoSettings,
    /// Ticket deadlines, escalation, duplicates and evidence checks.
    pub tickets: TicketSettings,
    /// Chat: message limits and recall.
    pub chat: ChatSettings,
    /// The intake bot.
    pub intake: IntakeSettings,
    /// Delivering the ticket outbox.
    pub notifications: NotificationSettings,
    /// The Open311 GeoReport v2 API and its API keys.
    pub open311: Open311Settings,
    /// Outbound webhooks to other government systems.
    pub webhooks: WebhookSettings,
    /// The hazard ledger export and the map feed.
    pub ledger: LedgerSettings,
    /// The web pages and their cookie sessions.
    pub web: WebSettings,
    /// Logging.
    pub log: LogSettings,
}

/// Deployment-wide switches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// `development` allows dev-only defaults; `production` refuses them.
    pub mode: Mode,
    /// Load the demo data set on start-up when the database is empty.
    pub seed_demo: bool,
}

/// Whether dev-only conveniences are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Local development and tests.
    Development,
    /// A real deployment: secrets must be given, the log SMS sender is refused.
    Production,
}

/// HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Interface to bind.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Largest accepted JSON body, in bytes.
    pub json_limit_bytes: usize,
    /// Seconds to finish in-flight requests after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Origins allowed by CORS; empty disables cross-origin access, `*` allows any.
    pub cors_allowed_origins: Vec<String>,
    /// Public base URL used in links the server hands out.
    pub public_url: String,
}

/// Relational database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    pub url: SecretString,
    /// Pool ceiling.
    pub max_connections: u32,
    /// Connections kept open when idle.
    pub min_connections: u32,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: u64,
    /// Run pending migrations at start-up.
    pub migrate_on_start: bool,
}

/// Redis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://host:port/db`; empty means in-process key-value store, bus, locks and limits.
    pub url: SecretString,
    /// Prefix for every key and channel, so several deployments can share a server.
    pub key_prefix: String,
}

/// Photo uploads: limits, the decoding pool, signed URLs, garbage collection and storage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSettings {
    /// Directory for stored photos (local backend).
    pub dir: PathBuf,
    /// Largest accepted upload in bytes; larger bodies get 413 before they are read to the end.
    pub max_bytes: usize,
    /// Largest width × height declared by an image header; checked before any pixel is decoded.
    pub max_pixels: u64,
    /// Most memory one decoder may allocate for one image, in bytes.
    pub max_decode_bytes: usize,
    /// Most bytes of metadata (after inflating compressed PNG text) read from one image.
    pub max_metadata_bytes: usize,
    /// Keep the uploaded file (with its metadata removed) next to the derived variants.
    pub keep_original: bool,
    /// Images decoded at the same time; 0 means one per CPU core.
    pub workers: usize,
    /// Uploads allowed to wait for a decoder; beyond `workers + queue` the API answers 503.
    pub queue: usize,
    /// Lifetime of the signed URLs handed out with uploads, in seconds.
    pub signed_url_ttl_secs: u64,
    /// HMAC key for signed media URLs (32+ bytes, environment only); empty derives one from the JWT key.
    pub url_secret: SecretString,
    /// Unattached uploads older than this many hours are deleted.
    pub gc_after_hours: u64,
    /// Seconds between garbage-collection passes.
    pub gc_interval_secs: u64,
    /// Where photo bytes are kept.
    pub storage: MediaStorageSettings,
}

/// Where photo bytes are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaStorageSettings {
    /// `local` (the `media.dir` directory) or `s3` (S3-compatible object storage).
    pub backend: StorageBackend,
    /// S3-compatible object storage, used when `backend` is `s3`.
    pub s3: S3Settings,
}

/// Which blob store keeps photo bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageBackend {
    /// Files under `media.dir`.
    Local,
    /// An S3-compatible bucket.
    S3,
}

/// S3-compatible object storage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    /// Endpoint URL, e.g. `https://s3.example.com`; empty means AWS for `region`.
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Region name (any value for most S3-compatible servers).
    pub region: String,
    /// Access key id; give it via env.
    pub access_key_id: String,
    /// Secret access key; give it via env.
    pub secret_access_key: SecretString,
    /// Allow a plain-HTTP endpoint (local test servers only).
    pub allow_http: bool,
}

/// Tokens, passwords and one-time codes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// HMAC key for access tokens (at least 32 bytes). Give it via env, never in a file in git.
    pub jwt_secret: SecretString,
    /// Path of a file holding the HMAC key, as an alternative to `jwt_secret`.
    pub jwt_secret_file: String,
    /// Signing algorithm: HS256, HS384 or HS512. Tokens with any other algorithm are refused.
    pub jwt_algorithm: JwtAlgorithm,
    /// `iss` claim written and required.
    pub jwt_issuer: String,
    /// `aud` claim written and required.
    pub jwt_audience: String,
    /// Access token lifetime in seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime in days.
    pub refresh_token_ttl_days: u64,
    /// Seconds of clock skew tolerated when checking `exp` and `nbf`.
    pub jwt_leeway_secs: u64,
    /// Lifetime of an SMS login code in seconds.
    pub sms_code_ttl_secs: u64,
    /// Seconds before another code may be sent to the same phone.
    pub sms_resend_interval_secs: u64,
    /// Codes per phone per day.
    pub sms_daily_limit: u32,
    /// Wrong tries that burn a code.
    pub sms_max_attempts: u32,
    /// Failed password logins per phone allowed in `login_failure_window_secs`.
    pub login_max_failures: u32,
    /// Window for counting failed password logins, in seconds.
    pub login_failure_window_secs: u64,
}

/// The HMAC algorithms accepted for access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256.
    HS256,
    /// HMAC-SHA384.
    HS384,
    /// HMAC-SHA512.
    HS512,
}

/// Outgoing SMS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// `log` writes codes to the log (development only); `disabled` turns SMS login off.
    pub provider: SmsProvider,
}

/// Which SMS sender to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsProvider {
    /// Write the code to the log; refused in production mode.
    Log,
    /// No SMS: code requests answer 503 and residents log in another way.
    Disabled,
}

/// WeChat API access.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatSettings {
    /// Base URL of the WeChat API (tests point it at a local double).
    pub api_base: String,
    /// Seconds to wait for the WeChat API.
    pub timeout_secs: u64,
    /// Mini-program credentials used by `wx.login` code exchange.
    pub miniprogram: WechatAppSettings,
    /// Official account (公众号) AppID; empty disables the `/wechat/callback` channel (503).
    pub app_id: String,
    /// Official account AppSecret (for `access_token`); give it via env.
    pub app_secret: SecretString,
    /// The Token set in the official account's server configuration (signs every push).
    pub token: SecretString,
    /// The 43-character EncodingAESKey for safe mode; empty accepts plaintext pushes only.
    pub encoding_aes_key: SecretString,
    /// Template id for ticket status changes; empty sends status changes as customer-service text.
    pub status_template_id: String,
    /// Seconds a push is remembered with its reply, so WeChat's retries get the same answer.
    pub dedupe_secs: u64,
    /// Attempts at a customer-service message before it is dead-lettered.
    pub send_max_attempts: u32,
}

/// One WeChat application's credentials.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatAppSettings {
    /// AppID; empty disables the feature.
    pub app_id: String,
    /// AppSecret; give it via env.
    pub app_secret: SecretString,
}

/// Jurisdiction lookup.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoSettings {
    /// A point closer than this (metres) to another jurisdiction is marked `near_border`.
    pub near_border_m: f64,
    /// Coordinate system assumed when a request names none: `gcj02` or `wgs84`.
    pub default_coord_system: crate::geo::point::CoordSystem,
}

/// Tickets: deadlines (时限) per step and urgency, rectification limits, escalation (督办), duplicate
/// detection and evidence checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketSettings {
    /// The checked policy and calendar, built on first use.
    #[serde(skip)]
    compiled: std::sync::OnceLock<(crate::tickets::sla::SlaPolicy, crate::tickets::sla::WorkCalendar)>,
    /// Grid worker accepts the on-site check.
    pub accept: crate::tickets::sla::PerUrgency,
    /// Grid worker verifies on site.
    pub verify: crate::tickets::sla::PerUrgency,
    /// Department accepts the rectification.
    pub department_acceptance: crate::tickets::sla::PerUrgency,
    /// Check of the fix (验收).
    pub check: crate::tickets::sla::PerUrgency,
    /// Longest rectification deadline a department may commit to, in calendar days per level.
    pub rectification_limit_days: crate::tickets::workflow::Limits,
    /// When overdue items climb to the dispatcher and district levels.
    pub escalation: crate::tickets::sla::EscalationPolicy,
    /// Seconds between escalation sweeps (each instance sweeps; each escalation happens once).
    pub escalation_interval_secs: u64,
    /// Holidays and make-up working days (调休), for deadlines counted in working days.
    pub calendar: crate::tickets::sla::CalendarData,
    /// Open tickets of the same category closer than this (metres) are possible duplicates.
    pub duplicate_radius_m: f64,
    /// ...and reported within this many days.
    pub duplicate_window_days: u32,
    /// Photos whose perceptual hashes differ in at most this many of 64 bits are near-identical.
    pub duplicate_phash_max_distance: u32,
    /// Photo GPS or a staff position farther than this (metres) from the hazard is flagged.
    pub evidence_radius_m: f64,
    /// A report photo taken longer than this many hours before the report is flagged.
    pub evidence_max_age_hours: u32,
    /// Longest description, in characters.
    pub max_description_chars: usize,
}

/// Chat messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    /// Longest text message, in characters.
    pub max_text_chars: usize,
    /// Messages one user may send per minute, across conversations.
    pub messages_per_minute: u32,
    /// How long after sending a message its sender may recall it, in seconds.
    pub recall_window_secs: u64,
    /// Events queued for one WebSocket connection; a client that falls this far behind is disconnected.
    pub ws_queue_events: usize,
    /// Seconds between the server's WebSocket pings.
    pub ws_ping_interval_secs: u64,
    /// Seconds without any frame from the client (pongs included) after which the socket is closed.
    pub ws_client_timeout_secs: u64,
    /// Largest incoming WebSocket frame, and largest message assembled from continuations, in bytes.
    pub ws_max_frame_bytes: usize,
    /// Most conversations one `resume` frame may name.
    pub ws_max_resume_cursors: usize,
}

/// The outbox worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Whether this instance runs the worker (rows wait in the outbox while none does).
    pub enabled: bool,
    /// Milliseconds between passes when idle (a wake-up on the bus starts one sooner).
    pub poll_interval_ms: u64,
    /// Rows claimed per transaction.
    pub batch_size: u64,
    /// Attempts before a row whose pushes keep failing is dead-lettered.
    pub max_attempts: u32,
    /// Wait before the first retry, in seconds; doubled each further attempt.
    pub backoff_base_secs: u64,
    /// Longest wait between attempts, in seconds.
    pub backoff_max_secs: u64,
}

impl NotificationSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.poll_interval_ms < 10 {
            return Err(err("notifications.poll_interval_ms", "must be at least 10"));
        }
        if !(1..=1000).contains(&self.batch_size) {
            return Err(err("notifications.batch_size", "must be between 1 and 1000"));
        }
        if self.max_attempts == 0 {
            return Err(err("notifications.max_attempts", "must be at least 1"));
        }
        if self.backoff_base_secs == 0 || self.backoff_max_secs < self.backoff_base_secs {
            return Err(err("notifications.backoff_base_secs", "must be at least 1 and at most backoff_max_secs"));
        }
        Ok(())
    }
}

/// Logging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` for people, `json` for log collectors.
    pub format: LogFormat,
    /// Filter in `tracing_subscriber::EnvFilter` syntax; `RUST_LOG` overrides it.
    pub level: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable, coloured.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Which database engine a URL points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbBackend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl fmt::Display for DbBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
        })
    }
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("config key `{key}`: {message}")]
pub struct ConfigError {
    /// Dotted key, e.g. `database.url`.
    pub key: &'static str,
    /// What is expected.
    pub message: String,
}

impl Settings {
    /// Loads from `config_dir` with the environment `HAZARDLINE_ENV` (default `local`) and env overrides.
    pub fn load_from(config_dir: &std::path::Path) -> anyhow::Result<Settings> {
        let env = std::env::var("HAZARDLINE_ENV").unwrap_or_else(|_| "local".into());
        Self::load_layers(config_dir, &env, true)
    }

    /// Loads `base.yaml` plus the `env` overlay, optionally with `HAZARDLINE__…` variables.
    pub fn load_layers(config_dir: &std::path::Path, env: &str, with_env_vars: bool) -> anyhow::Result<Settings> {
        let base = config_dir.join("base.yaml");
        let overlay = config_dir.join(format!("{env}.yaml"));
        if !overlay.exists() {
            anyhow::bail!(
                "HAZARDLINE_ENV is `{env}` but {} does not exist (expected one of local, test, production)",
                overlay.display()
            );
        }
        let mut builder = config::Config::builder()
            .add_source(config::File::from(base).required(true))
            .add_source(config::File::from(overlay).required(true));
        if with_env_vars {
            builder = builder.add_source(
                config::Environment::with_prefix("HAZARDLINE")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("server.cors_allowed_origins"),
            );
        }
        let settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("configuration does not match the documented keys (see config/base.yaml)")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.database.backend()?;
        let redis = self.redis.url.expose_secret();
        if !(redis.is_empty() || redis.starts_with("redis://") || redis.starts_with("rediss://")) {
            return Err(err("redis.url", "must be empty or start with redis:// or rediss://"));
        }
        if self.database.max_connections == 0 {
            return Err(err("database.max_connections", "must be at least 1"));
        }
        if self.database.min_connections > self.database.max_connections {
            return Err(err("database.min_connections", "must not exceed database.max_connections"));
        }
        if !(self.geo.near_border_m.is_finite() && (0.0..=1000.0).contains(&self.geo.near_border_m)) {
            return Err(err("geo.near_border_m", "must be a number of metres between 0 and 1000"));
        }
        if !self.wechat.app_id.is_empty() && self.wechat.token.expose_secret().is_empty() {
            return Err(err("wechat.token", "required when wechat.app_id is set"));
        }
        let aes_key = self.wechat.encoding_aes_key.expose_secret();
        if !aes_key.is_empty() && crate::wechat::protocol::AesKey::parse(aes_key).is_err() {
            return Err(err("wechat.encoding_aes_key", "must be the 43-character EncodingAESKey"));
        }
        if self.wechat.dedupe_secs < 30 || self.wechat.send_max_attempts == 0 {
            return Err(err("wechat.dedupe_secs", "at least 30 seconds, and send_max_attempts at least 1"));
        }
        if self.intake.session_ttl_secs < 60 || self.intake.draft_keep_hours == 0 {
            return Err(err("intake.session_ttl_secs", "at least 60 seconds, and draft_keep_hours at least 1"));
        }
        if !(100..=60_000).contains(&self.intake.turn_wait_ms) {
            return Err(err("intake.turn_wait_ms", "must be between 100 and 60000"));
        }
        if self.server.json_limit_bytes < 1024 {
            return Err(err("server.json_limit_bytes", "must be at least 1024"));
        }
        if !(60..=86_400).contains(&self.auth.access_token_ttl_secs) {
            return Err(err("auth.access_token_ttl_secs", "must be between 60 and 86400"));
        }
        if self.auth.sms_max_attempts == 0 || self.auth.sms_daily_limit == 0 {
            return Err(err("auth.sms_max_attempts", "limits must be at least 1"));
        }
        url::Url::parse(&self.wechat.api_base)
            .map_err(|e| err("wechat.api_base", &format!("must be an absolute URL: {e}")))?;
        url::Url::parse(&self.server.public_url)
            .map_err(|e| err("server.public_url", &format!("must be an absolute URL: {e}")))?;
        if self.app.mode == Mode::Production {
            if self.sms.provider == SmsProvider::Log {
                return Err(err("sms.provider", "`log` prints login codes and is refused in production mode"));
            }
            if self.auth.jwt_secret.expose_secret().is_empty() && self.auth.jwt_secret_file.is_empty() {
                return Err(err(
                    "auth.jwt_secret",
                    "required in production mode: set HAZARDLINE__AUTH__JWT_SECRET or auth.jwt_secret_file",
                ));
            }
        }
        let secret = self.auth.jwt_secret.expose_secret();
        if !secret.is_empty() && secret.len() < 32 {
            return Err(err("auth.jwt_secret", "must be at least 32 bytes"));
        }
        self.media.validate()?;
        self.tickets.validate()?;
        self.notifications.validate()?;
        self.open311.validate()?;
        self.webhooks.validate()?;
        self.ledger.validate()?;
        self.web.validate()?;
        if !(1..=20_000).contains(&self.chat.max_text_chars) {
            return Err(err("chat.max_text_chars", "must be between 1 and 20000"));
        }
        if self.chat.messages_per_minute == 0 {
            return Err(err("chat.messages_per_minute", "must be at least 1"));
        }
        if !(1..=65_536).contains(&self.chat.ws_queue_events) {
            return Err(err("chat.ws_queue_events", "must be between 1 and 65536"));
        }
        if self.chat.ws_ping_interval_secs == 0 || self.chat.ws_client_timeout_secs <= self.chat.ws_ping_interval_secs {
            return Err(err(
                "chat.ws_client_timeout_secs",
                "must be more than chat.ws_ping_interval_secs (at least 1)",
            ));
        }
        if !(256..=1_048_576).contains(&self.chat.ws_max_frame_bytes) {
            return Err(err("chat.ws_max_frame_bytes", "must be between 256 and 1048576"));
        }
        if !(1..=1_000).contains(&self.chat.ws_max_resume_cursors) {
            return Err(err("chat.ws_max_resume_cursors", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

impl TicketSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        self.compile().map(|_| ())
    }

    /// The deadline policy and working-day calendar, checked once and kept (reports and moves ask for
    /// them on every request; the settings do not change after start-up).
    pub fn policy(&self) -> Result<(crate::tickets::sla::SlaPolicy, crate::tickets::sla::WorkCalendar), ConfigError> {
        if let Some(compiled) = self.compiled.get() {
            return Ok(compiled.clone());
        }
        let compiled = self.compile()?;
        Ok(self.compiled.get_or_init(|| compiled).clone())
    }

    fn compile(&self) -> Result<(crate::tickets::sla::SlaPolicy, crate::tickets::sla::WorkCalendar), ConfigError> {
        use crate::tickets::sla::{add_span, PerLevel, SlaPolicy, Span, WorkCalendar, MAX_SPAN_DAYS};
        let calendar =
            WorkCalendar::try_from(self.calendar.clone()).map_err(|e| err("tickets.calendar", &e.to_string()))?;
        let limits = self.rectification_limit_days;
        if !(1..=MAX_SPAN_DAYS).contains(&limits.general_days) || !(1..=MAX_SPAN_DAYS).contains(&limits.major_days) {
            return Err(err(
                "tickets.rectification_limit_days",
                &format!("days must be between 1 and {MAX_SPAN_DAYS}"),
            ));
        }
        let policy = SlaPolicy {
            accept: self.accept,
            verify: self.verify,
            department_acceptance: self.department_acceptance,
            rectification: PerLevel {
                general: Span::CalendarDays(limits.general_days),
                major: Span::CalendarDays(limits.major_days),
            },
            check: self.check,
            escalation: self.escalation,
        };
        let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for (key, per) in [
            ("tickets.accept", self.accept),
            ("tickets.verify", self.verify),
            ("tickets.department_acceptance", self.department_acceptance),
            ("tickets.check", self.check),
        ] {
            for span in [per.emergency, per.urgent, per.normal] {
                add_span(epoch, span, &calendar).map_err(|e| err(key, &e.to_string()))?;
            }
        }
        if self.escalation_interval_secs == 0 {
            return Err(err("tickets.escalation_interval_secs", "must be at least 1"));
        }
        if !(self.duplicate_radius_m.is_finite() && (0.0..=5000.0).contains(&self.duplicate_radius_m)) {
            return Err(err("tickets.duplicate_radius_m", "must be a number of metres between 0 and 5000"));
        }
        if !(1..=365).contains(&self.duplicate_window_days) {
            return Err(err("tickets.duplicate_window_days", "must be between 1 and 365"));
        }
        if self.duplicate_phash_max_distance > 32 {
            return Err(err("tickets.duplicate_phash_max_distance", "must be between 0 and 32"));
        }
        if !(self.evidence_radius_m.is_finite() && self.evidence_radius_m > 0.0) {
            return Err(err("tickets.evidence_radius_m", "must be a positive number of metres"));
        }
        if !(10..=20_000).contains(&self.max_description_chars) {
            return Err(err("tickets.max_description_chars", "must be between 10 and 20000"));
        }
        Ok((policy, calendar))
    }
}

impl MediaSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_bytes < 1024 {
            return Err(err("media.max_bytes", "must be at least 1024"));
        }
        if self.max_pixels == 0 {
            return Err(err("media.max_pixels", "must be at least 1"));
        }
        if self.max_decode_bytes < 1 << 20 {
            return Err(err("media.max_decode_bytes", "must be at least 1048576 (1 MiB)"));
        }
        if self.max_metadata_bytes < 1024 {
            return Err(err("media.max_metadata_bytes", "must be at least 1024"));
        }
        if !(60..=7 * 86_400).contains(&self.signed_url_ttl_secs) {
            return Err(err("media.signed_url_ttl_secs", "must be between 60 and 604800"));
        }
        let secret = self.url_secret.expose_secret();
        if !secret.is_empty() && secret.len() < 32 {
            return Err(err("media.url_secret", "must be at least 32 bytes (or empty to derive it from the JWT key)"));
        }
        if self.gc_after_hours == 0 {
            return Err(err("media.gc_after_hours", "must be at least 1"));
        }
        if self.gc_interval_secs == 0 {
            return Err(err("media.gc_interval_secs", "must be at least 1"));
        }
        if self.storage.backend == StorageBackend::S3 {
            let s3 = &self.storage.s3;
            if s3.bucket.is_empty() {
                return Err(err("media.storage.s3.bucket", "required when media.storage.backend is s3"));
            }
            if !s3.endpoint.is_empty() {
                url::Url::parse(&s3.endpoint)
                    .map_err(|e| err("media.storage.s3.endpoint", &format!("must be an absolute URL: {e}")))?;
                if s3.endpoint.starts_with("http://") && !s3.allow_http {
                    return Err(err("media.storage.s3.endpoint", "is plain HTTP: set media.storage.s3.allow_http"));
                }
            }
        }
        Ok(())
    }

    /// The decoding pool's size: `workers`, or one per core when 0.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            return self.workers;
        }
        std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(1)
    }
}

impl DatabaseSettings {
    /// The engine named by `database.url`.
    pub fn backend(&self) -> Result<DbBackend, ConfigError> {
        let url = self.url.expose_secret();
        if url.starts_with("sqlite:") {
            Ok(DbBackend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbBackend::Postgres)
        } else {
            Err(err("database.url", "must start with sqlite: or postgres://"))
        }
    }
}

fn err(key: &'static str, message: &str) -> ConfigError {
    ConfigError { key, message: message.to_owned() }
}

mod services;

pub use services::{IntakeSettings, LedgerSettings, Open311Settings, WebSettings, WebhookSettings};

#[cfg(test)]
mod tests;
