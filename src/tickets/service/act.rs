//! Moving tickets: a command checked against the workflow for each capacity the caller holds,
//! written at the version the client saw with its event and outbox rows; following and merging.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::{department, ticket, ticket_event, ticket_follower, user_role};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use crate::tickets::{
    access::Viewer,
    command::{Command, RejectGround},
    dto::{ActionRequest, TicketView},
    evidence,
    status::{Action, ActorRole, RejectionReason, TicketStatus},
    store,
    workflow::{self, Actor, WorkflowError},
};
use crate::{auth::Role, error::ApiError, state::AppState};

use super::*;

/// The API error for a refused move.
pub fn workflow_error(e: WorkflowError, allowed: Vec<Action>) -> ApiError {
    let code = e.code();
    let detail = e.to_string();
    match e {
        WorkflowError::NotAllowed { allowed, .. } => ApiError::conflict(code, detail)
            .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect()),
        WorkflowError::RequestPending { .. } | WorkflowError::DisputeWindowClosed { .. } => {
            ApiError::conflict(code, detail)
                .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect())
        }
        WorkflowError::PlanRequired | WorkflowError::PlanNotExpected => invalid("rectification", code, detail),
        WorkflowError::LevelRequired | WorkflowError::LevelMismatch { .. } => {
            invalid("rectification.level", code, detail)
        }
        WorkflowError::DeadlineNotInFuture { .. }
        | WorkflowError::DeadlineBeyondLimit { .. }
        | WorkflowError::ExtensionNotLater { .. }
        | WorkflowError::OutOfRange => invalid("deadline", code, detail),
        WorkflowError::SameDepartment => invalid("to_department", code, detail),
        WorkflowError::DuplicateOfItself => invalid("ground.ticket_id", code, detail),
        WorkflowError::Inconsistent(what) => ApiError::internal(anyhow::anyhow!("inconsistent ticket: {what}")),
    }
}

fn version_conflict(current: i64, allowed: &[Action]) -> ApiError {
    ApiError::conflict(
        "version_conflict",
        format!("the ticket changed meanwhile (now version {current}); reload it and try again"),
    )
    .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect())
}

/// Checks what a command refers to: departments, grid workers, the kept ticket of a duplicate.
async fn check_references(
    state: &AppState,
    viewer: &Viewer,
    row: &ticket::Model,
    command: &Command,
) -> Result<(), ApiError> {
    let department_exists = |id: Uuid| async move {
        Ok::<bool, ApiError>(department::Entity::find_by_id(id).one(state.db()).await?.is_some())
    };
    match command {
        Command::Assign { department_id, grid_worker_id, .. } => {
            if !department_exists(*department_id).await? {
                return Err(invalid("department_id", "not_found", "no such department"));
            }
            let is_worker = user_role::Entity::find()
                .filter(user_role::Column::UserId.eq(*grid_worker_id))
                .filter(user_role::Column::Role.eq(Role::GridWorker.as_str()))
                .one(state.db())
                .await?
                .is_some();
            if !is_worker {
                return Err(invalid("grid_worker_id", "not_a_grid_worker", "that user is not a grid worker"));
            }
        }
        Command::Transfer { to_department, .. } if !department_exists(*to_department).await? => {
            return Err(invalid("to_department", "not_found", "no such department"));
        }
        Command::Reject { ground: RejectGround::DuplicateOf { ticket_id }, .. } if *ticket_id != row.id => {
            let kept = visible_row(state.db(), viewer, *ticket_id)
                .await
                .map_err(|_| invalid("ground.ticket_id", "not_found", "no such ticket"))?;
            if kept.status == TicketStatus::Rejected.as_str() {
                return Err(invalid("ground.ticket_id", "rejected", "that ticket was rejected itself"));
            }
        }
        _ => {}
    }
    Ok(())
}

fn photos_of(command: &Command) -> Vec<Uuid> {
    match command {
        Command::Confirm { evidence, .. }
        | Command::ResolveOnSpot { evidence, .. }
        | Command::Complete { evidence, .. } => evidence.ids().to_vec(),
        Command::Pass { media, .. } | Command::Fail { media, .. } | Command::Reopen { media, .. } => {
            media.ids().to_vec()
        }
        _ => Vec::new(),
    }
}

/// Applies a move for `viewer`: 404 if they may not see the ticket, 409 with the allowed actions if the
/// move is not theirs to make now or the version is stale, 422 for bad references.
pub async fn act(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: ActionRequest,
    retry: Option<&Retry>,
) -> Result<Answer, ApiError> {
    let now = state.clock().now();
    let row = visible_row(state.db(), viewer, id).await?;
    let ticket = store::state_of(&row)?;
    let allowed = allowed_for(viewer, &row, &ticket, now);
    let action = req.command.action();
    if req.version != row.version {
        // A retried move that already went through is answered from its key before this check.
        if let Some(retry) = retry {
            let txn = state.db().begin().await?;
            if let Some(answer) = replayed(&txn, viewer.id, Some(retry), now).await? {
                txn.rollback().await?;
                return Ok(answer);
            }
            txn.rollback().await?;
        }
        return Err(version_conflict(row.version, &allowed));
    }
    let mut outcome = None;
    let mut first_error = None;
    for actor in viewer.actors(&row) {
        match workflow::apply(&ticket, &req.command, &actor, now) {
            Ok(t) => {
                outcome = Some((actor, t));
                break;
            }
            Err(WorkflowError::NotAllowed { .. }) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some((actor, transition)) = outcome else {
        let e = first_error.unwrap_or(WorkflowError::NotAllowed {
            action,
            status: ticket.status,
            role: viewer.actors(&row).first().map_or(ActorRole::Reporter, |a| a.role),
            allowed: allowed.clone(),
        });
        return Err(workflow_error(e, allowed));
    };
    check_references(state, viewer, &row, &req.command).await?;
    let photo_ids = photos_of(&req.command);
    let photos = own_photos(state.db(), viewer.id, &photo_ids, Some(id), "evidence").await?;
    let place = wgs(&row).ok_or_else(|| ApiError::internal(anyhow::anyhow!("ticket {id} has no valid place")))?;
    let mut flags = evidence::check_photos(&facts(&photos), place, action, now, thresholds(state));
    if evidence::on_site(action) && actor.role == ActorRole::GridWorker {
        let at = req.position.as_ref().map(|p| parse_position(state, p)).transpose()?;
        flags.extend(evidence::check_position(viewer.id, at.map(|p| p.wgs84), place, action, now, thresholds(state)));
    }
    let (policy, calendar) = policy(state)?;

    let txn = state.db().begin().await?;
    if let Some(answer) = replayed(&txn, viewer.id, retry, now).await? {
        txn.rollback().await?;
        return Ok(answer);
    }
    let mut active = store::unchanged(&row);
    store::write_state(&mut active, Some(&row), &transition.state, now, &policy, &calendar);
    if let Some(flags) = merge_flags(&row, flags) {
        active.flags = Set(flags);
    }
    let event = store::event_row(Uuid::now_v7(), id, transition.state.version, &transition.event);
    let step_changed = row.status != transition.state.status.as_str()
        || row.rectification_deadline != transition.state.rectification_deadline;
    let due = if step_changed { store::step_deadline(&transition.state, now, &policy, &calendar) } else { row.due_at };
    let payload = notice_payload(&row.number, &row.category, &transition.state, action, due);
    if !store::save_move(&txn, &row, active, event, &transition.notifications, &payload, now).await? {
        txn.rollback().await?;
        let current = ticket::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
        let allowed = allowed_for(viewer, &current, &store::state_of(&current)?, now);
        return Err(version_conflict(current.version, &allowed));
    }
    attach_photos(&txn, id, &photos).await?;
    if let Some(RejectionReason::DuplicateOf { ticket_id: kept }) = transition.state.rejection {
        merge_into(&txn, &row, kept, &actor, now).await?;
    }
    let saved = ticket::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let view = build_view(state, &txn, viewer, &saved).await?;
    let body = to_json(&view)?;
    let answer = finish(txn, viewer.id, retry, StatusCode::OK, body, now).await?;
    crate::notifications::wake(state).await;
    crate::tickets::live::changed(state, Some(&row), &saved, action.as_str()).await;
    tracing::info!(ticket.id = %id, action = %action, from = %ticket.status, to = %transition.state.status, "ticket moved");
    Ok(answer)
}

/// Adds `users` as followers of `ticket_id` (skipping its reporter and existing followers), bumps
/// its follower count and priority, and records a system event when anyone joined.
async fn add_followers<C: ConnectionTrait>(
    db: &C,
    kept: &ticket::Model,
    users: &[Uuid],
    source: &str,
    actor: Option<(Uuid, &str)>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<i32, ApiError> {
    let mut added = 0;
    for user in users.iter().filter(|u| **u != kept.reporter_id) {
        let res = ticket_follower::Entity::insert(ticket_follower::ActiveModel {
            ticket_id: Set(kept.id),
            user_id: Set(*user),
            source: Set(source.to_owned()),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([ticket_follower::Column::TicketId, ticket_follower::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        added += i32::try_from(res).unwrap_or(0);
    }
    if added > 0 {
        store::add_followers(db, kept.id, added).await?;
        let (actor_id, role) = actor.map_or((None, "system"), |(id, role)| (Some(id), role));
        let event = ticket_event::Model {
            id: Uuid::now_v7(),
            ticket_id: kept.id,
            version: kept.version,
            action: source.to_owned(),
            from_status: Some(kept.status.clone()),
            to_status: kept.status.clone(),
            actor_id,
            actor_role: role.to_owned(),
            at: now,
            note,
            media: "[]".to_owned(),
            deadline_from: None,
            deadline_to: None,
            detail: Some(serde_json::json!({ "followers_added": added }).to_string()),
            dropped_request: None,
        };
        store::insert_event_and_notices(db, kept.id, event, &[], &serde_json::Value::Null, now).await?;
    }
    Ok(added)
}

/// Merging a duplicate: its reporter and followers follow the kept ticket from now on.
async fn merge_into(
    txn: &DatabaseTransaction,
    duplicate: &ticket::Model,
    kept_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let kept = ticket::Entity::find_by_id(kept_id).one(txn).await?.ok_or_else(not_found)?;
    let mut users = vec![duplicate.reporter_id];
    users.extend(
        ticket_follower::Entity::find()
            .filter(ticket_follower::Column::TicketId.eq(duplicate.id))
            .all(txn)
            .await?
            .into_iter()
            .map(|f| f.user_id),
    );
    let note = Some(format!("{} 合并到本工单", duplicate.number));
    add_followers(txn, &kept, &users, "merge", Some((actor.user_id, actor.role.as_str())), note, now).await?;
    Ok(())
}

/// The viewer follows an open ticket (joins it instead of reporting the same hazard again).
pub async fn follow(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<TicketView, ApiError> {
    let now = state.clock().now();
    let row = ticket::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let status = TicketStatus::parse(&row.status).map_err(|e| ApiError::internal(e.into()))?;
    if !status.is_open() && !is_follower(state.db(), id, viewer.id).await? {
        // A closed ticket is not offered as a duplicate, so an unknown one stays unknown.
        let follows = false;
        if !viewer.can_see(&row, follows, &co_departments(state.db(), id).await?) {
            return Err(not_found());
        }
        return Err(ApiError::conflict("ticket_closed", "this ticket is closed; report the hazard anew if it is back"));
    }
    let txn = state.db().begin().await?;
    add_followers(&txn, &row, &[viewer.id], "follow", Some((viewer.id, "reporter")), None, now).await?;
    let saved = ticket::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let view = build_view(state, &txn, viewer, &saved).await?;
    txn.commit().await?;
    Ok(view)
}
