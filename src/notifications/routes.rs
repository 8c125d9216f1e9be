//! HTTP: the caller's notification preferences.

use actix_web::{get, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{NotificationPreferencesView, UpdateNotificationPreferencesRequest},
    prefs::{self, Prefs},
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the notification endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_notification_preferences).service(update_notification_preferences);
}

/// The caller's notification preferences (nothing muted and no quiet hours until set).
#[utoipa::path(
    tag = "notifications",
    responses(
        (status = 200, description = "Preferences", body = NotificationPreferencesView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/notification-preferences")]
async fn get_notification_preferences(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let prefs = prefs::load(state.db(), user.id).await?;
    Ok(HttpResponse::Ok().json(NotificationPreferencesView::from(&prefs)))
}

/// Replaces the caller's notification preferences: muted kinds are not pushed (the ticket thread
/// still records them); during quiet hours only urgent notices, emergencies and escalations are.
#[utoipa::path(
    tag = "notifications",
    request_body = UpdateNotificationPreferencesRequest,
    responses(
        (status = 200, description = "Preferences as stored", body = NotificationPreferencesView),
        (status = 400, description = "`invalid_json`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a time is not `HH:MM`, or an unknown kind", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/me/notification-preferences")]
async fn update_notification_preferences(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<UpdateNotificationPreferencesRequest>,
) -> Result<HttpResponse, ApiError> {
    let wanted = Prefs::try_from(body.into_inner())?;
    prefs::save(state.db(), user.id, &wanted, state.clock().now()).await?;
    Ok(HttpResponse::Ok().json(NotificationPreferencesView::from(&wanted)))
}
