//! HTTP: the caller's conversations, paging messages, sending, recalling and read cursors.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{
        ConversationPath, ConversationView, MessagePage, MessagePath, MessageView, MessagesQuery,
        OpenConversationRequest, ReadRequest, SendMessageRequest,
    },
    service,
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
    tickets::routes::viewer,
};

/// Mounts the chat endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_conversations)
        .service(open_conversation)
        .service(list_messages)
        .service(send_message)
        .service(recall_message)
        .service(mark_read);
}

/// The caller's conversations, most recent first, each with its last message and unread count.
#[utoipa::path(
    tag = "chat",
    responses(
        (status = 200, description = "Conversations", body = [ConversationView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/conversations")]
async fn list_conversations(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::conversations(&state, &viewer).await?))
}

/// Open a conversation: `{"kind": "intake", "channel": "app"}` returns the caller's open conversation
/// with the intake bot (one per user and channel), `{"kind": "direct", "members": [...]}` one between
/// staff (two people share one; a group is new each time). 201 when created, 200 when found.
#[utoipa::path(
    tag = "chat",
    request_body = OpenConversationRequest,
    responses(
        (status = 201, description = "Opened", body = ConversationView),
        (status = 200, description = "Already open", body = ConversationView),
        (status = 400, description = "`invalid_body`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Direct conversations are for staff", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown channel, members not staff or too many, title too long", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/conversations")]
async fn open_conversation(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<OpenConversationRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    let (id, created) = service::open(&state, &viewer, body.into_inner()).await?;
    let view = service::conversation_view(&state, &viewer, id).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(view))
}

/// Messages by sequence number: `after=N` pages forward, `before=N` (or nothing: the newest) pages
/// back; always returned oldest first. Staff notes are never shown to residents.
#[utoipa::path(
    tag = "chat",
    params(ConversationPath, MessagesQuery),
    responses(
        (status = 200, description = "A page", body = MessagePage),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`conversation_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/conversations/{id}/messages")]
async fn list_messages(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<ConversationPath>,
    q: web::Query<MessagesQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::messages(&state, &viewer, path.id, &q).await?))
}

/// Send a message. A retry with the same `client_msg_id` answers 200 with the stored message
/// instead of 201 with a new one.
#[utoipa::path(
    tag = "chat",
    params(ConversationPath),
    request_body = SendMessageRequest,
    responses(
        (status = 201, description = "Sent", body = MessageView),
        (status = 200, description = "Sent before with this `client_msg_id`", body = MessageView),
        (status = 400, description = "`invalid_body`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`conversation_not_found`, `media_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Blank or too long text, bad place, staff note by a resident, reused `client_msg_id`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_messages`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/conversations/{id}/messages")]
async fn send_message(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<ConversationPath>,
    body: ApiJson<SendMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    let (message, created) = service::send(&state, &viewer, path.id, body.into_inner()).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(message))
}

/// Recall one's own message within two minutes (撤回); it stays in history as recalled.
#[utoipa::path(
    tag = "chat",
    params(MessagePath),
    responses(
        (status = 200, description = "Recalled", body = MessageView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not the sender", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`conversation_not_found`, `message_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`recall_window_passed`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/conversations/{id}/messages/{message_id}/recall")]
async fn recall_message(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::recall(&state, &viewer, path.id, path.message_id).await?))
}

/// Mark everything up to `seq` read; the cursor never moves back.
#[utoipa::path(
    tag = "chat",
    params(ConversationPath),
    request_body = ReadRequest,
    responses(
        (status = 200, description = "The read cursor now", body = ReadRequest),
        (status = 400, description = "`invalid_body`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`conversation_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`not_a_member`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/conversations/{id}/read")]
async fn mark_read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<ConversationPath>,
    body: ApiJson<ReadRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    let seq = service::mark_read(&state, &viewer, path.id, body.into_inner().seq).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "seq": seq })))
}
