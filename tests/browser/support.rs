//! What the browser tests share: a browser or a clear skip, screenshots at phone and desktop sizes,
//! the console-error check, logging in through the pages.

use std::path::PathBuf;

use serde_json::json;

use crate::{helpers::TestApp, webdriver::Browser};

/// Phone (iPhone 12-ish) and desktop viewports.
pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1366, 900);

/// Records errors the page raises (script errors, failed resources, rejected promises,
/// console.error) in `window.__hlErrors`, installed before any page script runs.
const ERROR_HOOK: &str = r#"
window.__hlErrors = [];
window.addEventListener('error', function (e) {
  var what = e.message || (e.target && (e.target.src || e.target.href)) || 'error';
  window.__hlErrors.push('error: ' + what);
}, true);
window.addEventListener('unhandledrejection', function (e) { window.__hlErrors.push('unhandled: ' + String(e.reason)); });
(function () {
  var original = console.error;
  console.error = function () { window.__hlErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
})();
"#;

/// A headless Chromium, or `None` (with a message) when chromedriver is not installed — a failure
/// instead when `HAZARDLINE_REQUIRE_BROWSER=1` (CI).
pub async fn browser() -> Option<Browser> {
    if !std::path::Path::new(crate::webdriver::CHROMEDRIVER).exists() {
        let required = std::env::var("HAZARDLINE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "HAZARDLINE_REQUIRE_BROWSER=1 but {} is missing", crate::webdriver::CHROMEDRIVER);
        eprintln!(
            "SKIPPED: browser test needs {} (apt-get install chromium chromium-driver)",
            crate::webdriver::CHROMEDRIVER
        );
        return None;
    }
    let b = Browser::start().await;
    b.cdp("Page.enable", json!({})).await;
    b.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": ERROR_HOOK })).await;
    b.resize(PHONE.0, PHONE.1).await;
    Some(b)
}

/// Where screenshots go: `target/screenshots/` (or under `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// Saves `{name}-phone.png` and `{name}-desktop.png`, leaving the phone size on.
pub async fn screenshots(b: &Browser, name: &str) {
    b.resize(DESKTOP.0, DESKTOP.1).await;
    b.screenshot(&screenshot_dir().join(format!("{name}-desktop.png"))).await;
    b.resize(PHONE.0, PHONE.1).await;
    b.screenshot(&screenshot_dir().join(format!("{name}-phone.png"))).await;
}

/// Fails on any error the page recorded or the browser logged as SEVERE, except messages that
/// contain one of `expected` (a deliberately refused request, say).
pub async fn assert_no_console_errors(b: &Browser, expected: &[&str]) {
    let page = b.js("return window.__hlErrors || []", json!([])).await;
    let page: Vec<String> = page.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or("").to_owned()).collect();
    let logged: Vec<String> =
        b.console().await.into_iter().filter(|(level, _)| level == "SEVERE").map(|(_, m)| m).collect();
    let unexpected: Vec<&String> =
        page.iter().chain(logged.iter()).filter(|m| !expected.iter().any(|e| m.contains(e))).collect();
    assert!(unexpected.is_empty(), "browser console errors: {unexpected:#?}");
}

/// Logs in through the SMS form (the code from the development sender) and lands on `/chat`.
pub async fn login_with_sms(b: &Browser, app: &TestApp, phone: &str) {
    b.goto(&app.url("/login")).await;
    let input = b.find("#phone").await;
    b.type_into(&input, phone).await;
    b.click(&b.find("form[action='/login/sms-code'] button[type=submit]").await).await;
    b.wait_for("the code field", "return document.querySelector('#code')", json!([])).await;
    let code = app.last_sms_code(phone);
    b.type_into(&b.find("#code").await, &code).await;
    b.click(&b.find("form[action='/login/sms'] button[type=submit]").await).await;
    b.wait_for("the chat", "return location.pathname === '/chat' && document.body.dataset.ready === '1'", json!([]))
        .await;
}

/// Puts the browser's phone at the GCJ-02 point `(lng, lat)`: grants geolocation to the app and
/// overrides the position with the WGS-84 coordinates a phone's GPS would report there.
pub async fn phone_at(b: &Browser, app: &TestApp, (lng, lat): (f64, f64)) {
    let gps = hazardline::geo::point::GeoPoint::parse(lat, lng).unwrap().gcj02_to_wgs84();
    b.cdp("Browser.grantPermissions", json!({"origin": app.address, "permissions": ["geolocation"]})).await;
    b.cdp("Emulation.setGeolocationOverride", json!({"latitude": gps.lat(), "longitude": gps.lng(), "accuracy": 5}))
        .await;
}
