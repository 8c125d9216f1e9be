//! The binary's subcommands, run as an operator would.

use std::{io::Write, process::Command};

use reqwest::StatusCode;

use crate::helpers::{config_dir, spawn_app_with, DbGuard};

fn hazardline(db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hazardline"));
    cmd.env("HAZARDLINE_ENV", "test")
        .env("HAZARDLINE_CONFIG_DIR", config_dir())
        .env("HAZARDLINE__DATABASE__URL", db_url)
        .env("HAZARDLINE__AUTH__JWT_SECRET", crate::helpers::TEST_JWT_SECRET)
        .env_remove("HAZARDLINE__REDIS__URL");
    cmd
}

#[tokio::test]
async fn create_user_reads_the_password_from_stdin_and_the_account_can_log_in() {
    let db = DbGuard::fresh().await;
    let migrate = hazardline(&db.url).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    let mut child = hazardline(&db.url)
        .args(["create-user", "--role", "dispatcher", "--phone", "13911112222", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created dispatcher"));

    let url = db.url.clone();
    let app = spawn_app_with(move |s| s.database.url = secrecy::SecretString::from(url)).await;
    let res = app.login_password("13911112222", "a long enough password").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["user"]["roles"][0]["role"], "dispatcher");
}

#[tokio::test]
async fn create_user_refuses_a_short_password_and_a_taken_phone() {
    let db = DbGuard::fresh().await;
    let run = |password: &str| {
        let mut child = hazardline(&db.url)
            .args(["create-user", "--role", "admin", "--phone", "13911113333", "--password-stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run("short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password too short"));
    assert!(run("long enough password\n").status.success());
    let again = run("long enough password\n");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("phone already registered"));
}

#[test]
fn a_bad_config_value_stops_start_up_naming_the_key() {
    let out =
        hazardline("sqlite://unused.db").env("HAZARDLINE__SERVER__PORT", "eighty").arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.port"), "{err}");

    let out = hazardline("mysql://nope").arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database.url"));
}

#[test]
fn production_mode_refuses_to_start_without_a_jwt_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_hazardline"))
        .env("HAZARDLINE_ENV", "production")
        .env("HAZARDLINE_CONFIG_DIR", config_dir())
        .env_remove("HAZARDLINE__AUTH__JWT_SECRET")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("auth.jwt_secret"));
}

#[tokio::test]
async fn serve_answers_then_drains_and_exits_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let db = DbGuard::fresh().await;
    let mut child = hazardline(&db.url)
        .env("HAZARDLINE__SERVER__PORT", "0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.strip_prefix("hazardline listening on ").expect("listening line").to_owned();
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status:?}");
}

fn shared_testdata(rel: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: shared test data {} not found", path.display());
        None
    }
}

#[tokio::test]
async fn imported_shenzhen_districts_locate_every_sample_point() {
    let (Some(geojson), Some(points)) = (
        shared_testdata("boundaries/shenzhen-districts.geojson"),
        shared_testdata("boundaries/shenzhen-districts-points.csv"),
    ) else {
        return;
    };
    let db = DbGuard::fresh().await;
    let out = hazardline(&db.url)
        .arg("import-boundaries")
        .arg(&geojson)
        .args(["--level", "district", "--name-field", "name", "--code-field", "adcode"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 9 regions, skipped 0"));

    let url = db.url.clone();
    let app = spawn_app_with(move |s| s.database.url = secrecy::SecretString::from(url)).await;
    let s = app.resident("13800138300").await;
    let csv = std::fs::read_to_string(points).unwrap();
    let mut checked = 0;
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (lng, lat, adcode) = (cols[0], cols[1], cols[3]);
        let body: serde_json::Value = app
            .get_as(&format!("/api/v1/geo/locate?lat={lat}&lng={lng}&coord_system=gcj02"), &s.access_token)
            .await
            .json()
            .await
            .unwrap();
        let got = body["chain"].get(0).map(|r| r["code"].as_str().unwrap().to_owned()).unwrap_or_default();
        assert_eq!(got, adcode, "{line}");
        checked += 1;
    }
    assert_eq!(checked, 30);

    // Importing the same file again is refused as a whole: nothing duplicated.
    let again = hazardline(&db.url)
        .arg("import-boundaries")
        .arg(&geojson)
        .args(["--level", "district", "--code-field", "adcode"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("codes already in the database"));
}

#[tokio::test]
async fn a_file_with_one_bad_feature_imports_nothing_unless_told_to_skip() {
    let db = DbGuard::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"好区","code":"880001"},"geometry":{"type":"Polygon","coordinates":[[[100,30],[101,30],[101,31],[100,31],[100,30]]]}},
        {"type":"Feature","properties":{"name":"自交区","code":"880002"},"geometry":{"type":"Polygon","coordinates":[[[102,30],[103,31],[103,30],[102,31],[102,30]]]}},
        {"type":"Feature","properties":{"name":"越界","code":"880003"},"geometry":{"type":"Polygon","coordinates":[[[104,95],[105,95],[105,96],[104,95]]]}}]}"#,
    )
    .unwrap();
    let run = |extra: &[&str]| {
        hazardline(&db.url)
            .arg("import-boundaries")
            .arg(&file)
            .args(["--level", "district"])
            .args(extra)
            .output()
            .unwrap()
    };
    let strict = run(&[]);
    assert!(!strict.status.success());
    let stdout = String::from_utf8_lossy(&strict.stdout);
    assert!(stdout.contains("880002") && stdout.contains("880003"), "{stdout}");
    assert!(String::from_utf8_lossy(&strict.stderr).contains("nothing imported"));
    let lenient = run(&["--skip-invalid"]);
    assert!(lenient.status.success(), "{}", String::from_utf8_lossy(&lenient.stderr));
    assert!(String::from_utf8_lossy(&lenient.stdout).contains("imported 1 regions, skipped 2"));

    let not_json = dir.path().join("broken.geojson");
    std::fs::write(&not_json, "{ this is not json").unwrap();
    let out =
        hazardline(&db.url).arg("import-boundaries").arg(&not_json).args(["--level", "district"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
}
