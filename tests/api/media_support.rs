//! Helpers for the media tests: uploads over HTTP, following links, and a JPEG marker scanner.

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// `../shared/testdata/<rel>` read into memory, or `None` (with a note) when it is absent.
pub fn testdata(rel: &str) -> Option<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata").join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!("skipped: shared test data {} not found", path.display());
            None
        }
    }
}

/// Uploads `bytes` as `multipart/form-data` field `file`.
pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Response {
    let boundary = "hazardline-test-boundary-7c1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom the test\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("request")
}

/// Uploads `bytes` as the raw body with `content_type`.
pub async fn upload_raw(app: &TestApp, token: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    app.client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("request")
}

/// Uploads and expects 201, returning the photo.
pub async fn upload_ok(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Value {
    let res = upload(app, token, name, bytes).await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    body
}

/// The path and query of an absolute link the API handed out.
pub fn path_of(link: &Value) -> String {
    let url = url::Url::parse(link.as_str().expect("link is a string")).expect("absolute link");
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// Follows a signed link without any credentials and returns the bytes (200 expected).
pub async fn follow(app: &TestApp, link: &Value) -> Vec<u8> {
    let res = app.get(&path_of(link)).await;
    assert_eq!(res.status(), StatusCode::OK, "{link}");
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    res.bytes().await.expect("bytes").to_vec()
}

/// One JPEG segment before the scan: its marker byte and payload.
pub struct Segment {
    pub marker: u8,
    pub payload: Vec<u8>,
}

/// The segments of a JPEG up to and including SOS (panics on a malformed file).
pub fn jpeg_segments(jpeg: &[u8]) -> Vec<Segment> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut out = Vec::new();
    let mut pos = 2;
    loop {
        assert_eq!(jpeg[pos], 0xFF, "marker expected at {pos}");
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        out.push(Segment { marker, payload: jpeg[pos + 4..pos + 2 + len].to_vec() });
        if marker == 0xDA {
            return out;
        }
        pos += 2 + len;
    }
}

/// Width and height from the SOF segment.
pub fn jpeg_size(jpeg: &[u8]) -> (u32, u32) {
    let sof = jpeg_segments(jpeg)
        .into_iter()
        .find(|s| matches!(s.marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF))
        .expect("SOF segment");
    let p = &sof.payload;
    (u32::from(u16::from_be_bytes([p[3], p[4]])), u32::from(u16::from_be_bytes([p[1], p[2]])))
}

/// Fails when a JPEG carries EXIF/XMP (APP1), ICC (APP2), any other APPn but JFIF/Adobe, or a comment.
pub fn assert_no_metadata(jpeg: &[u8], what: &str) {
    for s in jpeg_segments(jpeg) {
        let app_metadata = matches!(s.marker, 0xE1..=0xED | 0xEF);
        assert!(!app_metadata && s.marker != 0xFE, "{what}: segment FF{:02X} left in", s.marker);
        if s.marker == 0xE0 {
            assert!(s.payload.starts_with(b"JFIF\0"), "{what}: APP0 is not JFIF");
        }
    }
    for needle in [b"Exif\0".as_slice(), b"http://ns.adobe.com/xap", b"ICC_PROFILE"] {
        assert!(!jpeg.windows(needle.len()).any(|w| w == needle), "{what}: {needle:?} found");
    }
}
