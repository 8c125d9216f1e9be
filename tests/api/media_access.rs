//! Who may fetch a stored photo (signed links, uploader, staff), caching headers, the busy pool,
//! kept originals, and garbage collection of uploads nothing uses.

use chrono::Duration;
use hazardline::{
    auth::Role,
    media::{
        gc::{collect_garbage_once, run_pass, LOCK_NAME},
        service::{attach, Attachment},
    },
};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    helpers::{problem, spawn_app, spawn_app_with, TestApp},
    media_support::{assert_no_metadata, jpeg_size, path_of, testdata, upload, upload_ok},
};

async fn photo(app: &TestApp, token: &str, file: &str) -> Option<Value> {
    let bytes = testdata(&format!("photos/{file}"))?;
    Some(upload_ok(app, token, file, &bytes).await)
}

#[tokio::test]
async fn a_signed_link_works_without_login_until_it_expires_or_is_tampered_with() {
    let app = spawn_app().await;
    let s = app.resident("13800138501").await;
    let Some(body) = photo(&app, &s.access_token, "DSCN0010.jpg").await else { return };
    let link = path_of(&body["urls"]["thumb"]);
    let res = app.get(&link).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
    assert!(res.headers()["cache-control"].to_str().unwrap().starts_with("private, max-age="));
    assert_eq!(res.headers()["content-type"], "image/jpeg");

    // The signature covers id, variant and expiry.
    let to_display = link.replace("/thumb?", "/display?");
    assert_eq!(problem(app.get(&to_display).await, StatusCode::FORBIDDEN).await["code"], "media_url_invalid");
    let exp: i64 = link.split("exp=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let later = link.replace(&format!("exp={exp}"), &format!("exp={}", exp + 3600));
    assert_eq!(problem(app.get(&later).await, StatusCode::FORBIDDEN).await["code"], "media_url_invalid");
    let forged = format!("{}AAAA", &link[..link.len() - 4]);
    assert_eq!(problem(app.get(&forged).await, StatusCode::FORBIDDEN).await["code"], "media_url_invalid");
    let no_sig = link.split("&sig=").next().unwrap().to_owned();
    assert_eq!(problem(app.get(&no_sig).await, StatusCode::FORBIDDEN).await["code"], "media_url_invalid");

    // A correctly signed link whose time has passed.
    let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    let issued = app.state.clock().now() - Duration::hours(2);
    let (exp, sig) = app.state.media().signer.sign(id, "thumb", issued);
    let expired = format!("/media/{id}/thumb?exp={exp}&sig={sig}");
    assert_eq!(problem(app.get(&expired).await, StatusCode::FORBIDDEN).await["code"], "media_url_expired");
}

#[tokio::test]
async fn without_a_link_only_the_uploader_and_staff_may_see_a_photo() {
    let app = spawn_app().await;
    let owner = app.resident("13800138502").await;
    let stranger = app.resident("13800138503").await;
    let dispatcher = app.staff("13900138504", Role::Dispatcher).await;
    let Some(body) = photo(&app, &owner.access_token, "DSCN0021.jpg").await else { return };
    let path = format!("/media/{}/display", body["id"].as_str().unwrap());

    assert_eq!(problem(app.get(&path).await, StatusCode::UNAUTHORIZED).await["code"], "missing_token");
    for token in [&owner.access_token, &dispatcher.access_token] {
        let res = app.get_as(&path, token).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(jpeg_size(&res.bytes().await.unwrap()), (640, 480));
    }
    // A stranger learns nothing, not even that the photo exists.
    let res = app.get_as(&path, &stranger.access_token).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "media_not_found");
    let res = app.get_as(&format!("/media/{}/display", Uuid::now_v7()), &owner.access_token).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "media_not_found");
    let res = app.get_as(&path.replace("/display", "/original"), &owner.access_token).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "media_variant_not_found");
    let res = app.get_as(&path.replace("/display", "/huge"), &owner.access_token).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "invalid_path");
}

#[tokio::test]
async fn if_none_match_with_the_etag_answers_304() {
    let app = spawn_app().await;
    let s = app.resident("13800138505").await;
    let Some(body) = photo(&app, &s.access_token, "DSCN0010.jpg").await else { return };
    let link = path_of(&body["urls"]["display"]);
    let etag = app.get(&link).await.headers()["etag"].to_str().unwrap().to_owned();
    let res = app.client.get(app.url(&link)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    let res = app.client.get(app.url(&link)).header("if-none-match", "\"other\"").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_full_decoding_pool_answers_503_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.media.workers = 1;
        s.media.queue = 0;
    })
    .await;
    let s = app.resident("13800138506").await;
    let Some(bytes) = testdata("photos/DSCN0010.jpg") else { return };
    let held = app.state.media().pool.try_admit().expect("the only place");
    let res = upload(&app, &s.access_token, "busy.jpg", &bytes).await;
    let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(problem(res, StatusCode::SERVICE_UNAVAILABLE).await["code"], "media_busy");
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    drop(held);
    upload_ok(&app, &s.access_token, "free.jpg", &bytes).await;
}

#[tokio::test]
async fn a_kept_original_is_served_without_its_metadata() {
    let app = spawn_app_with(|s| s.media.keep_original = true).await;
    let s = app.resident("13800138507").await;
    let Some(bytes) = testdata("photos/DSCN0010.jpg") else { return };
    let body = upload_ok(&app, &s.access_token, "o.jpg", &bytes).await;
    let res = app.get(&path_of(&body["urls"]["original"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let original = res.bytes().await.unwrap();
    assert_no_metadata(&original, "original");
    assert_eq!(jpeg_size(&original), (640, 480));
    assert!(original.len() < bytes.len(), "metadata removed");
    // The coded picture is untouched: it decodes to the same pixels as the upload.
    let decode = |b: &[u8]| jpeg_decoder::Decoder::new(b).decode().unwrap();
    assert!(decode(&original) == decode(&bytes));
}

#[tokio::test]
async fn garbage_collection_deletes_old_unattached_photos_and_keeps_attached_ones() {
    let app = spawn_app().await;
    let s = app.resident("13800138508").await;
    let (Some(loose), Some(kept)) =
        (photo(&app, &s.access_token, "DSCN0010.jpg").await, photo(&app, &s.access_token, "DSCN0021.jpg").await)
    else {
        return;
    };
    let kept_id: Uuid = kept["id"].as_str().unwrap().parse().unwrap();
    attach(&app.state, kept_id, Attachment::Ticket(Uuid::now_v7())).await.unwrap();
    let now = app.state.clock().now();

    assert_eq!(collect_garbage_once(&app.state, now + Duration::hours(23)).await.unwrap(), 0);
    assert_eq!(collect_garbage_once(&app.state, now + Duration::hours(25)).await.unwrap(), 1);
    assert_eq!(collect_garbage_once(&app.state, now + Duration::hours(25)).await.unwrap(), 0, "idempotent");

    let res = app.get(&path_of(&loose["urls"]["display"])).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "media_not_found");
    assert!(!app.media_dir.join(format!("media/{}", loose["id"].as_str().unwrap())).exists(), "blobs deleted");
    assert_eq!(app.get(&path_of(&kept["urls"]["display"])).await.status(), StatusCode::OK);

    // While another instance holds the lock, a pass is skipped.
    let guard = app.state.backends().locks.try_acquire(LOCK_NAME, std::time::Duration::from_secs(60)).await.unwrap();
    assert_eq!(run_pass(&app.state).await.unwrap(), None);
    app.state.backends().locks.release(guard.unwrap()).await.unwrap();
    assert_eq!(run_pass(&app.state).await.unwrap(), Some(0));
}
