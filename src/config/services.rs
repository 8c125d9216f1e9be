//! Settings of the services built on the tickets: the intake bot, the ledger and map, Open311,
//! webhooks and the web pages.

use serde::Deserialize;

use super::{err, ConfigError};

/// The intake bot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    /// Seconds without a message after which a conversation with the bot ends (its draft is offered once).
    pub session_ttl_secs: u64,
    /// Hours an ended conversation's draft is kept to be offered.
    pub draft_keep_hours: u64,
    /// Longest wait, in milliseconds, for the same person's previous message to be answered.
    pub turn_wait_ms: u64,
    /// Build the vocabulary and place names at start-up rather than on the first message.
    pub warm_up: bool,
}

/// The web pages (login, the resident's chat, my tickets) and their cookie sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Mark the session cookies `Secure` (HTTPS only; browsers accept them on 127.0.0.1 and localhost).
    pub secure_cookies: bool,
    /// Seconds a spent refresh token of a cookie session still gets an access token (parallel requests).
    pub refresh_grace_secs: u64,
    /// XYZ tile URL template (`https://tiles.example/{z}/{x}/{y}.png`, tiles in GCJ-02 like the
    /// boundaries) drawn under the desk map's regions; empty: no tiles, nothing loaded from elsewhere.
    pub map_tiles_url: String,
}

impl WebSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.refresh_grace_secs > 300 {
            return Err(err("web.refresh_grace_secs", "must be between 0 and 300"));
        }
        if !self.map_tiles_url.is_empty() && self.map_tiles_origin().is_none() {
            return Err(err("web.map_tiles_url", "must be empty or an http(s) URL with {z}, {x} and {y}"));
        }
        Ok(())
    }

    /// The origin (`https://tiles.example`) of the map tiles, when `map_tiles_url` is a usable template.
    pub fn map_tiles_origin(&self) -> Option<String> {
        let t = &self.map_tiles_url;
        if !["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p)) {
            return None;
        }
        let url = url::Url::parse(&t.replace(['{', '}'], "")).ok()?;
        let origin = url.origin();
        (matches!(url.scheme(), "http" | "https") && origin.is_tuple()).then(|| origin.ascii_serialization())
    }
}

/// The hazard ledger export (台账) and the map feed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    /// Tickets read per database page while exporting (memory holds about two pages).
    pub page_size: u64,
    /// Map features answered when the request names no `limit`.
    pub map_default_limit: u64,
    /// The largest `limit` a map request may ask for.
    pub map_max_limit: u64,
}

impl LedgerSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=10_000).contains(&self.page_size) {
            return Err(err("ledger.page_size", "must be between 1 and 10000"));
        }
        if self.map_max_limit < 4 || self.map_max_limit > 100_000 {
            return Err(err("ledger.map_max_limit", "must be between 4 and 100000"));
        }
        if self.map_default_limit < 4 || self.map_default_limit > self.map_max_limit {
            return Err(err("ledger.map_default_limit", "must be at least 4 and at most map_max_limit"));
        }
        Ok(())
    }
}

/// The Open311 GeoReport v2 API (`/open311/v2`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open311Settings {
    /// The one `jurisdiction_id` this server answers for; requests naming another get 404.
    pub jurisdiction_id: String,
    /// Requests per minute one API key may make (POST, and GETs that send `api_key`).
    pub requests_per_minute: u32,
    /// Requests per minute one client address may make to the public GETs without a key.
    pub anonymous_requests_per_minute: u32,
    /// Days `GET requests` covers without dates, and the longest span it accepts.
    pub window_days: u32,
    /// Most requests one `GET requests` answers (newest first).
    pub max_requests: u64,
}

impl Open311Settings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.jurisdiction_id.trim().is_empty() {
            return Err(err("open311.jurisdiction_id", "must not be empty"));
        }
        if self.requests_per_minute == 0 || self.anonymous_requests_per_minute == 0 {
            return Err(err("open311.requests_per_minute", "limits must be at least 1"));
        }
        if !(1..=3650).contains(&self.window_days) {
            return Err(err("open311.window_days", "must be between 1 and 3650"));
        }
        if !(1..=10_000).contains(&self.max_requests) {
            return Err(err("open311.max_requests", "must be between 1 and 10000"));
        }
        Ok(())
    }
}

/// Outbound webhooks: the delivery worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Whether this instance runs the delivery worker (deliveries wait while none does).
    pub enabled: bool,
    /// Milliseconds between passes when idle.
    pub poll_interval_ms: u64,
    /// Deliveries taken per pass.
    pub batch_size: u64,
    /// Seconds to wait for a receiver's answer.
    pub timeout_secs: u64,
    /// Attempts before a delivery is given up (`dead_at`).
    pub max_attempts: u32,
    /// Wait before the first retry, in seconds; doubled each further attempt.
    pub backoff_base_secs: u64,
    /// Longest wait between attempts, in seconds.
    pub backoff_max_secs: u64,
}

impl WebhookSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.poll_interval_ms < 10 {
            return Err(err("webhooks.poll_interval_ms", "must be at least 10"));
        }
        if !(1..=1000).contains(&self.batch_size) {
            return Err(err("webhooks.batch_size", "must be between 1 and 1000"));
        }
        if !(1..=300).contains(&self.timeout_secs) {
            return Err(err("webhooks.timeout_secs", "must be between 1 and 300"));
        }
        if self.max_attempts == 0 {
            return Err(err("webhooks.max_attempts", "must be at least 1"));
        }
        if self.backoff_base_secs == 0 || self.backoff_max_secs < self.backoff_base_secs {
            return Err(err("webhooks.backoff_base_secs", "must be at least 1 and at most backoff_max_secs"));
        }
        Ok(())
    }
}
