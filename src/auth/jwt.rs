//! Access tokens: HMAC-signed JWTs with a fixed algorithm and required `iss`, `aud`, `exp`, `nbf`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;
use crate::config::{AuthSettings, JwtAlgorithm, Mode};

/// The claims we write and require.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// The user's roles when the token was issued.
    pub roles: Vec<Role>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    pub nbf: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Token id.
    pub jti: Uuid,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Past `exp`.
    #[error("the access token has expired")]
    Expired,
    /// Anything else: bad signature, algorithm, claims or format.
    #[error("the access token is invalid")]
    Invalid,
}

/// Keys and rules for signing and checking access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    algorithm: Algorithm,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
    secret: SecretString,
}

impl JwtKeys {
    /// Builds keys from settings: `jwt_secret`, else `jwt_secret_file`, else (development only)
    /// a random key generated now.
    pub fn from_settings(auth: &AuthSettings, mode: Mode) -> anyhow::Result<JwtKeys> {
        let secret = resolve_secret(auth, mode)?;
        let algorithm = match auth.jwt_algorithm {
            JwtAlgorithm::HS256 => Algorithm::HS256,
            JwtAlgorithm::HS384 => Algorithm::HS384,
            JwtAlgorithm::HS512 => Algorithm::HS512,
        };
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = auth.jwt_leeway_secs;
        validation.validate_nbf = true;
        validation.set_issuer(&[&auth.jwt_issuer]);
        validation.set_audience(&[&auth.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose_secret().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose_secret().as_bytes()),
            algorithm,
            validation,
            issuer: auth.jwt_issuer.clone(),
            audience: auth.jwt_audience.clone(),
            ttl_secs: i64::try_from(auth.access_token_ttl_secs).unwrap_or(900),
            secret,
        })
    }

    /// A key for another purpose derived from the token key (HMAC-SHA256 over `purpose`), so one
    /// configured secret can sign other things without the signatures being interchangeable.
    pub fn derive_key(&self, purpose: &str) -> Vec<u8> {
        use hmac::{Mac, SimpleHmac};
        // HMAC accepts keys of any length, so this cannot fail.
        match SimpleHmac::<sha2::Sha256>::new_from_slice(self.secret.expose_secret().as_bytes()) {
            Ok(mut mac) => {
                mac.update(purpose.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Access token lifetime in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs a token for `user` valid from `now` for the configured lifetime.
    pub fn issue(&self, user: Uuid, roles: Vec<Role>, now: DateTime<Utc>) -> anyhow::Result<String> {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user,
            roles,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: iat + self.ttl_secs,
            nbf: iat,
            iat,
            jti: Uuid::now_v7(),
        };
        encode(&Header::new(self.algorithm), &claims, &self.encoding).context("signing access token")
    }

    /// Checks signature, algorithm and claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })
    }
}

fn resolve_secret(auth: &AuthSettings, mode: Mode) -> anyhow::Result<SecretString> {
    if !auth.jwt_secret.expose_secret().is_empty() {
        return Ok(auth.jwt_secret.clone());
    }
    if !auth.jwt_secret_file.is_empty() {
        let text = std::fs::read_to_string(&auth.jwt_secret_file)
            .with_context(|| format!("auth.jwt_secret_file: cannot read {}", auth.jwt_secret_file))?;
        let text = text.trim();
        anyhow::ensure!(text.len() >= 32, "auth.jwt_secret_file: the key must be at least 32 bytes");
        return Ok(SecretString::from(text.to_owned()));
    }
    anyhow::ensure!(mode == Mode::Development, "auth.jwt_secret is required in production mode");
    tracing::warn!("auth.jwt_secret is empty: using a random key; tokens will not survive a restart");
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Ok(SecretString::from(hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn keys() -> (JwtKeys, AuthSettings) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
        let mut s = Settings::load_layers(&dir, "test", false).unwrap();
        s.auth.jwt_secret = SecretString::from("k".repeat(32));
        (JwtKeys::from_settings(&s.auth, Mode::Development).unwrap(), s.auth)
    }

    #[test]
    fn a_fresh_token_verifies() {
        let (k, _) = keys();
        let id = Uuid::now_v7();
        let t = k.issue(id, vec![Role::Admin], Utc::now()).unwrap();
        let c = k.verify(&t).unwrap();
        assert_eq!((c.sub, c.roles), (id, vec![Role::Admin]));
    }

    #[test]
    fn expired_foreign_and_unsigned_tokens_are_refused() {
        let (k, auth) = keys();
        let old = k.issue(Uuid::now_v7(), vec![], Utc::now() - chrono::Duration::hours(1)).unwrap();
        assert_eq!(k.verify(&old), Err(TokenError::Expired));

        let mut other_auth = auth.clone();
        other_auth.jwt_secret = SecretString::from("x".repeat(32));
        let other = JwtKeys::from_settings(&other_auth, Mode::Development).unwrap();
        let foreign = other.issue(Uuid::now_v7(), vec![], Utc::now()).unwrap();
        assert_eq!(k.verify(&foreign), Err(TokenError::Invalid));

        let good = k.issue(Uuid::now_v7(), vec![Role::Admin], Utc::now()).unwrap();
        let payload = good.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(k.verify(&none), Err(TokenError::Invalid));

        let mut hs512_auth = auth;
        hs512_auth.jwt_algorithm = JwtAlgorithm::HS512;
        let hs512 = JwtKeys::from_settings(&hs512_auth, Mode::Development).unwrap();
        let t = hs512.issue(Uuid::now_v7(), vec![], Utc::now()).unwrap();
        assert_eq!(k.verify(&t), Err(TokenError::Invalid), "same key, other algorithm");
    }

    #[test]
    fn production_needs_a_configured_key() {
        let (_, mut auth) = keys();
        auth.jwt_secret = SecretString::from(String::new());
        assert!(JwtKeys::from_settings(&auth, Mode::Production).is_err());
        assert!(JwtKeys::from_settings(&auth, Mode::Development).is_ok());
    }
}
