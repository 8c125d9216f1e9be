//! Loading and validating the settings.

use super::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config")
}

#[test]
fn every_overlay_loads_and_validates_alone() {
    for env in ["local", "test"] {
        let s = Settings::load_layers(&dir(), env, false).unwrap();
        assert_eq!(s.app.mode, Mode::Development, "{env}");
    }
}

#[test]
fn production_overlay_refuses_to_start_without_secrets() {
    let e = Settings::load_layers(&dir(), "production", false).unwrap_err();
    let text = format!("{e:#}");
    assert!(text.contains("auth.jwt_secret"), "{text}");
}

#[test]
fn production_refuses_the_log_sms_sender() {
    let mut s = Settings::load_layers(&dir(), "test", false).unwrap();
    s.app.mode = Mode::Production;
    s.auth.jwt_secret = SecretString::from("k".repeat(32));
    s.sms.provider = SmsProvider::Log;
    assert_eq!(s.validate().unwrap_err().key, "sms.provider");
    s.sms.provider = SmsProvider::Disabled;
    assert!(s.validate().is_ok());
}

#[test]
fn a_missing_overlay_is_named() {
    let e = Settings::load_layers(&dir(), "staging", false).unwrap_err();
    assert!(e.to_string().contains("staging.yaml"), "{e}");
}

#[test]
fn validation_names_the_key() {
    let mut s = Settings::load_layers(&dir(), "test", false).unwrap();
    s.database.url = SecretString::from("mysql://x");
    assert_eq!(s.validate().unwrap_err().key, "database.url");
    let mut s = Settings::load_layers(&dir(), "test", false).unwrap();
    s.auth.jwt_secret = SecretString::from("short");
    assert_eq!(s.validate().unwrap_err().key, "auth.jwt_secret");
    let mut s = Settings::load_layers(&dir(), "test", false).unwrap();
    s.redis.url = SecretString::from("http://x");
    assert_eq!(s.validate().unwrap_err().key, "redis.url");
}

#[test]
fn media_settings_are_checked_by_key() {
    let base = Settings::load_layers(&dir(), "test", false).unwrap();
    assert_eq!(base.media.storage.backend, StorageBackend::Local);
    assert_eq!(base.media.max_bytes, 15 * 1024 * 1024);
    let mut s = base.clone();
    s.media.url_secret = SecretString::from("short");
    assert_eq!(s.validate().unwrap_err().key, "media.url_secret");
    let mut s = base.clone();
    s.media.storage.backend = StorageBackend::S3;
    assert_eq!(s.validate().unwrap_err().key, "media.storage.s3.bucket");
    s.media.storage.s3.bucket = "photos".into();
    s.media.storage.s3.endpoint = "http://127.0.0.1:9000".into();
    assert_eq!(s.validate().unwrap_err().key, "media.storage.s3.endpoint");
    s.media.storage.s3.allow_http = true;
    assert!(s.validate().is_ok());
    let mut s = base.clone();
    s.media.max_pixels = 0;
    assert_eq!(s.validate().unwrap_err().key, "media.max_pixels");
    let mut s = base;
    s.media.workers = 0;
    assert!(s.media.worker_count() >= 1);
}

#[test]
fn web_settings_are_checked_by_key() {
    let mut s = Settings::load_layers(&dir(), "test", false).unwrap();
    assert!(!s.web.secure_cookies, "plain HTTP in development");
    s.web.refresh_grace_secs = 301;
    assert_eq!(s.validate().unwrap_err().key, "web.refresh_grace_secs");
    s.auth.jwt_secret = SecretString::from("k".repeat(32));
    s.app.mode = Mode::Production;
    s.sms.provider = SmsProvider::Disabled;
    s.web.refresh_grace_secs = 30;
    assert!(s.validate().is_ok());
    assert_eq!(s.web.map_tiles_origin(), None, "no tiles by default");
    for bad in ["tiles.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png", "ftp://t.example/{z}/{x}/{y}"] {
        s.web.map_tiles_url = bad.into();
        assert_eq!(s.validate().unwrap_err().key, "web.map_tiles_url", "{bad}");
    }
    s.web.map_tiles_url = "https://t.example:8443/{z}/{x}/{y}.png?k=1".into();
    assert!(s.validate().is_ok());
    assert_eq!(s.web.map_tiles_origin().as_deref(), Some("https://t.example:8443"));
}

#[test]
fn unknown_keys_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(dir().join("base.yaml")).unwrap();
    std::fs::write(tmp.path().join("base.yaml"), base).unwrap();
    std::fs::write(tmp.path().join("local.yaml"), "server:\n  prot: 1\n").unwrap();
    let e = Settings::load_layers(tmp.path(), "local", false).unwrap_err();
    assert!(format!("{e:#}").contains("prot"), "{e:#}");
}
