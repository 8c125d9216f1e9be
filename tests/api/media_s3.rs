//! The S3 blob store against a real S3-compatible server: moto's, started here on a free loopback
//! port. Skipped with a message when `moto_server` cannot be started, unless
//! `HAZARDLINE_REQUIRE_S3=1` (set by .ci/run), where that is a failure.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use hazardline::config::StorageBackend;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;

use crate::{
    helpers::{problem, spawn_app_with},
    media_support::{assert_no_metadata, follow, path_of, testdata, upload_ok},
};

const BUCKET: &str = "hazardline-photos";

/// A moto server process, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn skip(why: &str) -> Option<Moto> {
    assert!(std::env::var("HAZARDLINE_REQUIRE_S3").is_err(), "S3 test required but {why}");
    eprintln!("skipped: S3 test needs a local S3 server ({why}); install it with `pip install 'moto[server]'`");
    None
}

async fn start_moto() -> Option<Moto> {
    let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let args = ["-H", "127.0.0.1", "-p", &port.to_string()];
    let spawn = |cmd: &mut Command| cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let child = match spawn(Command::new("moto_server").args(args)) {
        Ok(child) => child,
        Err(_) => match spawn(Command::new("python3").args(["-m", "moto.server"]).args(args)) {
            Ok(child) => child,
            Err(e) => return skip(&format!("moto_server could not be run: {e}")),
        },
    };
    let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // moto checks no signatures, so a plain PUT creates the bucket.
        if let Ok(res) = client.put(format!("{}/{BUCKET}", moto.endpoint)).send().await {
            assert!(res.status().is_success(), "creating the bucket: {}", res.status());
            return Some(moto);
        }
        if Instant::now() > deadline {
            return skip("moto_server did not answer within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn photos_live_in_an_s3_bucket_and_are_collected_from_it() {
    let Some(photo) = testdata("photos/DSCN0010.jpg") else { return };
    let Some(moto) = start_moto().await else { return };
    let endpoint = moto.endpoint.clone();
    let app = spawn_app_with(move |s| {
        s.media.storage.backend = StorageBackend::S3;
        let s3 = &mut s.media.storage.s3;
        s3.endpoint = endpoint;
        s3.bucket = BUCKET.into();
        s3.region = "us-east-1".into();
        s3.access_key_id = "testing".into();
        s3.secret_access_key = SecretString::from("testing");
        s3.allow_http = true;
    })
    .await;
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["checks"]["media_store"]["backend"], "s3");
    assert_eq!(ready["checks"]["media_store"]["status"], "ok", "{ready}");

    let s = app.resident("13800138601").await;
    let body = upload_ok(&app, &s.access_token, "s3.jpg", &photo).await;
    assert_no_metadata(&follow(&app, &body["urls"]["display"]).await, "display from S3");
    let key = format!("media/{}/thumb.jpg", body["id"].as_str().unwrap());
    let stored = app.state.blobs().get(&key).await.unwrap().expect("stored under its generated key");
    assert!(stored.starts_with(&[0xFF, 0xD8]));

    let later = app.state.clock().now() + chrono::Duration::hours(25);
    let collected = hazardline::media::gc::collect_garbage_once(&app.state, later).await.unwrap();
    assert_eq!(collected, 1);
    assert_eq!(app.state.blobs().get(&key).await.unwrap(), None, "deleted from the bucket");
    let res = app.get(&path_of(&body["urls"]["display"])).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "media_not_found");
}

#[tokio::test]
async fn readiness_reports_a_missing_bucket() {
    let Some(moto) = start_moto().await else { return };
    let endpoint = moto.endpoint.clone();
    let app = spawn_app_with(move |s| {
        s.media.storage.backend = StorageBackend::S3;
        s.media.storage.s3.endpoint = endpoint;
        s.media.storage.s3.bucket = "no-such-bucket".into();
        s.media.storage.s3.access_key_id = "testing".into();
        s.media.storage.s3.secret_access_key = SecretString::from("testing");
        s.media.storage.s3.allow_http = true;
    })
    .await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["checks"]["media_store"]["status"], "error", "{ready}");
}
