//! Signing webhook bodies (pure): `X-Hazardline-Signature: t=<unix seconds>,v1=<hex>` where the hex
//! is HMAC-SHA256 keyed with the endpoint's secret over `"<t>.<body>"`. A receiver recomputes it
//! over the raw body, compares in constant time and refuses a `t` further than its replay window
//! (we suggest [`REPLAY_WINDOW_SECS`]) from its own clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the signature.
pub const HEADER: &str = "X-Hazardline-Signature";
/// How far a receiver should accept `t` from its own clock, in seconds (documented in README).
pub const REPLAY_WINDOW_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Option<HmacSha256> {
    // HMAC takes keys of any length, so this is always `Some`.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The header value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default();
    format!("t={timestamp},v1={digest}")
}

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=…,v1=…`.
    #[error("malformed signature header")]
    Malformed,
    /// `t` is outside the replay window.
    #[error("timestamp outside the replay window")]
    Stale,
    /// No `v1` matches.
    #[error("signature mismatch")]
    Mismatch,
}

/// Checks a header as a receiver should: `t` within `window_secs` of `now` (Unix seconds) and one of
/// the `v1` values equal to the HMAC over `"<t>.<body>"`, compared in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, window_secs: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => candidates.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - t).abs() > window_secs {
        return Err(SignatureError::Stale);
    }
    if candidates.iter().any(|c| mac(secret, t, body).is_some_and(|m| m.verify_slice(c).is_ok())) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_and_any_change_is_refused() {
        let body = br#"{"type":"ticket.submit"}"#;
        let header = sign("s3cret", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
        assert_eq!(verify("s3cret", &header, body, 1_700_000_010, 300), Ok(()));
        assert_eq!(verify("other", &header, body, 1_700_000_010, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify("s3cret", &header, b"{}", 1_700_000_010, 300), Err(SignatureError::Mismatch));
        let moved = header.replace("t=1700000000", "t=1700000005");
        assert_eq!(verify("s3cret", &moved, body, 1_700_000_010, 300), Err(SignatureError::Mismatch));
    }

    #[test]
    fn an_old_or_future_timestamp_is_a_replay() {
        let header = sign("k", 1000, b"x");
        assert_eq!(verify("k", &header, b"x", 1300, 300), Ok(()));
        assert_eq!(verify("k", &header, b"x", 1301, 300), Err(SignatureError::Stale));
        assert_eq!(verify("k", &header, b"x", 699, 300), Err(SignatureError::Stale));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for h in ["", "v1=ab", "t=1", "t=x,v1=ab", "t=1,v1=zz", "garbage"] {
            assert_eq!(verify("k", h, b"x", 1, 300), Err(SignatureError::Malformed), "{h}");
        }
    }

    #[test]
    fn it_matches_an_independent_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let header = sign("Jefe", 0, b"what do ya want for nothing?");
        // The signed text is "0." + data, so compare against the HMAC of that text.
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"0.what do ya want for nothing?");
        assert_eq!(header, format!("t=0,v1={}", hex::encode(m.finalize().into_bytes())));
    }
}
