//! `AppState`: the infrastructure every handler may use. The only thing in `web::Data`.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{jwt::JwtKeys, sms::SmsCodes},
    chat::{handler::Handlers, hub::Hub},
    clock::Clock,
    config::Settings,
    geo::service::Jurisdiction,
    infra::{Backends, BlobStore},
    media::service::MediaContext,
    notifications::channel::Channels,
    wechat::WechatClient,
};

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    db: DatabaseConnection,
    backends: Backends,
    jwt: JwtKeys,
    sms: SmsCodes,
    wechat: WechatClient,
    clock: Arc<dyn Clock>,
    jurisdiction: Jurisdiction,
    blobs: Arc<dyn BlobStore>,
    media: MediaContext,
    channels: Channels,
    hub: Hub,
    handlers: Handlers,
    intake: crate::intake::understand::Cache,
}

impl AppState {
    /// Assembles the state.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        settings: Settings,
        db: DatabaseConnection,
        backends: Backends,
        jwt: JwtKeys,
        sms: SmsCodes,
        wechat: WechatClient,
        clock: Arc<dyn Clock>,
        jurisdiction: Jurisdiction,
        blobs: Arc<dyn BlobStore>,
        media: MediaContext,
        hub: Hub,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings,
                db,
                backends,
                jwt,
                sms,
                wechat,
                clock,
                jurisdiction,
                blobs,
                media,
                channels: Channels::default(),
                hub,
                handlers: Handlers::default(),
                intake: crate::intake::understand::Cache::default(),
            }),
        }
    }

    /// Loaded configuration.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Database pool.
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// Key-value store, bus, locks, rate limits.
    pub fn backends(&self) -> &Backends {
        &self.inner.backends
    }

    /// Access-token keys.
    pub fn jwt(&self) -> &JwtKeys {
        &self.inner.jwt
    }

    /// SMS login codes.
    pub fn sms(&self) -> &SmsCodes {
        &self.inner.sms
    }

    /// WeChat API client.
    pub fn wechat(&self) -> &WechatClient {
        &self.inner.wechat
    }

    /// The region index (owned by `geo`; held here so handlers can reach it).
    pub fn jurisdiction(&self) -> &Jurisdiction {
        &self.inner.jurisdiction
    }

    /// Where photo bytes are kept (local directory or S3-compatible bucket).
    pub fn blobs(&self) -> &dyn BlobStore {
        self.inner.blobs.as_ref()
    }

    /// The media pipeline's pool, URL signer and limits (owned by `media`; held here so handlers can reach it).
    pub fn media(&self) -> &MediaContext {
        &self.inner.media
    }

    /// External notification channels (none until registered).
    pub fn channels(&self) -> &Channels {
        &self.inner.channels
    }

    /// This instance's WebSocket sessions (owned by `chat`; held here so handlers can reach it).
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// Handlers of conversation kinds (the intake bot registers itself for `intake`).
    pub fn conversation_handlers(&self) -> &Handlers {
        &self.inner.handlers
    }

    /// The intake's vocabulary and gazetteer, cached per reference-data version (owned by `intake`).
    pub fn intake(&self) -> &crate::intake::understand::Cache {
        &self.inner.intake
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }
}
