//! The route table: `/api/v1` assembled from each domain's `routes::configure`, the operations
//! endpoints, the OpenAPI document and the docs UI.

use actix_web::{
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    App, Error,
};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt, UtoipaApp};

use crate::{
    admin, auth, campaigns, chat, geo, health, intake, ledger, media, notifications, open311, openapi::ApiDoc, stats,
    tickets, webhooks,
};

/// Mounts every documented endpoint on `app`.
pub fn mount<T, B>(app: App<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Response = ServiceResponse<B>, Error = Error, InitError = ()>,
    B: MessageBody,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(health::configure)
        .configure(media::routes::configure_serving)
        .configure(intake::wechat::configure)
        .service(
            scope("/api/v1")
                .configure(auth::routes::configure)
                .configure(geo::routes::configure)
                .configure(admin::routes::configure)
                .configure(media::routes::configure)
                .configure(tickets::routes::configure)
                .configure(ledger::routes::configure)
                .configure(campaigns::routes::configure)
                .configure(stats::routes::configure)
                .configure(chat::routes::configure)
                .configure(notifications::routes::configure)
                .configure(open311::key_routes::configure)
                .configure(webhooks::routes::configure)
                .configure(intake::routes::configure)
                .configure(chat::ws::configure),
        )
        .service(scope("/open311/v2").configure(open311::routes::configure))
}

/// The OpenAPI document as JSON (built once at start-up, and by the snapshot test).
pub fn openapi_json() -> anyhow::Result<String> {
    let (_, doc) = mount(App::new()).split_for_parts();
    Ok(doc.to_pretty_json()?)
}
