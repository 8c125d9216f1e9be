//! Response templates (回复模板): canned public replies that admins manage per category and status,
//! and that staff pick from for one ticket with its facts filled in. Template text is parsed into a
//! [`TemplateBody`] (placeholders known, length checked) before it is stored.

use chrono::{DateTime, FixedOffset, Utc};
use entity::{category, department, response_template, ticket};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{
    access::Viewer,
    dto::{CreateResponseTemplateRequest, ReplyTemplateView, ResponseTemplateView, UpdateResponseTemplateRequest},
    service::{co_departments, visible_row},
    sla::CST_OFFSET_SECS,
    status::TicketStatus,
};
use crate::{
    error::{ApiError, FieldError},
    state::AppState,
};

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = ["number", "category", "status", "deadline", "department"];
/// The longest template text, in characters.
pub const MAX_BODY_CHARS: usize = 2000;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// What `{deadline}` and `{department}` say when there is none yet.
pub const UNDECIDED: &str = "未定";

/// Why template text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Nothing but blanks.
    #[error("the text is blank")]
    Blank,
    /// Over [`MAX_BODY_CHARS`].
    #[error("at most {MAX_BODY_CHARS} characters")]
    TooLong,
    /// A `{name}` that is not one of [`PLACEHOLDERS`].
    #[error("unknown placeholder `{{{0}}}`; use {{number}}, {{category}}, {{status}}, {{deadline}} or {{department}}")]
    UnknownPlaceholder(String),
}

impl TemplateError {
    fn code(&self) -> &'static str {
        match self {
            TemplateError::Blank => "blank",
            TemplateError::TooLong => "too_long",
            TemplateError::UnknownPlaceholder(_) => "unknown_placeholder",
        }
    }
}

/// Template text whose placeholders are all known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateBody(String);

/// The `{name}` spans of `text`: (start, end after `}`, name), names of letters and `_` only.
fn placeholders(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|t| t.find('{')).map(|i| i + from) {
        let rest = text.get(open + 1..).unwrap_or_default();
        match rest.find('}') {
            Some(close) => {
                let name = rest.get(..close).unwrap_or_default();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
                    out.push((open, open + close + 2, name));
                    from = open + close + 2;
                } else {
                    from = open + 1;
                }
            }
            None => break,
        }
    }
    out
}

impl TemplateBody {
    /// Trims and checks template text.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TemplateError::Blank);
        }
        if text.chars().count() > MAX_BODY_CHARS {
            return Err(TemplateError::TooLong);
        }
        if let Some((_, _, name)) = placeholders(text).into_iter().find(|(_, _, n)| !PLACEHOLDERS.contains(n)) {
            return Err(TemplateError::UnknownPlaceholder(name.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text with every placeholder replaced by `value(name)`.
    pub fn render(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, name) in placeholders(text) {
            if let Some(v) = value(name) {
                out.push_str(text.get(at..start).unwrap_or_default());
                out.push_str(&v);
                at = end;
            }
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }
}

/// A deadline as China time, `YYYY-MM-DD HH:MM`, or [`UNDECIDED`].
pub fn china_time(at: Option<DateTime<Utc>>) -> String {
    match (at, FixedOffset::east_opt(CST_OFFSET_SECS)) {
        (Some(at), Some(cst)) => at.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string(),
        _ => UNDECIDED.to_owned(),
    }
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

fn body(field: &str, text: &str) -> Result<TemplateBody, ApiError> {
    TemplateBody::parse(text).map_err(|e| invalid(field, e.code(), e.to_string()))
}

fn title(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("title", "blank", "give the template a title"));
    }
    if text.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid("title", "too_long", format!("at most {MAX_TITLE_CHARS} characters")));
    }
    Ok(text.to_owned())
}

async fn known_category(state: &AppState, code: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(code) = code.map(|c| c.trim().to_owned()) else { return Ok(None) };
    if category::Entity::find_by_id(code.clone()).one(state.db()).await?.is_none() {
        return Err(invalid("category", "unknown_category", format!("no category `{code}`")));
    }
    Ok(Some(code))
}

fn view(row: response_template::Model) -> ResponseTemplateView {
    ResponseTemplateView {
        id: row.id,
        category: row.category,
        status: row.status.as_deref().and_then(|s| TicketStatus::parse(s).ok()),
        title: row.title,
        body: row.body,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Every template, active or not, by title.
pub async fn list(state: &AppState) -> Result<Vec<ResponseTemplateView>, ApiError> {
    let rows = response_template::Entity::find()
        .order_by_asc(response_template::Column::Title)
        .order_by_asc(response_template::Column::Id)
        .all(state.db())
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Adds a template.
pub async fn create(state: &AppState, req: CreateResponseTemplateRequest) -> Result<ResponseTemplateView, ApiError> {
    let now = state.clock().now();
    let row = response_template::ActiveModel {
        id: Set(Uuid::now_v7()),
        category: Set(known_category(state, req.category).await?),
        status: Set(req.status.map(|s| s.as_str().to_owned())),
        title: Set(title(&req.title)?),
        body: Set(body("body", &req.body)?.as_str().to_owned()),
        active: Set(req.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(view(row.insert(state.db()).await?))
}

/// Changes a template; absent fields stay as they are.
pub async fn update(
    state: &AppState,
    id: Uuid,
    req: UpdateResponseTemplateRequest,
) -> Result<ResponseTemplateView, ApiError> {
    let row = response_template::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("template_not_found", "no such response template"))?;
    let mut active = row.into_active_model();
    if let Some(category) = req.category {
        active.category = Set(known_category(state, category).await?);
    }
    if let Some(status) = req.status {
        active.status = Set(status.map(|s| s.as_str().to_owned()));
    }
    if let Some(t) = req.title {
        active.title = Set(title(&t)?);
    }
    if let Some(b) = req.body {
        active.body = Set(body("body", &b)?.as_str().to_owned());
    }
    if let Some(a) = req.active {
        active.active = Set(a);
    }
    active.updated_at = Set(state.clock().now());
    Ok(view(active.update(state.db()).await?))
}

/// The active templates for a ticket's category and status, rendered for it (staff handling it).
pub async fn for_ticket(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Vec<ReplyTemplateView>, ApiError> {
    let row = visible_row(state.db(), viewer, id).await?;
    if !viewer.handles(&row, &co_departments(state.db(), id).await?) {
        return Err(ApiError::forbidden("reply templates are for staff handling the ticket"));
    }
    let rows = response_template::Entity::find()
        .filter(response_template::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(response_template::Column::Category.is_null())
                .add(response_template::Column::Category.eq(row.category.as_str())),
        )
        .filter(
            Condition::any()
                .add(response_template::Column::Status.is_null())
                .add(response_template::Column::Status.eq(row.status.as_str())),
        )
        .order_by_asc(response_template::Column::Title)
        .order_by_asc(response_template::Column::Id)
        .all(state.db())
        .await?;
    let facts = facts(state, &row).await?;
    Ok(rows
        .into_iter()
        .map(|t| ReplyTemplateView {
            id: t.id,
            title: t.title,
            body: TemplateBody::render(&t.body, |name| facts.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())),
        })
        .collect())
}

/// The values of the placeholders for `row`.
async fn facts(state: &AppState, row: &ticket::Model) -> Result<Vec<(&'static str, String)>, ApiError> {
    let category = category::Entity::find_by_id(row.category.clone())
        .one(state.db())
        .await?
        .map_or(row.category.clone(), |c| c.name_zh);
    let department = match row.department_id {
        Some(d) => department::Entity::find_by_id(d).one(state.db()).await?.map(|d| d.name),
        None => None,
    };
    let status = TicketStatus::parse(&row.status).map_err(|e| ApiError::internal(e.into()))?;
    Ok(vec![
        ("number", row.number.clone()),
        ("category", category),
        ("status", status.staff_label().to_owned()),
        ("deadline", china_time(row.rectification_deadline)),
        ("department", department.unwrap_or_else(|| UNDECIDED.to_owned())),
    ])
}

/// An active template by id, for a comment that says it was written from it.
pub async fn active_template(state: &AppState, id: Uuid) -> Result<response_template::Model, ApiError> {
    response_template::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| invalid("template_id", "not_found", "no such active response template"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn only_known_placeholders_are_accepted() {
        assert!(TemplateBody::parse("工单{number}已受理，{department}将于{deadline}前整改").is_ok());
        assert_eq!(TemplateBody::parse("  ").unwrap_err(), TemplateError::Blank);
        assert_eq!(TemplateBody::parse(&"字".repeat(2001)).unwrap_err(), TemplateError::TooLong);
        assert_eq!(TemplateBody::parse("您好{name}").unwrap_err(), TemplateError::UnknownPlaceholder("name".into()));
        // Braces around anything but a name are text.
        assert!(TemplateBody::parse("{ 1 } {} {number").is_ok());
    }

    #[test]
    fn rendering_fills_known_placeholders_and_keeps_the_rest() {
        let value = |n: &str| (n == "number").then(|| "YH1".to_owned());
        assert_eq!(TemplateBody::render("单号{number}，{number}；{x}{", value), "单号YH1，YH1；{x}{");
    }

    #[test]
    fn deadlines_are_shown_in_china_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 16, 5, 0).unwrap();
        assert_eq!(china_time(Some(at)), "2026-12-01 00:05");
        assert_eq!(china_time(None), "未定");
    }
}
