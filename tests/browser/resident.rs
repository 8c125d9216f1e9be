//! A resident reports a hazard through the chat page (quick replies, the browser's position, a
//! photo from the camera input) and follows it on "my tickets" while staff work on it.

use hazardline::geo::demo_city::grid_center;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    helpers::{session, spawn_app, TestApp},
    support::{assert_no_console_errors, browser, login_with_sms, phone_at, screenshots},
    webdriver::Browser,
};

const RESIDENT: &str = "13800000001";

/// A phone photo: one from `../shared/testdata` when present, else a JPEG made here.
pub fn photo_file(dir: &std::path::Path) -> std::path::PathBuf {
    another_photo_file(dir, 0)
}

/// Photo number `n` (0 or 1), different from the other in content: an upload of the same bytes is
/// the same photo, which one ticket only may use.
pub fn another_photo_file(dir: &std::path::Path, n: u8) -> std::path::PathBuf {
    let name = ["DSCN0010.jpg", "DSCN0021.jpg"][usize::from(n.min(1))];
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/photos").join(name);
    if let Ok(path) = shared.canonicalize() {
        return path;
    }
    let (w, h) = (480u16, 360u16);
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let stripe = if (x / 40 + y / 40 + u16::from(n)) % 2 == 0 { 200u8 } else { 60 };
            rgb.extend_from_slice(&[(x % 256) as u8, stripe, (y % 256) as u8]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85).encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    let path = dir.join(format!("hazard-{n}.jpg"));
    std::fs::write(&path, out).unwrap();
    path
}

/// How many bot messages the chat shows.
async fn bot_count(b: &Browser) -> u64 {
    b.js("return document.querySelectorAll('#log [data-role=bot]').length", json!([])).await.as_u64().unwrap()
}

/// Waits for the bot to answer (more bot messages than `before`) and the composer to take input again.
async fn bot_answers(b: &Browser, before: u64, what: &str) {
    let script = "return document.querySelectorAll('#log [data-role=bot]').length > arguments[0] && !document.querySelector('#text').disabled";
    b.wait_for(what, script, json!([before])).await;
}

/// Staff move the ticket through the API, as the grid worker it was offered to.
async fn grid_worker_accepts(app: &TestApp, number: &str) {
    let ticket = entity::ticket::Entity::find()
        .filter(entity::ticket::Column::Number.eq(number))
        .one(app.state.db())
        .await
        .unwrap()
        .expect("the ticket");
    let worker = entity::user::Entity::find_by_id(ticket.grid_worker_id.expect("offered to a grid worker"))
        .one(app.state.db())
        .await
        .unwrap()
        .unwrap();
    let res = app.login_password(worker.phone.as_deref().unwrap(), "demo password 1").await;
    let worker = session(&res.json::<Value>().await.unwrap());
    let res = app
        .post_json_as(
            &format!("/api/v1/tickets/{}/actions", ticket.id),
            &worker.access_token,
            &json!({"action": "accept", "version": ticket.version}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_resident_reports_a_hazard_with_a_photo_in_the_chat_and_sees_staff_work_on_it_live() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let tmp = tempfile::tempdir().unwrap();

    // The phone's position: the middle of grid 1 of community 0, as GPS (WGS-84) reports it.
    let (lng, lat) = grid_center(0, 0);
    phone_at(&b, &app, (lng, lat)).await;

    login_with_sms(&b, &app, RESIDENT).await;
    b.wait_for("the greeting", "return document.querySelector('[data-value=\"#report\"]')", json!([])).await;
    // The page converts GPS to GCJ-02 exactly as the service does (a published reference pair).
    let p = b.js("return window.HL.wgs84ToGcj02(39.915, 116.404)", json!([])).await;
    assert!((p["lat"].as_f64().unwrap() - 39.91640428150164).abs() < 1e-9, "{p}");
    assert!((p["lng"].as_f64().unwrap() - 116.41024449916938).abs() < 1e-9, "{p}");
    screenshots(&b, "chat-greeting").await;

    // Report → describe → share the position.
    let n = bot_count(&b).await;
    b.click_when_there("[data-value=\"#report\"]").await;
    bot_answers(&b, n, "the bot to ask what happened").await;
    let n = bot_count(&b).await;
    b.type_into(&b.find("#text").await, "楼道里停了好多电动车在充电，插线板拖到楼梯口\u{E007}").await;
    bot_answers(&b, n, "the bot to ask where").await;
    assert!(b.text("#log").await.contains("在哪里"), "{}", b.text("#log").await);
    let n = bot_count(&b).await;
    b.click(&b.find("#loc-btn").await).await;
    bot_answers(&b, n, "the bot to take the position").await;
    assert!(b.text("#log").await.contains("我的位置"), "the position was sent as a location message");

    // Something that is not a photo: a message on the page, nothing sent.
    let not_a_photo = tmp.path().join("notes.txt");
    std::fs::write(&not_a_photo, "not a picture").unwrap();
    b.type_into(&b.find("#photo-input").await, not_a_photo.to_str().unwrap()).await;
    b.wait_text("#notice", "请发JPG或PNG格式的照片。").await;
    screenshots(&b, "chat-error").await;

    // A photo from the camera input.
    let n = bot_count(&b).await;
    let photo = photo_file(tmp.path());
    b.type_into(&b.find("#photo-input").await, photo.to_str().unwrap()).await;
    bot_answers(&b, n, "the bot to count the photo").await;
    b.wait_for(
        "the photo bubble",
        "var i = document.querySelector('#log .mine img'); return i && i.complete && i.naturalWidth > 0",
        json!([]),
    )
    .await;
    assert!(b.text("#log").await.contains("第1张"), "{}", b.text("#log").await);
    b.click_when_there("[data-value=\"#photos:done\"]").await;
    b.click_when_there("[data-value=\"#anon:no\"]").await;
    b.wait_for("the summary", "return document.querySelector('[data-value=\"#confirm\"]')", json!([])).await;
    screenshots(&b, "chat-summary").await;
    b.click_when_there("[data-value=\"#confirm\"]").await;
    let number = b
        .wait_for(
            "the ticket number",
            "var m = document.querySelector('#log').innerText.match(/YH\\d+/); return m && m[0]",
            json!([]),
        )
        .await;
    let number = number.as_str().unwrap().to_owned();
    assert!(b.text("#log").await.contains("已受理"), "{}", b.text("#log").await);
    screenshots(&b, "chat-filed").await;

    // My tickets: the new ticket with its timeline.
    b.goto(&app.url("/tickets")).await;
    b.wait_for("the live page", "return document.body.dataset.ready === '1'", json!([])).await;
    let badge = format!("#t-{number} .badge");
    assert_eq!(b.text(&badge).await, "已派单");
    b.js("window.__stayed = 'no reload'", json!([])).await;

    // Staff act through the API; the outbox delivers; the page follows without a reload.
    grid_worker_accepts(&app, &number).await;
    hazardline::notifications::worker::deliver_due(&app.state).await.unwrap();
    b.wait_for(
        "the status to change on the page",
        "var b = document.querySelector(arguments[0]); return b && b.textContent === '核实中'",
        json!([badge]),
    )
    .await;
    assert_eq!(b.js("return window.__stayed", json!([])).await, "no reload");
    let timeline = b.text(&format!("#t-{number} .timeline")).await;
    assert!(timeline.contains("上报") && timeline.contains("签收"), "{timeline}");
    screenshots(&b, "tickets").await;

    // A word to the desk from the ticket: empty is refused on the page, then it is sent and shows.
    b.click(&b.find(&format!("#t-{number} details.more summary")).await).await;
    b.click(&b.find(&format!("#t-{number} form[data-act=comment] button[type=submit]")).await).await;
    b.wait_text("#notice", "请先写下要说的话。").await;
    b.type_into(&b.find(&format!("#comment-{number}")).await, "晚上八点后家里有人").await;
    b.click(&b.find(&format!("#t-{number} form[data-act=comment] button[type=submit]")).await).await;
    b.wait_text("#live", "留言已发出。").await;
    let timeline = b.text(&format!("#t-{number} .timeline")).await;
    assert!(timeline.contains("晚上八点后家里有人"), "{timeline}");
    assert_eq!(b.js("return window.__stayed", json!([])).await, "no reload");

    assert_no_console_errors(&b, &["status of 415"]).await;
    b.quit().await;
}
