//! What the browser tests share: a browser or a clear skip, screenshots at phone and desktop sizes
//! (each page checked for accessible markup as it is taken), the console-error check, logging in
//! through the pages (SMS code or password).

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

/// What a page must get right for a screen reader, a keyboard and weak eyes, checked on what is
/// shown: the document's language and one `h1`; a name for every control (a label, `aria-label`
/// or `aria-labelledby`), link, button and image (`alt`, empty for decoration); ids unique; a
/// visible focus is left to the style sheet; text contrast at least 4.5:1 (3:1 for large or bold
/// text of 18.66 px and more) against the nearest opaque background. Returns the problems found.
const A11Y_CHECK: &str = r#"
var problems = [];
function shown(e) { var r = e.getBoundingClientRect(); var s = getComputedStyle(e); return (r.width > 0 || r.height > 0) && s.visibility !== 'hidden' && s.display !== 'none'; }
function describe(e) { return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''); }
function named(e) {
  if ((e.getAttribute('aria-label') || '').trim()) return true;
  var by = e.getAttribute('aria-labelledby');
  if (by && by.split(/\s+/).some(function (id) { var l = document.getElementById(id); return l && l.textContent.trim(); })) return true;
  if (e.labels && Array.prototype.some.call(e.labels, function (l) { return l.textContent.trim(); })) return true;
  return (e.getAttribute('title') || '').trim() !== '';
}
if (!document.documentElement.lang) problems.push('html without lang');
var h1 = document.querySelectorAll('h1');
if (h1.length !== 1) problems.push(h1.length + ' h1 elements');
document.querySelectorAll('input, select, textarea').forEach(function (e) {
  if (e.type === 'hidden' || e.disabled) return;
  if (!named(e)) problems.push('control without a label: ' + describe(e));
});
document.querySelectorAll('a[href], button').forEach(function (e) {
  if (!shown(e)) return;
  var text = (e.textContent || '').trim() || Array.prototype.some.call(e.querySelectorAll('img[alt]'), function (i) { return i.alt.trim(); });
  if (!text && !named(e)) problems.push('link or button without a name: ' + describe(e));
});
document.querySelectorAll('img').forEach(function (e) { if (!e.hasAttribute('alt')) problems.push('img without alt: ' + (e.getAttribute('src') || '').slice(0, 60)); });
var ids = {};
document.querySelectorAll('[id]').forEach(function (e) { if (ids[e.id]) problems.push('duplicate id: ' + e.id); ids[e.id] = true; });
function rgba(c) { var m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; var p = m[1].split(',').map(function (x) { return parseFloat(x); }); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; }
function lum(c) { return [c.r, c.g, c.b].map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce(function (acc, v, i) { return acc + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }
function background(e) {
  for (var n = e; n && n.nodeType === 1; n = n.parentElement) {
    var s = getComputedStyle(n);
    if (s.backgroundImage && s.backgroundImage !== 'none') return null;
    var c = rgba(s.backgroundColor);
    if (c && c.a >= 0.99) return c;
  }
  return { r: 255, g: 255, b: 255, a: 1 };
}
var seen = 0;
document.querySelectorAll('body *').forEach(function (e) {
  if (seen > 40) return;
  var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  if (!own || !shown(e) || e.closest('[disabled], [aria-hidden="true"], .visually-hidden')) return;
  var s = getComputedStyle(e);
  var fg = rgba(s.color), bg = background(e);
  if (!fg || !bg) return;
  var a = lum(fg) + 0.05, b = lum(bg) + 0.05, ratio = Math.max(a, b) / Math.min(a, b);
  var size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
  var need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio + 0.01 < need) { seen++; problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': ' + describe(e) + ' "' + e.textContent.trim().slice(0, 30) + '"'); }
});
return problems;
"#;

/// The problems [`A11Y_CHECK`] finds on the page as it is now.
pub async fn accessibility_problems(b: &Browser) -> Vec<String> {
    let found = b.js(A11Y_CHECK, json!([])).await;
    found.as_array().unwrap().iter().filter_map(|v| v.as_str()).map(str::to_owned).collect()
}

/// Fails with the problems [`A11Y_CHECK`] finds on the page as it is now.
pub async fn assert_accessible(b: &Browser, name: &str) {
    let found = accessibility_problems(b).await;
    assert!(found.is_empty(), "accessibility problems on {name}: {found:#?}");
}

/// Saves `{name}-phone.png` and `{name}-desktop.png`, leaving the phone size on; the page is
/// checked for accessible markup first.
pub async fn screenshots(b: &Browser, name: &str) {
    assert_accessible(b, name).await;
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

/// Logs in through the password form (the page answers with the user's home; callers wait for it).
pub async fn login_with_password(b: &Browser, app: &TestApp, phone: &str, password: &str) {
    b.goto(&app.url("/login?mode=password")).await;
    b.type_into(&b.find("#phone").await, phone).await;
    b.type_into(&b.find("#password").await, password).await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
}

/// Puts the browser's phone at the GCJ-02 point `(lng, lat)`: grants geolocation to the app and
/// overrides the position with the WGS-84 coordinates a phone's GPS would report there.
pub async fn phone_at(b: &Browser, app: &TestApp, (lng, lat): (f64, f64)) {
    let gps = hazardline::geo::point::GeoPoint::parse(lat, lng).unwrap().gcj02_to_wgs84();
    b.cdp("Browser.grantPermissions", json!({"origin": app.address, "permissions": ["geolocation"]})).await;
    b.cdp("Emulation.setGeolocationOverride", json!({"latitude": gps.lat(), "longitude": gps.lng(), "accuracy": 5}))
        .await;
}
