//! What happens around a ticket besides its moves: comments (public replies and internal notes),
//! co-handling departments (协办) and the reporter's rating (回访). None of them changes the ticket's
//! version, so they never race staff's moves; each writes its event and outbox rows in its own
//! transaction.

use chrono::{DateTime, Utc};
use entity::{department, ticket, ticket_comment, ticket_department, ticket_event};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

use super::{
    access::Viewer,
    dto::{
        AddCoDepartmentRequest, CommentView, CommentVisibility, CreateCommentRequest, RateTicketRequest, TicketView,
    },
    service::{build_view, co_departments, finish, replayed, visible_row, Answer, Retry},
    status::{ActorRole, TicketStatus},
    store,
    templates::active_template,
    workflow::Audience,
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    state::AppState,
};

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// The longest rating comment, in characters.
pub const MAX_RATING_COMMENT_CHARS: usize = 500;

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

/// In which capacity the viewer writes on `row`: their most specific staff capacity if they handle
/// it, else reporter or follower.
fn capacity(viewer: &Viewer, row: &ticket::Model, handling: bool) -> String {
    match viewer.actors(row).first() {
        Some(a) if handling && a.role != ActorRole::Reporter => a.role.as_str().to_owned(),
        _ if row.reporter_id == viewer.id => ActorRole::Reporter.as_str().to_owned(),
        _ => "follower".to_owned(),
    }
}

/// The ticket if the viewer sees it, and whether they handle it (else they see it as its reporter or
/// a follower, like a resident).
async fn ticket_for(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<(ticket::Model, bool), ApiError> {
    let row = visible_row(state.db(), viewer, id).await?;
    let handling = viewer.handles(&row, &co_departments(state.db(), id).await?);
    Ok((row, handling))
}

/// A system event that keeps the ticket's version and status.
fn side_event(
    row: &ticket::Model,
    action: &str,
    actor: (Uuid, &str),
    note: Option<String>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ticket_event::Model {
    ticket_event::Model {
        id: Uuid::now_v7(),
        ticket_id: row.id,
        version: row.version,
        action: action.to_owned(),
        from_status: Some(row.status.clone()),
        to_status: row.status.clone(),
        actor_id: Some(actor.0),
        actor_role: actor.1.to_owned(),
        at: now,
        note,
        media: "[]".to_owned(),
        deadline_from: None,
        deadline_to: None,
        detail: Some(detail.to_string()),
        dropped_request: None,
    }
}

fn comment_view(viewer: &Viewer, row: &ticket::Model, staff: bool, c: ticket_comment::Model) -> CommentView {
    let own = c.author_id == viewer.id;
    // Residents learn no one's account but their own; an anonymous reporter stays hidden from staff
    // who may not know who reported.
    let hidden_reporter = c.author_id == row.reporter_id && !viewer.sees_reporter(row);
    let author_id = ((staff || own) && !hidden_reporter).then_some(c.author_id);
    CommentView {
        id: c.id,
        author_id,
        author_role: c.author_role,
        visibility: if c.visibility == "internal" { CommentVisibility::Internal } else { CommentVisibility::Public },
        body: c.body,
        template_id: if staff { c.template_id } else { None },
        created_at: c.created_at,
    }
}

/// Whether the viewer handles the ticket as staff (so writes and reads internal notes); 404 when
/// they may not see it.
pub async fn handles(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<bool, ApiError> {
    Ok(ticket_for(state, viewer, id).await?.1)
}

/// Comments on a ticket the viewer sees, oldest first; only staff handling it read internal notes.
pub async fn comments(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Vec<CommentView>, ApiError> {
    let (row, handling) = ticket_for(state, viewer, id).await?;
    let mut select = ticket_comment::Entity::find().filter(ticket_comment::Column::TicketId.eq(id));
    if !handling {
        select = select.filter(ticket_comment::Column::Visibility.eq(CommentVisibility::Public.as_str()));
    }
    let rows = select
        .order_by_asc(ticket_comment::Column::CreatedAt)
        .order_by_asc(ticket_comment::Column::Id)
        .all(state.db())
        .await?;
    Ok(rows.into_iter().map(|c| comment_view(viewer, &row, handling, c)).collect())
}

/// Writes a comment and answers its `CommentView` (201), or with `retry` the saved answer of the
/// first request with that key. A public comment by staff handling the ticket is a reply: the
/// reporter and followers are told. Only they write internal notes and use response templates.
pub async fn comment(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: CreateCommentRequest,
    retry: Option<&Retry>,
) -> Result<Answer, ApiError> {
    let now = state.clock().now();
    let (row, staff) = ticket_for(state, viewer, id).await?;
    let body = req.body.trim().to_owned();
    if body.is_empty() {
        return Err(invalid("body", "blank", "write something"));
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(invalid("body", "too_long", format!("at most {MAX_COMMENT_CHARS} characters")));
    }
    let visibility = req.visibility.unwrap_or(CommentVisibility::Public);
    if visibility == CommentVisibility::Internal && !staff {
        return Err(invalid("visibility", "staff_only", "only staff handling the ticket write internal notes"));
    }
    if let Some(template) = req.template_id {
        if !staff {
            return Err(invalid("template_id", "staff_only", "response templates are for staff"));
        }
        active_template(state, template).await?;
    }
    let comment = ticket_comment::Model {
        id: Uuid::now_v7(),
        ticket_id: id,
        author_id: viewer.id,
        author_role: capacity(viewer, &row, staff),
        visibility: visibility.as_str().to_owned(),
        body,
        template_id: req.template_id,
        created_at: now,
    };
    let txn = state.db().begin().await?;
    // A retried comment (same key) is answered from the first and written once.
    if let Some(answer) = replayed(&txn, viewer.id, retry, now).await? {
        txn.rollback().await?;
        return Ok(answer);
    }
    ticket_comment::Entity::insert(comment.clone().into_active_model()).exec_without_returning(&txn).await?;
    if staff && visibility == CommentVisibility::Public {
        let payload = serde_json::json!({
            "number": row.number,
            "category": row.category,
            "status": row.status,
            "comment_id": comment.id,
            "body": comment.body.chars().take(200).collect::<String>(),
        });
        let mut rows = vec![store::outbox_row(id, None, Audience::Followers, "reply", &payload, now)];
        if row.reporter_id != viewer.id {
            rows.push(store::outbox_row(id, None, Audience::Reporter, "reply", &payload, now));
        }
        entity::outbox::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    let body = serde_json::to_string(&comment_view(viewer, &row, staff, comment.clone()))
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    let answer = finish(txn, viewer.id, retry, actix_web::http::StatusCode::CREATED, body, now).await?;
    super::live::changed(state, None, &row, "comment").await;
    tracing::info!(ticket.id = %id, comment.id = %comment.id, visibility = visibility.as_str(), "comment written");
    Ok(answer)
}

/// Adds a co-handling department (dispatchers of the place, admins). Idempotent: adding it again
/// changes nothing.
pub async fn add_co_department(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: AddCoDepartmentRequest,
) -> Result<TicketView, ApiError> {
    let now = state.clock().now();
    let row = visible_row(state.db(), viewer, id).await?;
    let role = if viewer.has(Role::Admin) {
        ActorRole::Admin
    } else if viewer.has(Role::Dispatcher) && viewer.dispatches(&row) {
        ActorRole::Dispatcher
    } else {
        return Err(ApiError::forbidden("only dispatchers and admins add co-handling departments"));
    };
    let Some(dept) = department::Entity::find_by_id(req.department_id).one(state.db()).await? else {
        return Err(invalid("department_id", "not_found", "no such department"));
    };
    if row.department_id == Some(dept.id) {
        return Err(invalid("department_id", "responsible_department", "that department is responsible already"));
    }
    let txn = state.db().begin().await?;
    let added = ticket_department::Entity::insert(ticket_department::ActiveModel {
        ticket_id: Set(id),
        department_id: Set(dept.id),
        added_by: Set(viewer.id),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([ticket_department::Column::TicketId, ticket_department::Column::DepartmentId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if added > 0 {
        let detail = serde_json::json!({ "department_id": dept.id, "department": dept.name });
        let event = side_event(&row, "co_department", (viewer.id, role.as_str()), None, detail, now);
        let payload = serde_json::json!({
            "number": row.number,
            "category": row.category,
            "status": row.status,
            "department_id": dept.id,
        });
        let notice = store::outbox_row(id, Some(event.id), Audience::Department(dept.id), "co_handling", &payload, now);
        store::insert_event(&txn, event).await?;
        entity::outbox::Entity::insert(notice).exec_without_returning(&txn).await?;
        tracing::info!(ticket.id = %id, department.id = %dept.id, "co-handling department added");
    }
    let view = build_view(state, &txn, viewer, &row).await?;
    txn.commit().await?;
    if added > 0 {
        super::live::changed(state, None, &row, "co_department").await;
    }
    Ok(view)
}

/// The reporter rates a closed ticket, once.
pub async fn rate(state: &AppState, viewer: &Viewer, id: Uuid, req: RateTicketRequest) -> Result<TicketView, ApiError> {
    let now = state.clock().now();
    let row = visible_row(state.db(), viewer, id).await?;
    if row.reporter_id != viewer.id {
        return Err(ApiError::forbidden("only the reporter rates a ticket"));
    }
    let score = i16::try_from(req.score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| invalid("score", "out_of_range", "a whole number from 1 to 5"))?;
    let comment = req.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_RATING_COMMENT_CHARS) {
        return Err(invalid("comment", "too_long", format!("at most {MAX_RATING_COMMENT_CHARS} characters")));
    }
    check_rateable(&row)?;
    let txn = state.db().begin().await?;
    let updated = ticket::Entity::update_many()
        .col_expr(ticket::Column::Rating, Expr::value(score))
        .col_expr(ticket::Column::RatingComment, Expr::value(comment.clone()))
        .col_expr(ticket::Column::RatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Rating.is_null())
        .filter(ticket::Column::Status.eq(TicketStatus::Closed.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let current = ticket::Entity::find_by_id(id).one(state.db()).await?.unwrap_or(row);
        check_rateable(&current)?;
        return Err(ApiError::conflict("already_rated", "the ticket changed meanwhile"));
    }
    let event = side_event(
        &row,
        "rate",
        (viewer.id, ActorRole::Reporter.as_str()),
        comment,
        serde_json::json!({ "score": score }),
        now,
    );
    store::insert_event(&txn, event).await?;
    let saved = ticket::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket_not_found", "no such ticket"))?;
    let view = build_view(state, &txn, viewer, &saved).await?;
    txn.commit().await?;
    tracing::info!(ticket.id = %id, rating = score, "ticket rated");
    Ok(view)
}

fn check_rateable(row: &ticket::Model) -> Result<(), ApiError> {
    if row.rating.is_some() {
        return Err(ApiError::conflict("already_rated", "the ticket was rated already"));
    }
    if row.status != TicketStatus::Closed.as_str() {
        return Err(ApiError::conflict("not_closed", "a ticket is rated once it is closed"));
    }
    Ok(())
}
