//! Signed media URLs: `?exp=<unix seconds>&sig=<base64url HMAC-SHA256 over "id/variant/exp">`.
//! Whoever holds the URL may fetch that one variant until `exp`; nothing else is granted.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Why a signed URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature is valid but `exp` has passed.
    #[error("the media link has expired")]
    Expired,
    /// The signature does not match (tampered id, variant or expiry, or another key).
    #[error("the media link is not valid")]
    Invalid,
}

/// Signs and checks media URLs with one key.
#[derive(Clone)]
pub struct UrlSigner {
    keyed: Hmac<Sha256>,
    ttl_secs: i64,
}

impl UrlSigner {
    /// A signer with `key` (32 bytes or more) whose URLs live `ttl_secs`.
    pub fn new(key: &[u8], ttl_secs: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(key.len() >= 32, "the media URL key must be at least 32 bytes");
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(key)?;
        Ok(Self { keyed, ttl_secs: i64::try_from(ttl_secs).unwrap_or(3600) })
    }

    /// Lifetime of new URLs in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    fn mac(&self, id: Uuid, variant: &str, exp: i64) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(format!("{id}/{variant}/{exp}").as_bytes());
        mac
    }

    /// `(exp, sig)` for a URL to `variant` of `id` issued at `now`.
    pub fn sign(&self, id: Uuid, variant: &str, now: DateTime<Utc>) -> (i64, String) {
        let exp = now.timestamp().saturating_add(self.ttl_secs);
        let sig = URL_SAFE_NO_PAD.encode(self.mac(id, variant, exp).finalize().into_bytes());
        (exp, sig)
    }

    /// Checks a presented `(exp, sig)` in constant time, then the expiry.
    pub fn verify(
        &self,
        id: Uuid,
        variant: &str,
        exp: i64,
        sig: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        let presented = URL_SAFE_NO_PAD.decode(sig).map_err(|_| SignatureError::Invalid)?;
        self.mac(id, variant, exp).verify_slice(&presented).map_err(|_| SignatureError::Invalid)?;
        if now.timestamp() >= exp {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_signature_works_for_its_id_variant_and_lifetime_only() {
        let signer = UrlSigner::new(&b"k".repeat(32), 600).unwrap();
        let id = Uuid::now_v7();
        let (exp, sig) = signer.sign(id, "display", at(1_000));
        assert_eq!(exp, 1_600);
        assert_eq!(signer.verify(id, "display", exp, &sig, at(1_599)), Ok(()));
        assert_eq!(signer.verify(id, "display", exp, &sig, at(1_600)), Err(SignatureError::Expired));
        assert_eq!(signer.verify(id, "thumb", exp, &sig, at(1_000)), Err(SignatureError::Invalid));
        assert_eq!(signer.verify(Uuid::now_v7(), "display", exp, &sig, at(1_000)), Err(SignatureError::Invalid));
        assert_eq!(signer.verify(id, "display", exp + 1, &sig, at(1_000)), Err(SignatureError::Invalid));
        assert_eq!(signer.verify(id, "display", exp, "not base64!", at(1_000)), Err(SignatureError::Invalid));
        let other = UrlSigner::new(&b"j".repeat(32), 600).unwrap();
        assert!(UrlSigner::new(b"short", 600).is_err());
        assert_eq!(other.verify(id, "display", exp, &sig, at(1_000)), Err(SignatureError::Invalid));
    }
}
