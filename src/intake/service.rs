//! The shell around the conversation engine: sessions in the key-value store, one turn at a time per
//! conversation, effects through the one write path (`tickets::service`), replies as chat messages.
//!
//! A turn, for a message the person posted to their `intake` conversation:
//! 1. take the conversation's turn lock (`intake:turn:{id}`; waits up to `intake.turn_wait_ms` for the
//!    previous message's turn, so messages are answered one at a time, in order);
//! 2. read the session (one KV GET) and the messages not yet answered: normally just this one (its
//!    sequence number follows the last one the bot wrote); after a crash or a turn that gave up
//!    waiting, every later message of the person, in sequence order;
//! 3. run the engine on each, carrying out its effects (creating the ticket with the idempotency key
//!    `intake:{message id}`, so a turn run again after a crash files nothing twice) and feeding their
//!    outcomes back;
//! 4. write all replies in one transaction, save the session (one KV SET), release the lock, publish.
//!
//! A duplicate inbound (the same `client_msg_id`) never reaches the bot: chat answers it with the
//! stored message, so it is answered once.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{conversation, conversation_member, media, message, ticket, ticket_follower, user, user_role};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::role::Role,
    chat::{
        dto::{Content, QuickReply, ServerEvent},
        handler::ConversationHandler,
        service::{append_many, message_view, publish, recipients},
    },
    error::ApiError,
    geo::{
        point::{CoordSystem, GeoPoint},
        region::RegionLevel,
    },
    idempotency::{self, IdempotencyKey},
    infra::lock::LockGuard,
    intake::{
        machine::{self, Context, Effect, Inbound, Outcome, Point, Reply, Session, TicketBrief, TicketQuery},
        prompts::{self, Locale},
    },
    state::AppState,
    tickets::{
        access::Viewer,
        dto::{Channel, PositionInput, SubmitTicketRequest},
        duplicates,
        service::{self as tickets, Retry},
        status::TicketStatus,
    },
};

/// Most unanswered messages taken in one turn (after a long outage the rest wait for the next).
const MAX_PENDING: u64 = 20;
/// Most tickets listed for 我的上报.
const MAX_LISTED: u64 = 5;
/// Most dispatchers brought into a conversation handed to a person.
const MAX_HANDOFF: u64 = 20;

/// What the key-value store keeps per conversation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Stored {
    session: Session,
    /// Sequence number of the last message of the person that was answered.
    handled_seq: i64,
    /// Sequence number of the bot's last reply (the conversation's last when nothing came in between).
    last_seq: i64,
}

fn session_key(conversation: Uuid) -> String {
    format!("intake:session:{conversation}")
}

/// The bot as the handler of `intake` conversations.
pub struct IntakeBot;

/// Registers the bot for `intake` conversations.
pub fn register(state: &AppState) {
    state.conversation_handlers().register("intake", Arc::new(IntakeBot));
}

#[async_trait]
impl ConversationHandler for IntakeBot {
    async fn on_open(&self, state: &AppState, conversation: &conversation::Model) -> Result<(), ApiError> {
        let Some(owner) = conversation.owner_id else { return Ok(()) };
        let inbound = Inbound::Choice("#menu".into());
        with_turn(state, conversation, owner, |_| async { Ok(vec![(None, inbound)]) }).await
    }

    async fn on_message(
        &self,
        state: &AppState,
        conversation: &conversation::Model,
        message: &message::Model,
    ) -> Result<(), ApiError> {
        let Some(owner) = conversation.owner_id else { return Ok(()) };
        if message.sender_id != Some(owner) {
            // Staff who took over write here too; the bot does not answer them.
            return Ok(());
        }
        let message = message.clone();
        let conversation_id = conversation.id;
        with_turn(state, conversation, owner, move |stored| async move {
            let pending = unanswered(state, conversation_id, owner, &message, stored).await?;
            let mut inbounds = Vec::with_capacity(pending.len());
            for m in pending {
                if let Some(inbound) = inbound_of(state, &m).await? {
                    inbounds.push((Some(m), inbound));
                }
            }
            Ok(inbounds)
        })
        .await
    }
}

/// Runs one turn under the conversation's lock: the inbounds come from `collect`.
async fn with_turn<F, Fut>(
    state: &AppState,
    conversation: &conversation::Model,
    owner: Uuid,
    collect: F,
) -> Result<(), ApiError>
where
    F: FnOnce(Option<Stored>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(Option<message::Model>, Inbound)>, ApiError>>,
{
    let Some(guard) = turn_lock(state, conversation.id).await? else {
        tracing::warn!(conversation = %conversation.id, "intake turn lock busy; answered with the next message");
        return Ok(());
    };
    let result = turn(state, conversation, owner, collect).await;
    if let Err(e) = state.backends().locks.release(guard).await {
        tracing::warn!(error = %e, "intake turn lock release failed (it expires)");
    }
    result
}

async fn turn_lock(state: &AppState, conversation: Uuid) -> Result<Option<LockGuard>, ApiError> {
    let settings = &state.settings().intake;
    let name = format!("intake:turn:{conversation}");
    let ttl = Duration::from_millis(settings.turn_wait_ms.saturating_mul(3).max(30_000));
    let deadline = std::time::Instant::now() + Duration::from_millis(settings.turn_wait_ms);
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(guard) = state.backends().locks.try_acquire(&name, ttl).await? {
            return Ok(Some(guard));
        }
        if std::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

async fn turn<F, Fut>(
    state: &AppState,
    conversation: &conversation::Model,
    owner: Uuid,
    collect: F,
) -> Result<(), ApiError>
where
    F: FnOnce(Option<Stored>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(Option<message::Model>, Inbound)>, ApiError>>,
{
    let kv = &state.backends().kv;
    let key = session_key(conversation.id);
    let loaded: Option<Stored> = kv.get(&key).await?.and_then(|raw| serde_json::from_str(&raw).ok());
    let inbounds = collect(loaded.clone()).await?;
    if inbounds.is_empty() {
        return Ok(());
    }
    // The user's language is read every turn: switching it (on the web pages, say) changes the
    // next reply, even in the middle of a report.
    let mut stored = loaded.unwrap_or_default();
    stored.session.locale =
        user::Entity::find_by_id(owner).one(state.db()).await?.map_or(Locale::Zh, |u| Locale::from_tag(&u.locale));
    let reference = state.jurisdiction().reference();
    let names =
        |code: &str| reference.category(code).filter(|c| c.active).map(|c| (c.name_zh.clone(), c.name_en.clone()));
    // Cached per reference-data version; built off the async threads after a change.
    let cache = state.clone();
    let (lexicon, gazetteer) = tokio::task::spawn_blocking(move || {
        (crate::intake::understand::lexicon(&cache), crate::intake::understand::gazetteer(&cache))
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("intake vocabulary")))?;
    let campaign = if stored.session.stage == machine::Stage::Idle { campaign_for(state, owner).await? } else { None };
    let ctx = Context {
        lexicon: &lexicon,
        gazetteer: &gazetteer,
        category_names: &names,
        campaign: campaign.as_deref(),
        ttl: TimeDelta::seconds(i64::try_from(state.settings().intake.session_ttl_secs).unwrap_or(1800)),
        wechat: conversation.channel.as_deref() == Some("wechat"),
    };
    let mut exec =
        Executor { state, owner, conversation: conversation.id, viewer: None, channel: conversation.channel.clone() };
    let mut replies: Vec<Reply> = Vec::new();
    for (message, inbound) in inbounds {
        let now = state.clock().now();
        let cause = message.as_ref().map(|m| m.id);
        let mut session = std::mem::take(&mut stored.session);
        let mut queue = vec![inbound];
        // Effects feed their outcomes back; a bounded number of rounds guards against a loop.
        for _ in 0..8 {
            let Some(next) = queue.pop() else { break };
            let turn = machine::step(&ctx, session, next, now);
            session = turn.session;
            replies.extend(turn.replies);
            for effect in turn.effects {
                let outcome = exec.run(effect, cause, session.locale, now).await?;
                queue.insert(0, Inbound::Outcome(outcome));
            }
        }
        stored.session = session;
        if let Some(m) = message {
            stored.handled_seq = stored.handled_seq.max(m.seq);
            stored.last_seq = stored.last_seq.max(m.seq);
        }
    }
    let now = state.clock().now();
    let contents: Vec<Content> = replies.into_iter().map(content_of).collect();
    let txn = state.db().begin().await?;
    let rows = append_many(&txn, conversation.id, "bot", &contents, now).await?;
    txn.commit().await?;
    if let Some(last) = rows.last() {
        stored.last_seq = last.seq;
    }
    let keep = Duration::from_secs(state.settings().intake.draft_keep_hours.saturating_mul(3600));
    let raw = serde_json::to_string(&stored).map_err(|e| ApiError::internal(e.into()))?;
    kv.set(&key, &raw, keep).await?;
    if let Some(first) = rows.first() {
        let to = recipients(state.db(), first).await?;
        for row in &rows {
            publish(state, to.clone(), ServerEvent::Message { message: message_view(row) }).await;
        }
    }
    Ok(())
}

/// An active campaign (专项整治) in the person's area, for the greeting: the area of their latest
/// report (a person who never reported has none yet). Asked only when a greeting may follow.
async fn campaign_for(state: &AppState, owner: Uuid) -> Result<Option<String>, ApiError> {
    let path: Option<String> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::RegionPath)
        .filter(ticket::Column::ReporterId.eq(owner))
        .order_by_desc(ticket::Column::CreatedAt)
        .into_tuple()
        .one(state.db())
        .await?;
    let Some(path) = path else { return Ok(None) };
    let regions = crate::campaigns::service::regions_of_path(&path);
    let active = crate::campaigns::service::active_for(state, &regions, state.clock().now()).await?;
    Ok(active.into_iter().next().map(|c| c.name))
}

/// The person's messages not answered yet, in order: normally just `message`.
async fn unanswered(
    state: &AppState,
    conversation: Uuid,
    owner: Uuid,
    message: &message::Model,
    stored: Option<Stored>,
) -> Result<Vec<message::Model>, ApiError> {
    let Some(stored) = stored else {
        // No session (first message, or the store lost it): answer this message only.
        return Ok(vec![message.clone()]);
    };
    if message.seq <= stored.handled_seq {
        return Ok(Vec::new()); // a turn that waited for this lock answered it already
    }
    if message.seq == stored.last_seq + 1 {
        return Ok(vec![message.clone()]);
    }
    Ok(message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation))
        .filter(message::Column::Seq.gt(stored.handled_seq))
        .filter(message::Column::Seq.lte(message.seq.max(stored.last_seq + MAX_PENDING as i64)))
        .filter(message::Column::SenderId.eq(owner))
        .filter(message::Column::RecalledAt.is_null())
        .order_by_asc(message::Column::Seq)
        .limit(MAX_PENDING)
        .all(state.db())
        .await?)
}

/// What a stored message means to the engine (`None` for kinds it does not read).
async fn inbound_of(state: &AppState, m: &message::Model) -> Result<Option<Inbound>, ApiError> {
    if m.recalled_at.is_some() {
        return Ok(None);
    }
    let Ok(content) = serde_json::from_str::<Content>(&m.body) else { return Ok(None) };
    Ok(match content {
        Content::Text { text } if text.trim_start().starts_with('#') => Some(Inbound::Choice(text.trim().to_owned())),
        Content::Text { text } => Some(Inbound::Text(text)),
        Content::Image { media_id } => {
            let row = media::Entity::find_by_id(media_id).one(state.db()).await?;
            let gps =
                row.and_then(|r| Some((r.gps_lat?, r.gps_lng?))).and_then(|(lat, lng)| GeoPoint::parse(lat, lng).ok());
            // EXIF GPS is WGS-84; maps and the region tree are GCJ-02.
            let gcj = gps.map(|p| p.convert(CoordSystem::Wgs84, CoordSystem::Gcj02));
            Some(Inbound::Image {
                media_id,
                gps: gcj.map(|p| Point { lat: p.lat(), lng: p.lng() }),
                gps_label: gcj.and_then(|p| place_label(state, p)),
            })
        }
        Content::Location { lat, lng, label } => match GeoPoint::parse(lat, lng) {
            Ok(p) => Some(Inbound::Location {
                point: Point { lat: p.lat(), lng: p.lng() },
                label: label.filter(|l| !l.trim().is_empty()),
                located: place_label(state, p),
            }),
            Err(_) => Some(Inbound::Text(String::new())),
        },
        Content::Card { .. } | Content::System { .. } => None,
    })
}

/// `幸福社区第1网格（幸福社区 · 湖滨街道）` for a GCJ-02 point, if it is inside the region tree.
fn place_label(state: &AppState, p: GeoPoint) -> Option<String> {
    let located = state.jurisdiction().current().locate(p);
    let first = located.chain.first()?;
    let rest: Vec<&str> =
        located.chain.iter().skip(1).filter(|r| r.level != RegionLevel::District).map(|r| r.name.as_ref()).collect();
    Some(if rest.is_empty() { first.name.to_string() } else { format!("{}（{}）", first.name, rest.join(" · ")) })
}

fn content_of(reply: Reply) -> Content {
    match reply {
        Reply::Text(text) => Content::Text { text },
        Reply::Card { title, text, ticket_id, buttons } => Content::Card {
            title,
            text,
            ticket_id,
            quick_replies: buttons.into_iter().map(|b| QuickReply { label: b.label, value: b.value }).collect(),
        },
    }
}

/// Carries out effects for one person.
struct Executor<'a> {
    state: &'a AppState,
    owner: Uuid,
    conversation: Uuid,
    viewer: Option<Viewer>,
    channel: Option<String>,
}

/// The parts of a ticket view the bot reads.
#[derive(Deserialize)]
struct Submitted {
    ticket: SubmittedTicket,
}

#[derive(Deserialize)]
struct SubmittedTicket {
    id: Uuid,
}

impl Executor<'_> {
    async fn viewer(&mut self) -> Result<Viewer, ApiError> {
        if let Some(v) = &self.viewer {
            return Ok(v.clone());
        }
        let v = Viewer::load(self.state.db(), self.owner).await?;
        self.viewer = Some(v.clone());
        Ok(v)
    }

    async fn run(
        &mut self,
        effect: Effect,
        cause: Option<Uuid>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<Outcome, ApiError> {
        match effect {
            Effect::CreateTicket(draft) => self.create(draft, cause, locale, now).await,
            Effect::Follow { ticket_id } => {
                let viewer = self.viewer().await?;
                match tickets::follow(self.state, &viewer, ticket_id).await {
                    Ok(_) => Ok(Outcome::Followed(self.brief_of(ticket_id, locale).await?)),
                    Err(e) if e.status().is_client_error() => Ok(Outcome::Failed(e.to_string())),
                    Err(e) => Err(e),
                }
            }
            Effect::AddToTicket { ticket_id, text, media_id } => self.add(ticket_id, text, media_id, locale, now).await,
            Effect::HandOff { summary } => self.hand_off(&summary, now).await,
            Effect::Query(query) => self.query(query, locale).await,
        }
    }

    async fn create(
        &mut self,
        draft: machine::TicketDraft,
        cause: Option<Uuid>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<Outcome, ApiError> {
        let state = self.state;
        let point = GeoPoint::parse(draft.point.lat, draft.point.lng)
            .map_err(|e| ApiError::bad_request("invalid_location", e.to_string()))?;
        if draft.check_duplicates {
            let phashes: Vec<u64> = if draft.photos.is_empty() {
                Vec::new()
            } else {
                media::Entity::find()
                    .filter(media::Column::Id.is_in(draft.photos.clone()))
                    .all(state.db())
                    .await?
                    .into_iter()
                    .map(|m| u64::from_ne_bytes(m.phash.to_ne_bytes()))
                    .collect()
            };
            let settings = &state.settings().tickets;
            let search = duplicates::Search {
                radius_m: settings.duplicate_radius_m,
                window_days: settings.duplicate_window_days,
                phash_max_distance: settings.duplicate_phash_max_distance,
            };
            let found = duplicates::find(state.db(), &draft.category, point, &phashes, None, now, search).await?;
            if !found.is_empty() {
                let mut briefs = Vec::new();
                for c in found.iter().take(3) {
                    briefs.push(self.brief_of(c.id, locale).await?);
                }
                return Ok(Outcome::Duplicates(briefs));
            }
        }
        let mut description = draft.description.clone();
        if draft.approximate {
            description.push_str(prompts::approximate_note(Locale::Zh));
        }
        let req = SubmitTicketRequest {
            category: draft.category.clone(),
            description,
            urgency: Some(draft.urgency),
            location: PositionInput { lat: point.lat(), lng: point.lng(), coord_system: Some(CoordSystem::Gcj02) },
            address: draft.address.clone().map(|a| a.chars().take(200).collect()),
            photos: draft.photos.clone(),
            anonymous: draft.anonymous,
            channel: None,
        };
        let channel = match self.channel.as_deref() {
            Some("wechat") => Channel::Wechat,
            _ => Channel::App,
        };
        let retry = match cause {
            Some(id) => Some(Retry {
                key: IdempotencyKey::parse(&format!("intake:{id}"))?,
                hash: idempotency::fingerprint("POST", "/intake/tickets", id.as_bytes()),
            }),
            None => None,
        };
        let viewer = self.viewer().await?;
        match tickets::submit(state, &viewer, req, Some(channel), retry.as_ref()).await {
            Ok(answer) if answer.status < 300 => {
                let submitted: Submitted =
                    serde_json::from_str(&answer.body).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
                Ok(Outcome::Created(self.brief_of(submitted.ticket.id, locale).await?))
            }
            Ok(answer) => Ok(Outcome::Failed(problem_detail(&answer.body))),
            Err(e) if e.status().is_client_error() => Ok(Outcome::Failed(e.to_string())),
            Err(e) => Err(e),
        }
    }

    async fn add(
        &mut self,
        ticket_id: Uuid,
        text: Option<String>,
        media_id: Option<Uuid>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<Outcome, ApiError> {
        let state = self.state;
        let Some(row) = ticket::Entity::find_by_id(ticket_id).one(state.db()).await? else {
            return Ok(Outcome::Failed(prompts::no_tickets(locale)));
        };
        let txn = state.db().begin().await?;
        let thread = crate::chat::service::ticket_conversation(&txn, &row, now).await?.id;
        let mut contents = Vec::new();
        if let Some(text) = text {
            contents.push(Content::Text { text });
        }
        if let Some(media_id) = media_id {
            contents.push(Content::Image { media_id });
        }
        let mut rows = Vec::new();
        for content in &contents {
            let row = crate::chat::service::append(
                &txn,
                thread,
                Some((self.owner, "reporter")),
                None,
                content,
                crate::chat::dto::Visibility::All,
                now,
            )
            .await?;
            rows.push(row);
        }
        txn.commit().await?;
        for row in &rows {
            publish(state, recipients(state.db(), row).await?, ServerEvent::Message { message: message_view(row) })
                .await;
        }
        Ok(Outcome::Added(self.brief_of(ticket_id, locale).await?))
    }

    /// Brings the dispatchers into the conversation (staff members see it in their list and live).
    async fn hand_off(&mut self, summary: &str, now: DateTime<Utc>) -> Result<Outcome, ApiError> {
        let state = self.state;
        let dispatchers: Vec<Uuid> = user_role::Entity::find()
            .select_only()
            .column(user_role::Column::UserId)
            .filter(user_role::Column::Role.eq(Role::Dispatcher.as_str()))
            .distinct()
            .limit(MAX_HANDOFF)
            .into_tuple()
            .all(state.db())
            .await?;
        if dispatchers.is_empty() {
            return Ok(Outcome::Failed(prompts::nobody_on_duty(Locale::Zh)));
        }
        let txn = state.db().begin().await?;
        for user_id in &dispatchers {
            conversation_member::Entity::insert(conversation_member::ActiveModel {
                conversation_id: Set(self.conversation),
                user_id: Set(*user_id),
                role: Set(Role::Dispatcher.as_str().to_owned()),
                staff: Set(true),
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
        // What the person wants, for the staff who join (residents never see it).
        let note = Content::System { text: prompts::handoff_note(summary), ticket_id: None, status: None };
        let row = crate::chat::service::append(
            &txn,
            self.conversation,
            None,
            None,
            &note,
            crate::chat::dto::Visibility::Staff,
            now,
        )
        .await?;
        txn.commit().await?;
        publish(state, recipients(state.db(), &row).await?, ServerEvent::Message { message: message_view(&row) }).await;
        Ok(Outcome::HandedOff)
    }

    async fn query(&mut self, query: TicketQuery, locale: Locale) -> Result<Outcome, ApiError> {
        let state = self.state;
        let rows = match query {
            TicketQuery::Mine => {
                let followed = ticket_follower::Entity::find()
                    .select_only()
                    .column(ticket_follower::Column::TicketId)
                    .filter(ticket_follower::Column::UserId.eq(self.owner))
                    .into_query();
                ticket::Entity::find()
                    .filter(
                        Condition::any()
                            .add(ticket::Column::ReporterId.eq(self.owner))
                            .add(ticket::Column::Id.in_subquery(followed)),
                    )
                    .order_by_desc(ticket::Column::CreatedAt)
                    .limit(MAX_LISTED)
                    .all(state.db())
                    .await?
            }
            TicketQuery::Number(number) => {
                let viewer = self.viewer().await?;
                ticket::Entity::find()
                    .filter(ticket::Column::Number.eq(number))
                    .filter(viewer.visible())
                    .all(state.db())
                    .await?
            }
        };
        Ok(Outcome::Tickets(rows.iter().map(|r| brief(state, r, locale)).collect()))
    }

    async fn brief_of(&self, id: Uuid, locale: Locale) -> Result<TicketBrief, ApiError> {
        let row = ticket::Entity::find_by_id(id)
            .one(self.state.db())
            .await?
            .ok_or_else(|| ApiError::not_found("ticket_not_found", "no such ticket"))?;
        Ok(brief(self.state, &row, locale))
    }
}

fn brief(state: &AppState, row: &ticket::Model, locale: Locale) -> TicketBrief {
    let status = TicketStatus::parse(&row.status).unwrap_or(TicketStatus::Unrouted);
    let reference = state.jurisdiction().reference();
    let handler =
        row.department_id.and_then(|d| reference.departments().iter().find(|x| x.id == d).map(|x| x.name.clone()));
    TicketBrief {
        id: row.id,
        number: row.number.clone(),
        status: prompts::status_label(locale, status),
        next: prompts::next_step(locale, status),
        due_at: row.due_at.filter(|_| status.is_open()),
        handler,
    }
}

fn problem_detail(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "请稍后再试".to_owned())
}
