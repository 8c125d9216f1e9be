//! `Application`: built from settings (binds, connects, migrates, wires), then run until stopped.
//! Building twice in one process is fine, which is how the tests start many apps.

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    dev::Server,
    http::header,
    middleware::{from_fn, Condition, ErrorHandlers},
    web, App, HttpServer,
};
use anyhow::Context;

use crate::{
    auth::{
        jwt::JwtKeys,
        sms::{LogSmsSender, SmsCodes, SmsSender},
    },
    chat::hub::Hub,
    clock::{Clock, SystemClock},
    config::{Settings, SmsProvider},
    error,
    geo::service::Jurisdiction,
    infra::{blob_store, db, Backends},
    json::JsonLimit,
    media::service::MediaContext,
    observability::{self, Metrics},
    openapi::{self, Document},
    routes,
    state::AppState,
    wechat::WechatClient,
};

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    sms_log: Option<Arc<LogSmsSender>>,
}

impl Application {
    /// Connects to everything, migrates, binds the port. Uses the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`] with a given clock (a `ManualClock` for tests that move time).
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let state_parts = build_state(settings, clock).await?;
        let (state, sms_log) = state_parts;
        let settings = state.settings();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port)).with_context(|| {
            format!("binding {}:{} (server.host, server.port)", settings.server.host, settings.server.port)
        })?;
        let port = listener.local_addr()?.port();
        // Subscribed before serving, so a socket never misses what is published after it opens.
        state.hub().start(state.backends().bus.as_ref()).await.context("starting the WebSocket hub")?;
        let server = run(listener, state.clone())?;
        tokio::spawn(watch(state.clone()));
        tokio::spawn(crate::media::gc::run(state.clone()));
        tokio::spawn(crate::tickets::escalation::run(state.clone()));
        if state.settings().intake.warm_up {
            // The bot's vocabulary and place names, built before the first message needs them.
            let warm = state.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::intake::understand::warm_up(&warm).await {
                    tracing::warn!(error = %e, "intake vocabulary not built at start-up; built on first use");
                }
            });
        }
        if state.settings().notifications.enabled {
            tokio::spawn(crate::notifications::worker::run(state.clone()));
            if !state.settings().wechat.app_id.is_empty() {
                tokio::spawn(crate::notifications::wechat::run(state.clone()));
            }
        }
        if state.settings().webhooks.enabled {
            tokio::spawn(crate::webhooks::worker::run(state.clone()));
        }
        Ok(Application { port, server, state, sms_log })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Shared state (tests use it to reach the database directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The development SMS sender, when `sms.provider = log`.
    pub fn sms_log(&self) -> Option<Arc<LogSmsSender>> {
        self.sms_log.clone()
    }

    /// Serves until SIGTERM/SIGINT (or the server handle stops it), draining in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn watch(state: AppState) {
    if let Err(e) = crate::geo::service::watch_region_changes(state).await {
        tracing::error!(error = %format!("{e:#}"), "region change listener stopped");
    }
}

/// Connects to the database and backends and assembles the state, without serving.
pub async fn build_state(
    settings: Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(AppState, Option<Arc<LogSmsSender>>)> {
    let db = db::connect(&settings.database).await?;
    if settings.database.migrate_on_start {
        db::migrate(&db).await?;
    }
    let backends = Backends::connect(&settings.redis).await?;
    let jwt = JwtKeys::from_settings(&settings.auth, settings.app.mode)?;
    let sms_log = match settings.sms.provider {
        SmsProvider::Log => Some(Arc::new(LogSmsSender::default())),
        SmsProvider::Disabled => None,
    };
    let sender = sms_log.clone().map(|s| s as Arc<dyn SmsSender>);
    // Code hashes are keyed per deployment, so a leaked store does not give codes away to a
    // brute force of six digits alone.
    let pepper = jwt.derive_key("sms-login-code");
    let sms = SmsCodes::new(sender, backends.clone(), pepper, &settings.auth);
    let wechat = WechatClient::new(&settings.wechat, backends.kv.clone(), backends.locks.clone())?;
    let jurisdiction = Jurisdiction::new(settings.geo.near_border_m)?;
    let blobs = blob_store::connect(&settings.media).await?;
    let media = MediaContext::from_settings(&settings.media, &jwt)?;
    crate::geo::categories::ensure_canonical(&db, clock.now()).await?;
    tracing::info!(
        database = %settings.database.backend()?,
        kv = backends.kv.backend(),
        bus = backends.bus.backend(),
        media_store = blobs.backend(),
        media_workers = media.pool.workers(),
        sms = ?settings.sms.provider,
        "backends ready"
    );
    let hub = Hub::new(settings.chat.ws_queue_events);
    let state = AppState::new(settings, db, backends, jwt, sms, wechat, clock, jurisdiction, blobs, media, hub);
    // A region tree that no longer validates must not keep the service down: log it loudly and
    // serve with an empty index (every report then lands in the unrouted queue for dispatchers).
    crate::intake::service::register(&state);
    crate::notifications::wechat::register(&state);
    match state.jurisdiction().reload(state.db()).await {
        Ok(regions) => tracing::info!(regions, "region index built"),
        Err(e) => tracing::error!(error = %format!("{e:#}"), "region index NOT built; reports will be unrouted"),
    }

    Ok((state, sms_log))
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let settings = state.settings().clone();
    let metrics = web::Data::new(Metrics::new()?);
    let document = web::Data::new(Document(routes::openapi_json()?));
    let json_limit = web::Data::new(JsonLimit(settings.server.json_limit_bytes));
    let state = web::Data::new(state);
    let origins = settings.server.cors_allowed_origins.clone();
    let mut server = HttpServer::new(move || {
        let app = App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(document.clone())
            .app_data(json_limit.clone())
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .app_data(web::JsonConfig::default().limit(json_limit.0).error_handler(error::json_error))
            .app_data(web::PayloadConfig::new(json_limit.0))
            .wrap(from_fn(crate::web::session::renew))
            .wrap(ErrorHandlers::new().default_handler(error::render_foreign_error))
            .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
            .wrap(from_fn(observability::observe));
        let (app, _) = routes::mount(app).split_for_parts();
        app.configure(openapi::configure)
            .configure(crate::web::configure)
            .default_service(web::to(crate::web::not_found))
    })
    .listen(listener)?
    .shutdown_timeout(settings.server.shutdown_timeout_secs);
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    Ok(server.run())
}

fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header("idempotency-key")
        .expose_headers([observability::REQUEST_ID, header::RETRY_AFTER])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return base.allow_any_origin();
    }
    origins.iter().fold(base, |c, o| c.allowed_origin(o))
}
