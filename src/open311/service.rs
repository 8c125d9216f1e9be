//! Open311 use cases: the service list and definitions from the categories, the public feed of
//! requests, one request, tokens, and creating a request through `tickets::service::submit` on the
//! `open311` channel as the key's service account.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use entity::{category, department, open311_request, ticket};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    attributes,
    dto::{
        CreatedRequestView, CreatedRequests, RequestTokenView, ServiceDefinitionView, ServiceRequests, ServiceView,
        Services, Tokens,
    },
    feed,
    format::Open311Error,
    keys::Caller,
    params::{NewRequest, OpenClosed, RequestFilter},
};
use crate::{
    geo::{categories::Keyword, point::CoordSystem},
    state::AppState,
    tickets::{
        access::Viewer,
        dto::{Channel, PositionInput, SubmitTicketRequest},
        service::{self as tickets, Retry, EMERGENCY_ADVICE},
        status::{TicketStatus, Urgency},
    },
};

/// What `tickets::service::submit` answered, as far as Open311 needs it.
#[derive(serde::Deserialize)]
struct Submitted {
    ticket: SubmittedTicket,
}

#[derive(serde::Deserialize)]
struct SubmittedTicket {
    id: Uuid,
    number: String,
    urgency: Urgency,
}

/// A saved refusal's words.
#[derive(serde::Deserialize)]
struct Refused {
    detail: String,
}

/// The sector a department kind stands for, as Open311's `group`.
pub fn group_of(department_kind: &str) -> &'static str {
    match department_kind {
        "fire_rescue" => "消防",
        "gas_authority" => "城镇燃气",
        "emergency_management" => "应急管理",
        "housing" => "住房建设",
        "market_regulation" => "市场监管",
        "transport" | "traffic_police" => "交通",
        "police" => "社会治安",
        "urban_management" => "城市管理",
        "forestry" => "林业",
        "natural_resources" => "自然资源",
        "water_resources" => "水利",
        "education" => "教育",
        "health" => "卫生健康",
        "agriculture" => "农业农村",
        _ => "综合",
    }
}

async fn active_categories(state: &AppState) -> Result<Vec<category::Model>, Open311Error> {
    Ok(category::Entity::find()
        .filter(category::Column::Active.eq(true))
        .order_by_asc(category::Column::SortOrder)
        .order_by_asc(category::Column::Code)
        .all(state.db())
        .await?)
}

fn service_view(c: &category::Model, names: &HashMap<String, String>) -> ServiceView {
    let keywords: Vec<Keyword> = serde_json::from_str(&c.keywords).unwrap_or_default();
    let words: Vec<&str> = keywords.iter().map(|k| k.word.as_str()).collect();
    let examples = words.iter().take(6).copied().collect::<Vec<_>>().join("、");
    let group = match c.parent_code.as_ref().and_then(|p| names.get(p)) {
        Some(parent) => parent.clone(),
        None => group_of(&c.usual_department_kind).to_owned(),
    };
    ServiceView {
        service_code: c.code.clone(),
        service_name: c.name_zh.clone(),
        description: if examples.is_empty() {
            format!("{}（{}）", c.name_zh, c.name_en)
        } else {
            format!("{}（{}）：{examples}等", c.name_zh, c.name_en)
        },
        metadata: true,
        kind: "realtime".to_owned(),
        keywords: words.join(","),
        group,
    }
}

/// Every active category as a service.
pub async fn services(state: &AppState) -> Result<Services, Open311Error> {
    let all = category::Entity::find().all(state.db()).await?;
    let names: HashMap<String, String> = all.iter().map(|c| (c.code.clone(), c.name_zh.clone())).collect();
    Ok(Services(active_categories(state).await?.iter().map(|c| service_view(c, &names)).collect()))
}

fn unknown_service(code: &str) -> Open311Error {
    Open311Error::not_found(format!("service_code `{code}` was not found"))
}

/// A category's questions.
pub async fn definition(state: &AppState, code: &str) -> Result<ServiceDefinitionView, Open311Error> {
    let found = category::Entity::find_by_id(code.to_owned()).one(state.db()).await?.filter(|c| c.active);
    let Some(c) = found else { return Err(unknown_service(code)) };
    Ok(ServiceDefinitionView { service_code: c.code.clone(), attributes: attributes::views(&c.code) })
}

/// Names of categories and departments, and the media URLs of Open311 requests, for a feed page.
async fn views(state: &AppState, rows: Vec<ticket::Model>) -> Result<ServiceRequests, Open311Error> {
    let names: HashMap<String, String> =
        category::Entity::find().all(state.db()).await?.into_iter().map(|c| (c.code, c.name_zh)).collect();
    let dept_ids: Vec<Uuid> = rows.iter().filter_map(|t| t.department_id).collect();
    let departments: HashMap<Uuid, String> = if dept_ids.is_empty() {
        HashMap::new()
    } else {
        department::Entity::find()
            .filter(department::Column::Id.is_in(dept_ids))
            .all(state.db())
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect()
    };
    let media: HashMap<Uuid, String> = open311_request::Entity::find()
        .filter(open311_request::Column::TicketId.is_in(rows.iter().map(|t| t.id)))
        .all(state.db())
        .await?
        .into_iter()
        .filter_map(|r| r.media_url.map(|u| (r.ticket_id, u)))
        .collect();
    Ok(ServiceRequests(
        rows.iter()
            .map(|t| {
                let name = names.get(&t.category).map_or(t.category.as_str(), String::as_str);
                let agency = t.department_id.and_then(|d| departments.get(&d).cloned());
                feed::request_view(t, name, agency, media.get(&t.id).cloned())
            })
            .collect(),
    ))
}

fn statuses_of(wanted: &[OpenClosed]) -> Vec<&'static str> {
    TicketStatus::ALL
        .iter()
        .filter(|s| {
            let kind = if s.is_open() { OpenClosed::Open } else { OpenClosed::Closed };
            wanted.contains(&kind)
        })
        .map(|s| s.as_str())
        .collect()
}

/// The public feed: requests matching the filter, newest first, at most `open311.max_requests`.
pub async fn requests(state: &AppState, filter: RequestFilter) -> Result<ServiceRequests, Open311Error> {
    let max = state.settings().open311.max_requests;
    let mut find = ticket::Entity::find();
    match filter {
        RequestFilter::Ids(ids) => find = find.filter(ticket::Column::Number.is_in(ids.iter().map(|i| normalise(i)))),
        RequestFilter::Search { service_codes, statuses, from, to } => {
            find = find.filter(ticket::Column::CreatedAt.gte(from)).filter(ticket::Column::CreatedAt.lte(to));
            if !service_codes.is_empty() {
                find = find.filter(ticket::Column::Category.is_in(service_codes));
            }
            if !statuses.is_empty() {
                find = find.filter(ticket::Column::Status.is_in(statuses_of(&statuses)));
            }
        }
    }
    let rows = find
        .order_by_desc(ticket::Column::CreatedAt)
        .order_by_desc(ticket::Column::Id)
        .limit(max)
        .all(state.db())
        .await?;
    views(state, rows).await
}

/// Ticket numbers as people type them (`yh2026…`): upper case, no spaces.
fn normalise(id: &str) -> String {
    id.trim().to_uppercase()
}

/// One request, as a list of one.
pub async fn request(state: &AppState, id: &str) -> Result<ServiceRequests, Open311Error> {
    let row = ticket::Entity::find().filter(ticket::Column::Number.eq(normalise(id))).one(state.db()).await?;
    let Some(row) = row else {
        return Err(Open311Error::not_found(format!("service_request_id `{id}` was not found")));
    };
    views(state, vec![row]).await
}

/// The request a token stands for.
pub async fn token(state: &AppState, token: &str) -> Result<Tokens, Open311Error> {
    let not_found = || Open311Error::not_found(format!("token `{token}` was not found"));
    let row = open311_request::Entity::find()
        .filter(open311_request::Column::Token.eq(token.trim()))
        .one(state.db())
        .await?
        .ok_or_else(not_found)?;
    let ticket = ticket::Entity::find_by_id(row.ticket_id).one(state.db()).await?.ok_or_else(not_found)?;
    Ok(Tokens(vec![RequestTokenView { service_request_id: ticket.number, token: row.token }]))
}

/// Reports a hazard through the tickets service (channel `open311`) as the key's service account.
/// A retry with the same `Idempotency-Key` answers the first request again.
pub async fn create(
    state: &AppState,
    caller: Caller,
    req: NewRequest,
    retry: Option<&Retry>,
) -> Result<CreatedRequests, Open311Error> {
    let Some(category) =
        category::Entity::find_by_id(req.service_code.clone()).one(state.db()).await?.filter(|c| c.active)
    else {
        return Err(unknown_service(&req.service_code));
    };
    let answers = attributes::check(&category.code, &req.attributes).map_err(Open311Error::bad_request)?;
    let mut description = req.description.clone().unwrap_or_else(|| format!("{}（Open311上报）", category.name_zh));
    for line in &answers.lines {
        description.push('\n');
        description.push_str(line);
    }
    let urgency =
        if answers.danger { Some(Urgency::Emergency) } else { Urgency::parse(&category.default_urgency).ok() };
    let submit = SubmitTicketRequest {
        category: category.code.clone(),
        description,
        urgency,
        location: PositionInput { lat: req.lat_long.0, lng: req.lat_long.1, coord_system: Some(CoordSystem::Wgs84) },
        address: req.address.clone(),
        photos: Vec::new(),
        anonymous: false,
        channel: None,
    };
    let viewer = Viewer::load(state.db(), caller.user_id).await?;
    let answer = tickets::submit(state, &viewer, submit, Some(Channel::Open311), retry).await?;
    if answer.status != StatusCode::CREATED.as_u16() {
        // A replayed refusal: the first request with this key was refused with this answer.
        let detail = serde_json::from_str::<Refused>(&answer.body)
            .map(|r| r.detail)
            .unwrap_or_else(|_| "the first request with this Idempotency-Key was refused".to_owned());
        return Err(Open311Error::bad_request(detail));
    }
    let Submitted { ticket: SubmittedTicket { id: ticket_id, number, urgency } } =
        serde_json::from_str(&answer.body)
            .map_err(|e| crate::error::ApiError::internal(anyhow::anyhow!("submit answer: {e}")))?;
    // The ticket is committed; its Open311 record follows (kept by a retry if this write is lost).
    let record = open311_request::ActiveModel {
        ticket_id: Set(ticket_id),
        token: Set(Uuid::new_v4().simple().to_string()),
        api_key_id: Set(caller.key_id),
        media_url: Set(req.media_url.clone()),
        attributes: Set(serde_json::to_string(&answers.stored).unwrap_or_else(|_| "{}".to_owned())),
        created_at: Set(state.clock().now()),
    };
    open311_request::Entity::insert(record)
        .on_conflict(OnConflict::column(open311_request::Column::TicketId).do_nothing().to_owned())
        .exec_without_returning(state.db())
        .await?;
    let saved = open311_request::Entity::find_by_id(ticket_id)
        .one(state.db())
        .await?
        .ok_or_else(|| crate::error::ApiError::internal(anyhow::anyhow!("open311 record vanished")))?;
    let notice = if urgency == Urgency::Emergency {
        EMERGENCY_ADVICE.to_owned()
    } else {
        format!("已受理，编号{number}。可凭编号查询办理进度。")
    };
    tracing::info!(ticket.id = %ticket_id, api_key.id = %caller.key_id, replayed = answer.replayed, "open311 request");
    Ok(CreatedRequests(vec![CreatedRequestView {
        service_request_id: number,
        token: saved.token,
        service_notice: Some(notice),
        account_id: None,
    }]))
}
