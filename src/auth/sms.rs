//! One-time SMS login codes: issue with per-phone and per-client limits, verify with a bounded
//! number of tries. Codes are stored keyed by phone, hashed with the server key, and expire.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::Phone;
use crate::{
    config::AuthSettings,
    infra::{rate_limit::Decision, Backends},
};

/// Sends a login code to a phone.
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Delivers `code` to `phone`.
    async fn send_code(&self, phone: &Phone, code: &str) -> anyhow::Result<()>;
}

/// Development sender: writes the code to the log and remembers the last one per phone.
#[derive(Default)]
pub struct LogSmsSender {
    last: Mutex<HashMap<String, String>>,
}

impl LogSmsSender {
    /// The last code sent to `phone` (tests and local development).
    pub fn last_code(&self, phone: &str) -> Option<String> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).get(phone).cloned()
    }
}

#[async_trait]
impl SmsSender for LogSmsSender {
    async fn send_code(&self, phone: &Phone, code: &str) -> anyhow::Result<()> {
        tracing::info!(phone = %phone, "SMS login code (log sender, development only): {code}");
        self.last.lock().unwrap_or_else(|p| p.into_inner()).insert(phone.as_str().to_owned(), code.to_owned());
        Ok(())
    }
}

/// Why a code request or check was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SmsError {
    /// SMS is turned off in this deployment.
    #[error("SMS login is not available here")]
    Disabled,
    /// A code was sent to this phone moments ago.
    #[error("a code was just sent; wait {retry_after_secs} s before asking again")]
    TooSoon {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Too many codes today for this phone, or too many requests from this client.
    #[error("too many codes requested; try again in {retry_after_secs} s")]
    TooMany {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// No live code: never sent, expired, used, or burnt by wrong tries.
    #[error("no valid code for this phone; request a new one")]
    NoCode,
    /// The code does not match.
    #[error("the code is wrong; {remaining} tries left")]
    Wrong {
        /// Tries left before the code is burnt.
        remaining: u32,
    },
}

/// Issues and checks codes.
pub struct SmsCodes {
    sender: Option<Arc<dyn SmsSender>>,
    backends: Backends,
    pepper: Vec<u8>,
    ttl: Duration,
    resend: Duration,
    daily_limit: u32,
    max_attempts: u32,
}

/// Requests per client address per hour, whatever the phone.
const PER_CLIENT_PER_HOUR: u32 = 30;

impl SmsCodes {
    /// `sender` is `None` when SMS is disabled. `pepper` is mixed into stored hashes.
    pub fn new(sender: Option<Arc<dyn SmsSender>>, backends: Backends, pepper: Vec<u8>, auth: &AuthSettings) -> Self {
        Self {
            sender,
            backends,
            pepper,
            ttl: Duration::from_secs(auth.sms_code_ttl_secs),
            resend: Duration::from_secs(auth.sms_resend_interval_secs),
            daily_limit: auth.sms_daily_limit,
            max_attempts: auth.sms_max_attempts,
        }
    }

    /// Seconds a code lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Seconds before another code may be requested.
    pub fn resend_interval(&self) -> Duration {
        self.resend
    }

    /// Sends a fresh code, replacing any earlier one.
    pub async fn issue(&self, phone: &Phone, client: &str) -> anyhow::Result<Result<(), SmsError>> {
        let Some(sender) = &self.sender else { return Ok(Err(SmsError::Disabled)) };
        let kv = &self.backends.kv;
        let limiter = &self.backends.limiter;
        let p = phone.as_str();
        if let Decision::Limited { retry_after_secs } =
            limiter.hit(&format!("sms:client:{client}"), PER_CLIENT_PER_HOUR, Duration::from_secs(3600)).await?
        {
            return Ok(Err(SmsError::TooMany { retry_after_secs }));
        }
        if !self.resend.is_zero() && !kv.set_nx(&format!("sms:cooldown:{p}"), "1", self.resend).await? {
            let left = kv.ttl(&format!("sms:cooldown:{p}")).await?.unwrap_or(self.resend);
            return Ok(Err(SmsError::TooSoon { retry_after_secs: left.as_secs().max(1) }));
        }
        if let Decision::Limited { retry_after_secs } =
            limiter.hit(&format!("sms:daily:{p}"), self.daily_limit, Duration::from_secs(86_400)).await?
        {
            return Ok(Err(SmsError::TooMany { retry_after_secs }));
        }
        let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
        kv.set(&format!("sms:code:{p}"), &self.hash(p, &code), self.ttl).await?;
        kv.delete(&format!("sms:tries:{p}")).await?;
        if let Err(e) = sender.send_code(phone, &code).await {
            // Let the person ask again at once rather than wait for a code that never came.
            kv.delete(&format!("sms:cooldown:{p}")).await?;
            return Err(e.context("sending the SMS code"));
        }
        Ok(Ok(()))
    }

    /// Checks a code; a right code is consumed, and `max_attempts` wrong ones burn it.
    pub async fn verify(&self, phone: &Phone, code: &str) -> anyhow::Result<Result<(), SmsError>> {
        let kv = &self.backends.kv;
        let p = phone.as_str();
        let key = format!("sms:code:{p}");
        let Some(stored) = kv.get(&key).await? else { return Ok(Err(SmsError::NoCode)) };
        let given = self.hash(p, code.trim());
        if constant_time_eq(stored.as_bytes(), given.as_bytes()) {
            // Only one concurrent request may use the code.
            if kv.delete_if_eq(&key, &stored).await? {
                kv.delete(&format!("sms:tries:{p}")).await?;
                return Ok(Ok(()));
            }
            return Ok(Err(SmsError::NoCode));
        }
        let (tries, _) = kv.incr(&format!("sms:tries:{p}"), self.ttl).await?;
        let max = i64::from(self.max_attempts);
        if tries >= max {
            kv.delete_if_eq(&key, &stored).await?;
        }
        Ok(Err(SmsError::Wrong { remaining: u32::try_from(max - tries).unwrap_or(0) }))
    }

    fn hash(&self, phone: &str, code: &str) -> String {
        let mut h = Sha256::new();
        h.update(&self.pepper);
        h.update(phone.as_bytes());
        h.update(b":");
        h.update(code.as_bytes());
        hex::encode(h.finalize())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    async fn codes() -> (SmsCodes, Arc<LogSmsSender>) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
        let s = Settings::load_layers(&dir, "test", false).unwrap();
        let backends = Backends::connect(&s.redis).await.unwrap();
        let sender = Arc::new(LogSmsSender::default());
        (SmsCodes::new(Some(sender.clone()), backends, b"pepper".to_vec(), &s.auth), sender)
    }

    #[tokio::test]
    async fn a_code_works_once() {
        let (codes, sender) = codes().await;
        let phone = Phone::parse("13800138000").unwrap();
        codes.issue(&phone, "ip").await.unwrap().unwrap();
        let code = sender.last_code("13800138000").unwrap();
        assert_eq!(codes.verify(&phone, &code).await.unwrap(), Ok(()));
        assert_eq!(codes.verify(&phone, &code).await.unwrap(), Err(SmsError::NoCode));
    }

    #[tokio::test]
    async fn wrong_tries_burn_the_code() {
        let (codes, sender) = codes().await;
        let phone = Phone::parse("13800138001").unwrap();
        codes.issue(&phone, "ip").await.unwrap().unwrap();
        let code = sender.last_code("13800138001").unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for remaining in (0..5).rev() {
            assert_eq!(codes.verify(&phone, wrong).await.unwrap(), Err(SmsError::Wrong { remaining }));
        }
        assert_eq!(codes.verify(&phone, &code).await.unwrap(), Err(SmsError::NoCode));
    }

    #[tokio::test]
    async fn a_second_request_within_the_interval_is_refused() {
        let (codes, _) = codes().await;
        let phone = Phone::parse("13800138002").unwrap();
        codes.issue(&phone, "ip").await.unwrap().unwrap();
        let again = codes.issue(&phone, "ip").await.unwrap();
        assert!(matches!(again, Err(SmsError::TooSoon { retry_after_secs }) if retry_after_secs <= 60));
    }
}
