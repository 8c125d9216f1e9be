//! HTTP: GeoReport v2 under `/open311/v2`, each resource in `.json` and `.xml`. Every answer,
//! errors included, is in the format the path asks for (XML when the extension is neither).

use actix_web::{
    get,
    http::{header, StatusCode},
    post, web, HttpRequest, HttpResponse,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{CreateRequestForm, CreatedRequests, ErrorView, ServiceDefinitionView, ServiceRequests, Services, Tokens},
    format::{respond, Document, Format, Open311Error},
    keys, params,
    params::Pairs,
    service,
};
use crate::{
    idempotency::{self, IdempotencyKey},
    state::AppState,
    tickets::service::Retry,
};

/// Mounts the GeoReport v2 endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_services)
        .service(get_service_definition)
        .service(list_service_requests)
        .service(create_service_request)
        .service(get_service_request)
        .service(get_token);
}

fn format_of(ext: &str) -> Result<Format, Open311Error> {
    Format::parse(ext).ok_or_else(|| Open311Error::not_found(format!("unknown format `{ext}`: use .json or .xml")))
}

fn answer<T: Document>(format: Format, status: StatusCode, result: Result<T, Open311Error>) -> HttpResponse {
    match result {
        Ok(body) => respond(status, format, &body),
        Err(e) => e.respond(format),
    }
}

/// The jurisdiction check every call makes: absent or this server's.
fn check_jurisdiction(state: &AppState, pairs: &Pairs) -> Result<(), Open311Error> {
    match params::single(pairs, "jurisdiction_id").map_err(Open311Error::bad_request)? {
        None => Ok(()),
        Some(j) if j == state.settings().open311.jurisdiction_id => Ok(()),
        Some(j) => Err(Open311Error::not_found(format!("jurisdiction_id `{j}` was not found"))),
    }
}

/// A public GET: the jurisdiction, then the key's limit (with `api_key`) or the address's.
async fn gate_get(state: &AppState, req: &HttpRequest) -> Result<Pairs, Open311Error> {
    let pairs = params::decode(req.query_string().as_bytes());
    check_jurisdiction(state, &pairs)?;
    match params::single(&pairs, "api_key").map_err(Open311Error::bad_request)? {
        Some(key) => keys::authenticate(state, key).await.map(|_| ())?,
        None => {
            let client = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
            keys::count_anonymous(state, &client).await?;
        }
    }
    Ok(pairs)
}

/// GET Service List: every hazard category as a service.
#[utoipa::path(
    tag = "open311",
    params(
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "This server's jurisdiction (optional)"),
        ("api_key" = Option<String>, Query, description = "Counts against the key's limit instead of the address's"),
    ),
    responses(
        (status = 200, description = "`services`/`service` in XML, an array in JSON", content((Services = "application/json"), (Services = "text/xml"))),
        (status = 403, description = "Bad `api_key`", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the rate limit (`Retry-After`)", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[get("/services.{format}")]
async fn list_services(state: web::Data<AppState>, req: HttpRequest, format: web::Path<String>) -> HttpResponse {
    let format = match format_of(&format) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        gate_get(&state, &req).await?;
        service::services(&state).await
    }
    .await;
    answer(format, StatusCode::OK, result)
}

/// GET Service Definition: a category's attributes (people in danger, floor, …).
#[utoipa::path(
    tag = "open311",
    params(
        ("service_code" = String, Path, description = "Category code, e.g. `fire`"),
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "This server's jurisdiction (optional)"),
        ("api_key" = Option<String>, Query, description = "Counts against the key's limit instead of the address's"),
    ),
    responses(
        (status = 200, description = "`service_definition` with `attributes`", content((ServiceDefinitionView = "application/json"), (ServiceDefinitionView = "text/xml"))),
        (status = 403, description = "Bad `api_key`", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown `service_code`, `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the rate limit", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[get("/services/{service_code}.{format}")]
async fn get_service_definition(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (code, ext) = path.into_inner();
    let format = match format_of(&ext) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        gate_get(&state, &req).await?;
        service::definition(&state, &code).await
    }
    .await;
    answer(format, StatusCode::OK, result)
}

/// GET Service Requests: the public feed, newest first (90 days and 1,000 requests by default).
#[utoipa::path(
    tag = "open311",
    params(
        ("format" = String, Path, description = "`json` or `xml`"),
        ("service_request_id" = Option<String>, Query, description = "Comma-separated ticket numbers; overrides every other filter"),
        ("service_code" = Option<String>, Query, description = "Comma-separated category codes"),
        ("start_date" = Option<String>, Query, description = "Earliest `requested_datetime` (W3C, with zone)"),
        ("end_date" = Option<String>, Query, description = "Latest `requested_datetime`; at most `open311.window_days` after start_date"),
        ("status" = Option<String>, Query, description = "`open`, `closed` or both, comma-separated"),
        ("jurisdiction_id" = Option<String>, Query, description = "This server's jurisdiction (optional)"),
        ("api_key" = Option<String>, Query, description = "Counts against the key's limit instead of the address's"),
    ),
    responses(
        (status = 200, description = "`service_requests`/`request`", content((ServiceRequests = "application/json"), (ServiceRequests = "text/xml"))),
        (status = 400, description = "A bad date, span or status", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 403, description = "Bad `api_key`", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the rate limit", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[get("/requests.{format}")]
async fn list_service_requests(
    state: web::Data<AppState>,
    req: HttpRequest,
    format: web::Path<String>,
) -> HttpResponse {
    let format = match format_of(&format) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        let pairs = gate_get(&state, &req).await?;
        let window = state.settings().open311.window_days;
        let filter = params::request_filter(&pairs, state.clock().now(), window).map_err(Open311Error::bad_request)?;
        service::requests(&state, filter).await
    }
    .await;
    answer(format, StatusCode::OK, result)
}

/// GET Service Request: one request, as a list of one.
#[utoipa::path(
    tag = "open311",
    params(
        ("service_request_id" = String, Path, description = "Ticket number, e.g. `YH202611230007`"),
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "This server's jurisdiction (optional)"),
        ("api_key" = Option<String>, Query, description = "Counts against the key's limit instead of the address's"),
    ),
    responses(
        (status = 200, description = "`service_requests` with one `request`", content((ServiceRequests = "application/json"), (ServiceRequests = "text/xml"))),
        (status = 403, description = "Bad `api_key`", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown request, `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the rate limit", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[get("/requests/{service_request_id}.{format}")]
async fn get_service_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, ext) = path.into_inner();
    let format = match format_of(&ext) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        gate_get(&state, &req).await?;
        service::request(&state, &id).await
    }
    .await;
    answer(format, StatusCode::OK, result)
}

/// GET request_id from a token.
#[utoipa::path(
    tag = "open311",
    params(
        ("token" = String, Path, description = "The token a POST answered with"),
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "This server's jurisdiction (optional)"),
        ("api_key" = Option<String>, Query, description = "Counts against the key's limit instead of the address's"),
    ),
    responses(
        (status = 200, description = "`service_requests` with one `request` (`service_request_id`, `token`)", content((Tokens = "application/json"), (Tokens = "text/xml"))),
        (status = 403, description = "Bad `api_key`", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown token, `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the rate limit", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[get("/tokens/{token}.{format}")]
async fn get_token(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (token, ext) = path.into_inner();
    let format = match format_of(&ext) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        gate_get(&state, &req).await?;
        service::token(&state, &token).await
    }
    .await;
    answer(format, StatusCode::OK, result)
}

/// The body's pairs: a form (the spec's encoding) or a JSON object.
fn body_pairs(req: &HttpRequest, body: &[u8]) -> Result<Pairs, Open311Error> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" | "" => Ok(params::decode(body)),
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| Open311Error::bad_request(format!("the JSON body is not valid: {e}")))?;
            params::from_json(&value).map_err(Open311Error::bad_request)
        }
        other => Err(Open311Error::bad_request(format!(
            "send the request as application/x-www-form-urlencoded (or application/json), not `{other}`"
        ))),
    }
}

/// The `Idempotency-Key` of a POST, if sent.
fn retry_of(req: &HttpRequest, body: &[u8]) -> Result<Option<Retry>, Open311Error> {
    let Some(value) = req.headers().get(idempotency::HEADER) else { return Ok(None) };
    let key = IdempotencyKey::parse(value.to_str().unwrap_or("")).map_err(Open311Error::from)?;
    Ok(Some(Retry { key, hash: idempotency::fingerprint("POST", req.path(), body) }))
}

/// POST Service Request: report a hazard (`api_key` required); answers at once with the
/// `service_request_id` and a `token`. `Idempotency-Key` makes a retry answer the first request.
#[utoipa::path(
    tag = "open311",
    params(
        ("format" = String, Path, description = "`json` or `xml`"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first request"),
    ),
    request_body(content = CreateRequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 201, description = "Created: `service_requests` with one `request`", content((CreatedRequests = "application/json"), (CreatedRequests = "text/xml"))),
        (status = 400, description = "A field missing or invalid (no location, a bad attribute, an address without lat/long, …)", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 403, description = "`api_key` missing, unknown or disabled", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 404, description = "Unknown `service_code`, `jurisdiction_id` or format", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
        (status = 429, description = "Over the key's rate limit (`Retry-After`)", content((Vec<ErrorView> = "application/json"), (Vec<ErrorView> = "text/xml"))),
    )
)]
#[post("/requests.{format}")]
async fn create_service_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    format: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let format = match format_of(&format) {
        Ok(f) => f,
        Err(e) => return e.respond(Format::Xml),
    };
    let result = async {
        let mut pairs = body_pairs(&req, &body)?;
        // api_key and jurisdiction_id may come in the query string too.
        let extra: Pairs = params::decode(req.query_string().as_bytes())
            .into_iter()
            .filter(|(k, _)| (k == "api_key" || k == "jurisdiction_id") && !pairs.iter().any(|(p, _)| p == k))
            .collect();
        pairs.extend(extra);
        check_jurisdiction(&state, &pairs)?;
        let key = params::single(&pairs, "api_key")
            .map_err(Open311Error::bad_request)?
            .ok_or_else(|| Open311Error::forbidden("api_key was not provided"))?;
        let caller = keys::authenticate(&state, key).await?;
        let request = params::new_request(&pairs).map_err(Open311Error::bad_request)?;
        let retry = retry_of(&req, &body)?;
        service::create(&state, caller, request, retry.as_ref()).await
    }
    .await;
    answer(format, StatusCode::CREATED, result)
}
