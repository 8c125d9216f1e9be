//! The one error shape: RFC 9457 `application/problem+json` with a stable snake_case `code`.
//!
//! Domain modules raise their own typed errors and convert them into [`ApiError`] at the HTTP
//! boundary. Unexpected failures become `internal` and are logged once, here, with their cause chain.

use std::fmt;

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::ServiceResponse,
    http::{header, StatusCode},
    middleware::ErrorHandlerResponse,
    HttpResponse, ResponseError,
};
use serde::Serialize;
use utoipa::ToSchema;

/// Content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A validation problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `phone` or `items[2].name`.
    pub field: String,
    /// Stable machine code, e.g. `invalid_phone`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// The body of every error response (RFC 9457 problem details plus `code` and `errors`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// URI identifying the problem type: `urn:hazardline:problem:{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type (the HTTP reason phrase).
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this case, for people.
    pub detail: String,
    /// Stable machine code, snake_case.
    pub code: String,
    /// Per-field problems, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a refused ticket move (409): what the caller may do to the ticket now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

/// An error on its way to the client.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    allowed_actions: Option<Vec<String>>,
    retry_after_secs: Option<u64>,
    www_authenticate: bool,
    source: Option<anyhow::Error>,
}

impl ApiError {
    /// An error with a status, a stable code and a message for people.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            allowed_actions: None,
            errors: Vec::new(),
            retry_after_secs: None,
            www_authenticate: false,
            source: None,
        }
    }

    /// 400 with a code.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 401: no or bad credentials (adds `WWW-Authenticate: Bearer`).
    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, code, detail);
        e.www_authenticate = true;
        e
    }

    /// 403: known caller, not allowed.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404 with a code such as `ticket_not_found`.
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    /// 409 with a code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 422 with per-field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", detail);
        e.errors = errors;
        e
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(code: &'static str, detail: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, code, detail).with_retry_after(retry_after_secs.max(1))
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
    }

    /// 500 for an unexpected failure; the cause is logged, never sent.
    pub fn internal(source: anyhow::Error) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error");
        e.source = Some(source);
        e
    }

    /// Attaches per-field errors.
    pub fn with_fields(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// Adds a `Retry-After` header.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// Attaches a cause, kept for the log.
    pub fn with_source(mut self, source: anyhow::Error) -> Self {
        self.source = Some(source);
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The fields a validation error names.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Lists the moves the caller may make instead (a refused ticket move).
    pub fn with_allowed_actions(mut self, actions: Vec<String>) -> Self {
        self.allowed_actions = Some(actions);
        self
    }

    fn body(&self) -> ProblemDetails {
        let mut body = problem(self.status, self.code, &self.detail, self.errors.clone());
        body.allowed_actions = self.allowed_actions.clone();
        body
    }
}

fn problem(status: StatusCode, code: &str, detail: &str, errors: Vec<FieldError>) -> ProblemDetails {
    ProblemDetails {
        type_: format!("urn:hazardline:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        code: code.to_owned(),
        errors,
        allowed_actions: None,
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(source) = &self.source {
            write!(f, "\ncaused by: {source:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.detail)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if self.status.is_server_error() {
            tracing::error!(error.code = self.code, error.cause = ?self, "request failed");
        } else {
            tracing::debug!(error.code = self.code, "request rejected: {}", self.detail);
        }
        let mut res = HttpResponse::build(self.status);
        res.content_type(PROBLEM_JSON);
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.www_authenticate {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.json(self.body())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(anyhow::Error::new(e).context("database error"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

/// `ErrorHandlers` hook: actix's own error responses (404, 405, payload errors, …) are rewritten into a problem body with a code derived from the status.
pub fn render_foreign_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // actix's own error responses are empty or text/plain; anything else was written on
    // purpose (our problem bodies, `/readyz`'s 503 report) and passes through untouched.
    let deliberate =
        res.response().headers().get(header::CONTENT_TYPE).is_some_and(|v| !v.as_bytes().starts_with(b"text/plain"));
    if deliberate {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("route_not_found", "no such endpoint".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this endpoint does not take that method".to_owned()),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "the request has the wrong content type".to_owned())
        }
        s if s.is_server_error() => ("internal_error", "internal error".to_owned()),
        s => ("bad_request", s.canonical_reason().unwrap_or("bad request").to_lowercase()),
    };
    let (req, old) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    let body = builder.content_type(PROBLEM_JSON).json(problem(status, code, &detail, Vec::new()));
    let res = ServiceResponse::new(req, body).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(res))
}

/// Error handler for actix's `Query` extractor.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    let e = ApiError::bad_request("invalid_query", format!("invalid query string: {message}"));
    // serde names the parameter it rejects as unknown or repeated: pass it on as a field error.
    let named = ["unknown field `", "duplicate field `"]
        .iter()
        .find_map(|p| message.split_once(p).and_then(|(_, rest)| rest.split('`').next()).map(str::to_owned));
    match named {
        Some(field) => e.with_fields(vec![FieldError::new(field, "invalid", message)]),
        None => e,
    }
    .into()
}

/// Error handler for actix's `Path` extractor.
pub fn path_error(err: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::not_found("invalid_path", format!("invalid path parameter: {err}")).into()
}

/// Error handler for actix's `Json` extractor (our handlers use [`crate::json::ApiJson`]).
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the JSON body is too large")
        }
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send JSON with Content-Type: application/json",
        ),
        other => ApiError::bad_request("invalid_json", other.to_string()),
    }
    .into()
}
