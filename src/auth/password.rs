//! Password hashing with argon2id, off the request threads.

use anyhow::Context;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use secrecy::{ExposeSecret, SecretString};

use crate::telemetry::spawn_blocking_with_tracing;

/// Shortest password accepted for staff accounts.
pub const MIN_LEN: usize = 10;

/// Hashes a password (argon2id, default parameters, random salt) in PHC string form.
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    spawn_blocking_with_tracing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await
    .context("password hashing task failed")?
}

/// Verifies a password against a stored PHC hash; `None` runs a dummy check so that unknown
/// accounts take as long as known ones.
pub async fn verify(password: SecretString, stored: Option<String>) -> anyhow::Result<bool> {
    spawn_blocking_with_tracing(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
        let ok = Argon2::default().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok();
        Ok(ok && stored != DUMMY)
    })
    .await
    .context("password verification task failed")?
}

// A valid argon2id hash of a random string nobody knows.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$gZiV/M1gPc22ElAH/Jh1Hw$CWOrkoo7oJBQ/iyh7uJ0LO2aLEfrHwTWllSAxT0zRno";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let h = hash(SecretString::from("correct horse battery")).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(SecretString::from("correct horse battery"), Some(h.clone())).await.unwrap());
        assert!(!verify(SecretString::from("wrong"), Some(h)).await.unwrap());
        assert!(!verify(SecretString::from("anything"), None).await.unwrap());
    }
}
