//! Chat use cases: ticket threads that follow the ticket's people, sending (idempotent by the
//! client's message id, sequenced per conversation under the conversation's row lock), recall,
//! paging, read cursors and the conversation list. Every change is published on the bus for the
//! WebSocket hubs of all instances.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{conversation, conversation_member, message, ticket, ticket_department, ticket_follower, user_role};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

use super::dto::{
    Content, ConversationView, MessagePage, MessageView, MessagesQuery, OpenConversationRequest, SendMessageRequest,
    ServerEvent, Visibility,
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    infra::{db::is_unique_violation, rate_limit::Decision},
    media::service::{attach, Attachment},
    state::AppState,
    tickets::{access::Viewer, service::visible_row},
};

/// Bus topic carrying [`Envelope`]s to the WebSocket hubs.
pub const TOPIC: &str = "chat.events";

/// A server event and who may receive it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Users to push it to (connected ones get it; the rest read it on their next fetch).
    pub recipients: Vec<Uuid>,
    /// The event.
    pub event: ServerEvent,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

fn not_found() -> ApiError {
    ApiError::not_found("conversation_not_found", "no such conversation")
}

/// Publishes an event to `recipients`; failures are logged (clients catch up by sequence number).
pub async fn publish(state: &AppState, recipients: Vec<Uuid>, event: ServerEvent) {
    if recipients.is_empty() {
        return;
    }
    let envelope = Envelope { recipients, event };
    match serde_json::to_string(&envelope) {
        Ok(payload) => {
            if let Err(e) = state.backends().bus.publish(TOPIC, &payload).await {
                tracing::warn!(error = %format!("{e:#}"), "could not publish a chat event; clients catch up on reconnect");
            }
        }
        Err(e) => tracing::error!(error = %e, "could not encode a chat event"),
    }
}

/// The view of a stored message (a recalled one keeps no content).
pub fn message_view(m: &message::Model) -> MessageView {
    MessageView {
        id: m.id,
        conversation_id: m.conversation_id,
        seq: m.seq,
        sender_id: m.sender_id,
        sender_role: m.sender_role.clone(),
        client_msg_id: m.client_msg_id.clone(),
        content: if m.recalled_at.is_some() { None } else { serde_json::from_str(&m.body).ok() },
        visibility: if m.visibility == "staff" { Visibility::Staff } else { Visibility::All },
        recalled_at: m.recalled_at,
        created_at: m.created_at,
    }
}

/// Who is in a conversation now: `(user, staff)` of members who have not left.
pub async fn active_members<C: ConnectionTrait>(db: &C, conversation: Uuid) -> Result<Vec<(Uuid, bool)>, DbErr> {
    // Two columns, not whole rows: a broadcast thread may have thousands of members.
    conversation_member::Entity::find()
        .select_only()
        .columns([conversation_member::Column::UserId, conversation_member::Column::Staff])
        .filter(conversation_member::Column::ConversationId.eq(conversation))
        .filter(conversation_member::Column::LeftAt.is_null())
        .into_tuple()
        .all(db)
        .await
}

/// Recipients of a message: active members, staff only for internal notes.
pub async fn recipients<C: ConnectionTrait>(db: &C, m: &message::Model) -> Result<Vec<Uuid>, DbErr> {
    let staff_only = m.visibility == "staff";
    Ok(active_members(db, m.conversation_id)
        .await?
        .into_iter()
        .filter(|(_, s)| *s || !staff_only)
        .map(|(u, _)| u)
        .collect())
}

/// The ticket's thread, created on first use.
pub async fn ticket_conversation<C: ConnectionTrait>(
    db: &C,
    ticket: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<conversation::Model, DbErr> {
    conversation::Entity::insert(conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set("ticket".to_owned()),
        ticket_id: Set(Some(ticket.id)),
        owner_id: Set(Some(ticket.reporter_id)),
        channel: Set(None),
        open_slot: Set(None),
        title: Set(Some(ticket.number.clone())),
        last_seq: Set(0),
        last_message_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(conversation::Column::TicketId).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    conversation::Entity::find()
        .filter(conversation::Column::TicketId.eq(ticket.id))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("conversation of ticket {}", ticket.id)))
}

/// Makes the thread's members follow the ticket: the reporter, followers, the grid worker and the
/// staff of the responsible and co-handling departments join; staff no longer assigned leave
/// (their history stays readable).
pub async fn sync_ticket_members<C: ConnectionTrait>(
    db: &C,
    conversation: Uuid,
    ticket: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut want: Vec<(Uuid, &str, bool)> = vec![(ticket.reporter_id, "reporter", false)];
    for f in ticket_follower::Entity::find().filter(ticket_follower::Column::TicketId.eq(ticket.id)).all(db).await? {
        want.push((f.user_id, "follower", false));
    }
    if let Some(worker) = ticket.grid_worker_id {
        want.push((worker, "grid_worker", true));
    }
    let mut departments: Vec<Uuid> = ticket.department_id.into_iter().collect();
    departments.extend(
        ticket_department::Entity::find()
            .filter(ticket_department::Column::TicketId.eq(ticket.id))
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.department_id),
    );
    if !departments.is_empty() {
        for grant in user_role::Entity::find()
            .filter(user_role::Column::Role.eq(Role::DeptStaff.as_str()))
            .filter(user_role::Column::DepartmentId.is_in(departments))
            .all(db)
            .await?
        {
            want.push((grant.user_id, "dept_staff", true));
        }
    }
    let current = conversation_member::Entity::find()
        .filter(conversation_member::Column::ConversationId.eq(conversation))
        .all(db)
        .await?;
    for (user, role, staff) in &want {
        match current.iter().find(|m| m.user_id == *user) {
            None => {
                conversation_member::Entity::insert(conversation_member::ActiveModel {
                    conversation_id: Set(conversation),
                    user_id: Set(*user),
                    role: Set((*role).to_owned()),
                    staff: Set(*staff),
                    last_read_seq: Set(0),
                    joined_at: Set(now),
                    left_at: Set(None),
                })
                .on_conflict(
                    OnConflict::columns([
                        conversation_member::Column::ConversationId,
                        conversation_member::Column::UserId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
            }
            Some(m) if m.left_at.is_some() => {
                set_left(db, conversation, *user, None).await?;
            }
            Some(_) => {}
        }
    }
    for m in current.iter().filter(|m| m.left_at.is_none() && m.staff && m.role != "member") {
        if !want.iter().any(|(u, _, _)| *u == m.user_id) {
            set_left(db, conversation, m.user_id, Some(now)).await?;
        }
    }
    Ok(())
}

async fn set_left<C: ConnectionTrait>(
    db: &C,
    conversation: Uuid,
    user: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LeftAt, Expr::value(at))
        .filter(conversation_member::Column::ConversationId.eq(conversation))
        .filter(conversation_member::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Appends a message under the conversation's row lock (the sequence has no gaps). Call in a transaction.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    conversation: Uuid,
    sender: Option<(Uuid, &str)>,
    client_msg_id: Option<&str>,
    content: &Content,
    visibility: Visibility,
    now: DateTime<Utc>,
) -> Result<message::Model, DbErr> {
    // An i64 like `append_many`'s: PostgreSQL connections cache the statement with its parameter
    // type, and an i32 here after an i64 there (same SQL text) is refused.
    let bumped = conversation::Entity::update_many()
        .col_expr(conversation::Column::LastSeq, Expr::col(conversation::Column::LastSeq).add(1_i64))
        .col_expr(conversation::Column::LastMessageAt, Expr::value(now))
        .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
        .filter(conversation::Column::Id.eq(conversation))
        .exec(db)
        .await?;
    if bumped.rows_affected != 1 {
        return Err(DbErr::RecordNotFound(format!("conversation {conversation}")));
    }
    let seq: i64 = conversation::Entity::find_by_id(conversation)
        .select_only()
        .column(conversation::Column::LastSeq)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("conversation {conversation}")))?;
    let row = message::Model {
        id: Uuid::now_v7(),
        conversation_id: conversation,
        seq,
        sender_id: sender.map(|s| s.0),
        sender_role: sender.map_or("system", |s| s.1).to_owned(),
        client_msg_id: client_msg_id.map(str::to_owned),
        kind: content.kind().to_owned(),
        body: serde_json::to_string(content).map_err(|e| DbErr::Custom(e.to_string()))?,
        visibility: visibility.as_str().to_owned(),
        recalled_at: None,
        created_at: now,
    };
    message::Entity::insert(sea_orm::IntoActiveModel::into_active_model(row.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(row)
}

/// Appends several messages from one sender in order with one sequence bump and one insert (the bot's
/// replies to a turn). Call in a transaction.
pub async fn append_many<C: ConnectionTrait>(
    db: &C,
    conversation: Uuid,
    sender_role: &str,
    contents: &[Content],
    now: DateTime<Utc>,
) -> Result<Vec<message::Model>, DbErr> {
    let Ok(count) = i64::try_from(contents.len()) else {
        return Err(DbErr::Custom("too many messages".into()));
    };
    if count == 0 {
        return Ok(Vec::new());
    }
    let bumped = conversation::Entity::update_many()
        .col_expr(conversation::Column::LastSeq, Expr::col(conversation::Column::LastSeq).add(count))
        .col_expr(conversation::Column::LastMessageAt, Expr::value(now))
        .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
        .filter(conversation::Column::Id.eq(conversation))
        .exec(db)
        .await?;
    if bumped.rows_affected != 1 {
        return Err(DbErr::RecordNotFound(format!("conversation {conversation}")));
    }
    let last: i64 = conversation::Entity::find_by_id(conversation)
        .select_only()
        .column(conversation::Column::LastSeq)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("conversation {conversation}")))?;
    let mut rows = Vec::with_capacity(contents.len());
    for (seq, content) in (last - count + 1..).zip(contents) {
        rows.push(message::Model {
            id: Uuid::now_v7(),
            conversation_id: conversation,
            seq,
            sender_id: None,
            sender_role: sender_role.to_owned(),
            client_msg_id: None,
            kind: content.kind().to_owned(),
            body: serde_json::to_string(content).map_err(|e| DbErr::Custom(e.to_string()))?,
            visibility: Visibility::All.as_str().to_owned(),
            recalled_at: None,
            created_at: now,
        });
    }
    message::Entity::insert_many(rows.iter().cloned().map(sea_orm::IntoActiveModel::into_active_model))
        .exec_without_returning(db)
        .await?;
    Ok(rows)
}

/// The caller's standing in a conversation.
pub struct Access {
    /// The conversation.
    pub conversation: conversation::Model,
    /// Their membership, if they are a member.
    pub member: Option<conversation_member::Model>,
    /// Whether they see staff-only messages.
    pub staff: bool,
}

/// 404 unless the caller is a member, or (for a ticket thread) may see the ticket.
pub async fn access(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Access, ApiError> {
    let conversation = conversation::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let member = conversation_member::Entity::find_by_id((id, viewer.id)).one(state.db()).await?;
    if let Some(m) = &member {
        let staff = m.staff;
        return Ok(Access { conversation, member, staff });
    }
    if let Some(ticket) = conversation.ticket_id {
        // Staff handling the ticket (a dispatcher of its area, say) read its thread without being members.
        if let Ok(row) = visible_row(state.db(), viewer, ticket).await {
            let co: Vec<Uuid> = ticket_department::Entity::find()
                .filter(ticket_department::Column::TicketId.eq(ticket))
                .all(state.db())
                .await?
                .into_iter()
                .map(|d| d.department_id)
                .collect();
            if viewer.handles(&row, &co) {
                return Ok(Access { conversation, member, staff: true });
            }
        }
    }
    Err(not_found())
}

fn check_content(state: &AppState, content: &Content) -> Result<(), ApiError> {
    let max = state.settings().chat.max_text_chars;
    let text_ok = |field: &str, text: &str| {
        if text.trim().is_empty() {
            Err(invalid(field, "blank", "must not be blank"))
        } else if text.chars().count() > max {
            Err(invalid(field, "too_long", format!("at most {max} characters")))
        } else {
            Ok(())
        }
    };
    match content {
        Content::Text { text } => text_ok("text", text),
        Content::Image { .. } => Ok(()),
        Content::Location { lat, lng, label } => {
            crate::geo::point::GeoPoint::parse(*lat, *lng)
                .map_err(|e| invalid("lat", "out_of_range", e.to_string()))?;
            match label {
                Some(l) if l.chars().count() > 200 => Err(invalid("label", "too_long", "at most 200 characters")),
                _ => Ok(()),
            }
        }
        Content::Card { title, .. } => text_ok("title", title),
        Content::System { .. } => Err(invalid("type", "not_allowed", "system messages are written by the server")),
    }
}

/// Sends a message; `Ok((message, false))` when the same `client_msg_id` was sent before.
pub async fn send(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: SendMessageRequest,
) -> Result<(MessageView, bool), ApiError> {
    let client_id = req.client_msg_id.trim();
    if client_id.is_empty() || client_id.len() > 64 {
        return Err(invalid("client_msg_id", "invalid", "1–64 characters"));
    }
    let access = access(state, viewer, id).await?;
    if let Some(existing) = by_client_id(state, viewer.id, client_id).await? {
        return if existing.conversation_id == id {
            Ok((message_view(&existing), false))
        } else {
            Err(invalid("client_msg_id", "reused", "this client_msg_id was used in another conversation"))
        };
    }
    if req.visibility == Visibility::Staff && !access.staff {
        return Err(invalid("visibility", "staff_only", "only staff write internal notes"));
    }
    check_content(state, &req.content)?;
    let settings = &state.settings().chat;
    let window = Duration::from_secs(60);
    if let Decision::Limited { retry_after_secs } =
        state.backends().limiter.hit(&format!("chat:send:{}", viewer.id), settings.messages_per_minute, window).await?
    {
        return Err(ApiError::too_many_requests("too_many_messages", "slow down: too many messages", retry_after_secs));
    }
    let now = state.clock().now();
    let role = access.member.as_ref().map_or_else(|| staff_role(viewer), |m| m.role.clone());
    let txn = state.db().begin().await?;
    if access.member.is_none() {
        conversation_member::Entity::insert(conversation_member::ActiveModel {
            conversation_id: Set(id),
            user_id: Set(viewer.id),
            role: Set(role.clone()),
            staff: Set(access.staff),
            last_read_seq: Set(0),
            joined_at: Set(now),
            left_at: Set(None),
        })
        .on_conflict(
            OnConflict::columns([conversation_member::Column::ConversationId, conversation_member::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let row = match append(&txn, id, Some((viewer.id, &role)), Some(client_id), &req.content, req.visibility, now).await
    {
        Ok(row) => row,
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            let existing = by_client_id(state, viewer.id, client_id)
                .await?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("message vanished")))?;
            return Ok((message_view(&existing), false));
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    if let Content::Image { media_id } = &req.content {
        attach(state, *media_id, Attachment::Message(row.id)).await?;
    }
    let view = message_view(&row);
    publish(state, recipients(state.db(), &row).await?, ServerEvent::Message { message: view.clone() }).await;
    if let Some(handler) = state.conversation_handlers().get(&access.conversation.kind) {
        // The message is stored whatever the handler does; a failed turn is retried with the next message.
        if let Err(e) = handler.on_message(state, &access.conversation, &row).await {
            tracing::error!(conversation = %id, message = %row.id, error = %e, "conversation handler failed");
        }
    }
    Ok((view, true))
}

fn staff_role(viewer: &Viewer) -> String {
    [Role::Dispatcher, Role::Admin, Role::DeptStaff, Role::GridWorker]
        .into_iter()
        .find(|r| viewer.has(*r))
        .map_or("member", |r| r.as_str())
        .to_owned()
}

async fn by_client_id(state: &AppState, sender: Uuid, client_id: &str) -> Result<Option<message::Model>, DbErr> {
    message::Entity::find()
        .filter(message::Column::SenderId.eq(sender))
        .filter(message::Column::ClientMsgId.eq(client_id))
        .one(state.db())
        .await
}

/// Recalls the caller's own message within `chat.recall_window_secs`; it stays in history as recalled.
pub async fn recall(state: &AppState, viewer: &Viewer, id: Uuid, message_id: Uuid) -> Result<MessageView, ApiError> {
    access(state, viewer, id).await?;
    let m = message::Entity::find_by_id(message_id)
        .one(state.db())
        .await?
        .filter(|m| m.conversation_id == id)
        .ok_or_else(|| ApiError::not_found("message_not_found", "no such message"))?;
    if m.sender_id != Some(viewer.id) {
        return Err(ApiError::forbidden("only the sender may recall a message"));
    }
    if m.recalled_at.is_some() {
        return Ok(message_view(&m));
    }
    let now = state.clock().now();
    let window = TimeDelta::seconds(i64::try_from(state.settings().chat.recall_window_secs).unwrap_or(i64::MAX));
    if now - m.created_at > window {
        return Err(ApiError::conflict("recall_window_passed", "messages can be recalled within 2 minutes"));
    }
    message::Entity::update_many()
        .col_expr(message::Column::RecalledAt, Expr::value(now))
        .filter(message::Column::Id.eq(message_id))
        .filter(message::Column::RecalledAt.is_null())
        .exec(state.db())
        .await?;
    let m = message::Entity::find_by_id(message_id).one(state.db()).await?.ok_or_else(not_found)?;
    let view = message_view(&m);
    publish(state, recipients(state.db(), &m).await?, ServerEvent::Message { message: view.clone() }).await;
    Ok(view)
}

/// A page of messages by sequence number, ascending; residents never see staff notes.
pub async fn messages(state: &AppState, viewer: &Viewer, id: Uuid, q: &MessagesQuery) -> Result<MessagePage, ApiError> {
    let access = access(state, viewer, id).await?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(invalid("limit", "out_of_range", "between 1 and 200"));
    }
    let mut query = message::Entity::find().filter(message::Column::ConversationId.eq(id));
    if !access.staff {
        query = query.filter(message::Column::Visibility.eq("all"));
    }
    if let Some(after) = q.after {
        query = query.filter(message::Column::Seq.gt(after));
    }
    if let Some(before) = q.before {
        query = query.filter(message::Column::Seq.lt(before));
    }
    let newest_first = q.before.is_some() || q.after.is_none();
    let query =
        if newest_first { query.order_by_desc(message::Column::Seq) } else { query.order_by_asc(message::Column::Seq) };
    let mut rows = query.limit(limit + 1).all(state.db()).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if newest_first {
        rows.reverse();
    }
    Ok(MessagePage { items: rows.iter().map(message_view).collect(), has_more })
}

/// Moves the caller's read cursor forward (never back, never past the last message).
pub async fn mark_read(state: &AppState, viewer: &Viewer, id: Uuid, seq: i64) -> Result<i64, ApiError> {
    let access = access(state, viewer, id).await?;
    let Some(member) = access.member else {
        return Err(ApiError::conflict("not_a_member", "only members keep a read cursor"));
    };
    let seq = seq.clamp(0, access.conversation.last_seq);
    if seq <= member.last_read_seq {
        return Ok(member.last_read_seq);
    }
    conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LastReadSeq, Expr::value(seq))
        .filter(conversation_member::Column::ConversationId.eq(id))
        .filter(conversation_member::Column::UserId.eq(viewer.id))
        .filter(conversation_member::Column::LastReadSeq.lt(seq))
        .exec(state.db())
        .await?;
    let members = active_members(state.db(), id).await?.into_iter().map(|(u, _)| u).collect();
    publish(state, members, ServerEvent::Read { conversation_id: id, user_id: viewer.id, seq }).await;
    Ok(seq)
}

/// The caller's conversations, most recent first, with the last visible message and unread count.
pub async fn conversations(state: &AppState, viewer: &Viewer) -> Result<Vec<ConversationView>, ApiError> {
    let memberships = conversation_member::Entity::find()
        .filter(conversation_member::Column::UserId.eq(viewer.id))
        .all(state.db())
        .await?;
    let ids: Vec<Uuid> = memberships.iter().map(|m| m.conversation_id).collect();
    let mut convs = conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(ids))
        .order_by_desc(conversation::Column::UpdatedAt)
        .limit(200)
        .all(state.db())
        .await?;
    convs.sort_by(|a, b| b.last_message_at.cmp(&a.last_message_at).then(b.updated_at.cmp(&a.updated_at)));
    let mut out = Vec::with_capacity(convs.len());
    for c in convs {
        let Some(m) = memberships.iter().find(|m| m.conversation_id == c.id) else { continue };
        let visible = |q: sea_orm::Select<message::Entity>| {
            let q = q.filter(message::Column::ConversationId.eq(c.id));
            if m.staff {
                q
            } else {
                q.filter(message::Column::Visibility.eq("all"))
            }
        };
        let last = visible(message::Entity::find()).order_by_desc(message::Column::Seq).one(state.db()).await?;
        let unread = visible(message::Entity::find())
            .filter(message::Column::Seq.gt(m.last_read_seq))
            .filter(message::Column::SenderId.ne(viewer.id).or(message::Column::SenderId.is_null()))
            .count(state.db())
            .await?;
        out.push(ConversationView {
            id: c.id,
            kind: c.kind.clone(),
            ticket_id: c.ticket_id,
            title: c.title.clone(),
            role: m.role.clone(),
            last_seq: c.last_seq,
            last_read_seq: m.last_read_seq,
            unread,
            last_message: last.as_ref().map(message_view),
        });
    }
    Ok(out)
}

/// Most members of a direct conversation besides its creator.
pub const MAX_DIRECT_MEMBERS: usize = 50;

/// What to create: kind, open slot, channel, title and `(member, role, staff)`.
type Plan<'a> = (&'a str, Option<String>, Option<String>, Option<String>, Vec<(Uuid, &'a str, bool)>);

/// Opens (or finds) a conversation: the caller's open intake conversation on a channel, or a staff
/// direct conversation. `Ok((id, created))`.
pub async fn open(state: &AppState, viewer: &Viewer, req: OpenConversationRequest) -> Result<(Uuid, bool), ApiError> {
    let now = state.clock().now();
    let plan: Plan<'_> = match req {
        OpenConversationRequest::Intake { channel } => {
            let channel = channel.unwrap_or_else(|| "app".to_owned());
            if !matches!(channel.as_str(), "app" | "wechat") {
                return Err(invalid("channel", "unknown_channel", "`app` or `wechat`"));
            }
            let slot = format!("intake:{}:{channel}", viewer.id);
            ("intake", Some(slot), Some(channel), None, vec![(viewer.id, "reporter", false)])
        }
        OpenConversationRequest::Direct { members, title } => {
            if !viewer.is_staff() {
                return Err(ApiError::forbidden("direct conversations are for staff"));
            }
            let mut others: Vec<Uuid> = Vec::new();
            for m in members {
                if m != viewer.id && !others.contains(&m) {
                    others.push(m);
                }
            }
            if others.is_empty() || others.len() > MAX_DIRECT_MEMBERS {
                return Err(invalid("members", "out_of_range", format!("1–{MAX_DIRECT_MEMBERS} other staff members")));
            }
            let staff: Vec<Uuid> = user_role::Entity::find()
                .filter(user_role::Column::UserId.is_in(others.clone()))
                .filter(user_role::Column::Role.ne(Role::Resident.as_str()))
                .all(state.db())
                .await?
                .into_iter()
                .map(|g| g.user_id)
                .collect();
            if let Some(missing) = others.iter().find(|m| !staff.contains(m)) {
                return Err(invalid("members", "not_staff", format!("{missing} is not a staff member")));
            }
            let title = title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
            if title.as_ref().is_some_and(|t| t.chars().count() > 100) {
                return Err(invalid("title", "too_long", "at most 100 characters"));
            }
            // Two people have one conversation; groups are new each time.
            let slot = match others.as_slice() {
                [other] => Some(format!("direct:{}:{}", viewer.id.min(*other), viewer.id.max(*other))),
                _ => None,
            };
            let mut all = vec![(viewer.id, "member", true)];
            all.extend(others.into_iter().map(|m| (m, "member", true)));
            ("direct", slot, None, title, all)
        }
    };
    let (kind, slot, channel, title, members) = plan;
    let txn = state.db().begin().await?;
    let id = Uuid::now_v7();
    let inserted = conversation::Entity::insert(conversation::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        ticket_id: Set(None),
        owner_id: Set(Some(viewer.id)),
        channel: Set(channel),
        open_slot: Set(slot.clone()),
        title: Set(title),
        last_seq: Set(0),
        last_message_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(conversation::Column::OpenSlot).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        let existing = conversation::Entity::find()
            .filter(conversation::Column::OpenSlot.eq(slot))
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("open conversation vanished")))?;
        txn.commit().await?;
        return Ok((existing.id, false));
    }
    for (user, role, staff) in members {
        conversation_member::Entity::insert(conversation_member::ActiveModel {
            conversation_id: Set(id),
            user_id: Set(user),
            role: Set(role.to_owned()),
            staff: Set(staff),
            last_read_seq: Set(0),
            joined_at: Set(now),
            left_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    if let Some(handler) = state.conversation_handlers().get(kind) {
        if let Some(row) = conversation::Entity::find_by_id(id).one(state.db()).await? {
            if let Err(e) = handler.on_open(state, &row).await {
                tracing::error!(conversation = %id, error = %e, "conversation handler failed on open");
            }
        }
    }
    Ok((id, true))
}

/// One conversation as it appears in the caller's list.
pub async fn conversation_view(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<ConversationView, ApiError> {
    conversations(state, viewer).await?.into_iter().find(|c| c.id == id).ok_or_else(not_found)
}
