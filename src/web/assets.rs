//! The pages' CSS and scripts, embedded in the binary and served under `/static/{name}`. Pages link
//! them with `?v=` and a hash of their bytes, so a versioned link is cached for a year and a new
//! build changes the link; without the version the answer is revalidated by ETag.

use std::sync::OnceLock;

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// An embedded file of `assets/web` by name, with its content type.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset { name: $name, content_type: $content_type, bytes: include_bytes!(concat!("../../assets/web/", $name)) }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("chat.js", JS),
    asset!("desk.js", JS),
    asset!("tickets.js", JS),
    asset!("worker.js", JS),
    asset!("icon.svg", "image/svg+xml"),
];

/// The first 12 hex digits of each asset's SHA-256, in `ASSETS` order.
fn versions() -> &'static [String] {
    static VERSIONS: OnceLock<Vec<String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        ASSETS.iter().map(|a| hex::encode(Sha256::digest(a.bytes)).chars().take(12).collect()).collect()
    })
}

fn find(name: &str) -> Option<(&'static Asset, &'static str)> {
    let i = ASSETS.iter().position(|a| a.name == name)?;
    Some((ASSETS.get(i)?, versions().get(i)?.as_str()))
}

/// The versioned link of an asset (`/static/app.css?v=…`).
pub fn url(name: &str) -> String {
    match find(name) {
        Some((_, v)) => format!("/static/{name}?v={v}"),
        None => format!("/static/{name}"),
    }
}

#[get("/static/{name}")]
async fn get_asset(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (asset, version) = find(&name).ok_or_else(|| ApiError::not_found("asset_not_found", "no such file"))?;
    let etag = format!("\"{version}\"");
    let cache = if req.query_string() == format!("v={version}") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=0, must-revalidate"
    };
    let matches = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v == etag);
    let mut res = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if matches {
        return Ok(res.finish());
    }
    Ok(res.content_type(asset.content_type).body(asset.bytes))
}

/// Mounts `/static/{name}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_asset);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_assets_web_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/web");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(find(&name).is_some(), "{name} is not in ASSETS");
        }
        assert!(url("app.css").starts_with("/static/app.css?v="));
    }
}
