//! HTTP: ticket lists and counts.

use actix_web::{get, web, HttpResponse};

use super::viewer;
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    state::AppState,
    tickets::{
        dto::{ListTicketsQuery, TicketCounts, TicketCountsQuery, TicketPage},
        query::{self, Filters, ListParams},
    },
};

/// The tickets the caller may see (their reports and followed tickets, their grids', their
/// departments', their region's, or all), filtered and ordered, a page at a time: pass `next_cursor`
/// back as `cursor` until it is null. Unknown parameters and bad values answer 400 naming them.
#[utoipa::path(
    tag = "tickets",
    params(ListTicketsQuery),
    responses(
        (status = 200, description = "One page", body = TicketPage),
        (status = 400, description = "`invalid_query` (naming the parameter) or `invalid_cursor`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets")]
pub(super) async fn list_tickets(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ListTicketsQuery>,
) -> Result<HttpResponse, ApiError> {
    let params = ListParams::try_from(q.into_inner())?;
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(query::list(&state, &viewer, &params).await?))
}

/// How many of the tickets the caller may see are in each status, overdue or awaiting approval,
/// with the list's filters (but no status, order or page).
#[utoipa::path(
    tag = "tickets",
    params(TicketCountsQuery),
    responses(
        (status = 200, description = "The counts", body = TicketCounts),
        (status = 400, description = "`invalid_query`, naming the parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets/summary")]
pub(super) async fn get_ticket_summary(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<TicketCountsQuery>,
) -> Result<HttpResponse, ApiError> {
    let filters = Filters::try_from(q.into_inner())?;
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(query::counts(&state, &viewer, &filters).await?))
}
