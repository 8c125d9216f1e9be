//! Every request: a request id (taken from `X-Request-Id` when sane, else generated) echoed in
//! the response and carried by the request's span, one access-log line, and Prometheus metrics
//! by route pattern (never by raw path, so ids do not explode the label set).

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use tracing::Instrument;

/// Header carrying the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The process's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    /// Registers the HTTP metrics and the process-wide job counters.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route pattern and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by method and route pattern")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        if let Some(escalations) = crate::tickets::escalation::escalations_counter() {
            registry.register(Box::new(escalations.clone()))?;
        }
        if let Some(sockets) = crate::chat::hub::connections_gauge() {
            registry.register(Box::new(sockets.clone()))?;
        }
        Ok(Self { registry, requests, latency })
    }

    /// Prometheus text exposition of everything registered.
    pub fn render(&self) -> anyhow::Result<String> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        Ok(String::from_utf8(buf)?)
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests.with_label_values(&[method, route, &status.to_string()]).inc();
        self.latency.with_label_values(&[method, route]).observe(seconds);
    }
}

/// Middleware: request id, span, access log, metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let method = req.method().as_str().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let metrics = req.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("http", request_id = %request_id, method = %method, route = %route);
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let mut res = result?;
    let status = res.status().as_u16();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    if let Some(m) = metrics {
        m.observe(&method, &route, status, elapsed.as_secs_f64());
    }
    let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(http.status = status, duration_ms, "request finished");
        } else {
            tracing::info!(http.status = status, duration_ms, "request finished");
        }
    });
    Ok(res)
}

fn is_sane_id(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_echoed() {
        assert!(is_sane_id("abc-123_x.y"));
        assert!(!is_sane_id(""));
        assert!(!is_sane_id(&"a".repeat(65)));
        assert!(!is_sane_id("a b"));
        assert!(!is_sane_id("a\nb"));
    }

    #[test]
    fn metrics_render_as_prometheus_text() {
        let m = Metrics::new().unwrap();
        m.observe("GET", "/healthz", 200, 0.002);
        let text = m.render().unwrap();
        assert!(text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    }
}
