//! Operations endpoints: liveness, readiness of each dependency, Prometheus metrics.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{error::ApiError, observability::Metrics, state::AppState};

/// Mounts `/healthz`, `/readyz` and `/metrics`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_healthz).service(get_readyz).service(get_metrics);
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    /// Always `ok`.
    pub status: &'static str,
}

/// One dependency's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// `ok` or `error`.
    pub status: &'static str,
    /// Which implementation is in use (`sqlite`, `postgres`, `memory`, `redis`, `local`, `s3`).
    pub backend: String,
    /// What went wrong, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Readiness: every dependency and its backend.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyView {
    /// `ready` when every check is `ok`, else `not_ready`.
    pub status: &'static str,
    /// Checks by dependency: `database`, `kv`, `bus`, `media_store`.
    pub checks: BTreeMap<String, CheckView>,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = HealthView)))]
#[get("/healthz")]
async fn get_healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthView { status: "ok" })
}

/// Whether every dependency answers; 503 when one does not.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = ReadyView),
        (status = 503, description = "A dependency is down", body = ReadyView),
    )
)]
#[get("/readyz")]
async fn get_readyz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.settings().database.backend().map(|b| b.to_string()).unwrap_or_default();
    let backends = state.backends();
    let mut checks = BTreeMap::new();
    checks.insert("database".to_owned(), check(backend, crate::infra::db::ping(state.db()).await));
    checks.insert("kv".to_owned(), check(backends.kv.backend().to_owned(), backends.kv.ping().await));
    checks.insert("bus".to_owned(), check(backends.bus.backend().to_owned(), backends.bus.health()));
    checks.insert("media_store".to_owned(), check(state.blobs().backend().to_owned(), state.blobs().ping().await));
    let ready = checks.values().all(|c| c.status == "ok");
    let view = ReadyView { status: if ready { "ready" } else { "not_ready" }, checks };
    if ready {
        HttpResponse::Ok().json(view)
    } else {
        HttpResponse::ServiceUnavailable().json(view)
    }
}

fn check(backend: String, result: anyhow::Result<()>) -> CheckView {
    match result {
        Ok(()) => CheckView { status: "ok", backend, error: None },
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "readiness check failed");
            CheckView { status: "error", backend, error: Some(e.to_string()) }
        }
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
async fn get_metrics(metrics: web::Data<Metrics>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render()?))
}
