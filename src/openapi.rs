//! The OpenAPI 3.1 document (collected from every `#[utoipa::path]` handler) and the offline
//! docs UI at `/api/docs` (RapiDoc, vendored under `assets/rapidoc`, MIT).

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use crate::error::{FieldError, ProblemDetails};

/// The root document; paths are added by `utoipa-actix-web` as services are mounted.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "hazardline API",
        description = "Report safety hazards from a phone, route them to the responsible department, follow them to close-out. Every error is `application/problem+json` with a stable `code`.",
        license(name = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "auth", description = "Logins, tokens and the caller's account"),
        (name = "admin", description = "Reference data: hazard categories, departments and response templates"),
        (name = "geo", description = "Jurisdictions: locating points, routing, regions, rules, grid assignments"),
        (name = "media", description = "Photos: upload (validated, oriented, stripped of metadata) and private serving by signed link or token"),
        (name = "tickets", description = "Hazard tickets: report, move through the workflow, history, follow, lists and counts, comments, co-handling, ratings"),
        (name = "ledger", description = "Exports in the caller's scope: the hazard ledger (隐患台账) as CSV or XLSX, and tickets on a map as GeoJSON"),
        (name = "campaigns", description = "Special campaigns (专项整治): a time window, categories and regions; tickets inside are tagged"),
        (name = "stats", description = "Statistics and the monthly bulletin: counts, rates, step times and rankings of the tickets reported in a period"),
        (name = "chat", description = "Conversations and messages: ticket threads, sending, recall, paging, read cursors"),
        (name = "intake", description = "Understanding a report in words: categories, urgency and whom to call, places"),
        (name = "notifications", description = "Notification preferences: muted kinds and quiet hours"),
        (name = "open311", description = "Open311 GeoReport v2 under /open311/v2 (JSON and XML, errors as the spec's error list), and the API keys its clients use"),
        (name = "webhooks", description = "Outbound webhooks: endpoints, their event kinds and the delivery log"),
        (name = "wechat", description = "The WeChat official account's message callback (WeChat's XML protocol; residents talk to the intake bot there)"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
    components(schemas(ProblemDetails, FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // The web pages' session: every endpoint that takes the bearer token also takes this cookie.
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::cookie::ACCESS_COOKIE,
                "The web pages' session (the access token in an HttpOnly cookie), accepted wherever the bearer \
                 token is, when no Authorization header is sent. Requests authenticated by it must come from the \
                 service's own origin (Origin, else Referer; checked for unsafe methods, WebSocket handshakes and \
                 any request that sends Origin) and unsafe ones must carry the page's CSRF token in X-CSRF-Token; \
                 otherwise 403 `origin_not_allowed` or `csrf_token_invalid`.",
            ))),
        );
    }
}

/// The finished document, served at `/api/openapi.json`.
pub struct Document(pub String);

#[get("/api/openapi.json")]
async fn get_openapi(doc: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hazardline API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="/api/docs/rapidoc-min.js"></script></head>
<body><rapi-doc spec-url="/api/openapi.json" render-style="read" show-header="false"
 allow-try="true" allow-server-selection="false" regular-font="system-ui, sans-serif"
 mono-font="ui-monospace, monospace" load-fonts="false"></rapi-doc></body></html>"#;

#[get("/api/docs")]
async fn get_docs() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(DOCS_HTML)
}

static RAPIDOC_GZ: &[u8] = include_bytes!("../assets/rapidoc/rapidoc-min.js.gz");

#[get("/api/docs/rapidoc-min.js")]
async fn get_docs_script(req: HttpRequest) -> HttpResponse {
    let gzip_ok =
        req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("gzip"));
    let mut res = HttpResponse::Ok();
    res.content_type("text/javascript; charset=utf-8").insert_header((header::CACHE_CONTROL, "public, max-age=86400"));
    if gzip_ok {
        res.insert_header((header::CONTENT_ENCODING, "gzip")).body(RAPIDOC_GZ)
    } else {
        let mut plain = Vec::new();
        let mut decoder = flate2::read::GzDecoder::new(RAPIDOC_GZ);
        match std::io::Read::read_to_end(&mut decoder, &mut plain) {
            Ok(_) => res.body(plain),
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }
}

/// Mounts the document and the docs UI (outside the OpenAPI document itself).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_openapi).service(get_docs).service(get_docs_script);
}
