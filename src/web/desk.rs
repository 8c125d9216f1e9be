//! `/desk`: the department and dispatcher desk (desktop layout) — the ticket queue in the caller's
//! scope, deadline first with overdue flags, 50 a page (the list API's cursor and the page number
//! in the URL), a filter form whose values stay in the URL (departments and regions picked from
//! those within the caller's reach), and the counts per status over every page as tabs
//! (dispatchers get the unrouted tab). `/desk/live` renders the queue alone; `desk.js` fetches it
//! again when the WebSocket says a ticket the caller handles changed (`ticket_changed`), and every
//! minute only while the socket is down. One ticket with its moves is `/desk/tickets/{id}`
//! (`desk_ticket`).

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    chat::to_login,
    context,
    i18n::Lang,
    layout::{self, Nav},
    session,
    tickets::china,
    worker::staff_label,
};
use crate::{
    auth::{CurrentUser, Role},
    error::ApiError,
    geo::region::RegionLevel,
    state::AppState,
    tickets::{
        access::{DispatchScope, Viewer},
        dto::{ListTicketsQuery, TicketCounts, TicketCountsQuery, TicketSummary},
        query::{self, Filters, ListParams},
        routes::viewer,
        status::TicketStatus,
    },
};

/// Who works at the desk.
pub const DESK_ROLES: [Role; 3] = [Role::DeptStaff, Role::Dispatcher, Role::Admin];

/// Tickets shown in the queue.
const SHOWN: &str = "50";

/// Mounts `/desk` and `/desk/live`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_desk).service(get_desk_live);
}

/// Whether `user` works at the desk.
pub fn is_desk(user: &CurrentUser) -> bool {
    DESK_ROLES.iter().any(|r| user.has(*r))
}

/// The queue's filters as the URL carries them (the list API's names); the map uses them too.
#[derive(Debug, Default, Clone)]
pub(super) struct DeskFilters {
    pub(super) status: String,
    pub(super) category: String,
    pub(super) overdue: bool,
    pub(super) department_id: String,
    pub(super) region_id: String,
    pub(super) q: String,
    /// Where the page starts (the list API's opaque cursor; empty on the first page).
    pub(super) cursor: String,
    /// The page's number, for the words only (1 on the first page).
    pub(super) page: u32,
}

impl DeskFilters {
    /// The filters of a query string (other parameters ignored).
    pub(super) fn from_query(query: &str) -> DeskFilters {
        let mut f = DeskFilters::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let v = v.trim().to_owned();
            match k.as_ref() {
                "status" => f.status = v,
                "category" => f.category = v,
                "overdue" => f.overdue = v == "true",
                "department_id" => f.department_id = v,
                "region_id" => f.region_id = v,
                "q" => f.q = v,
                "cursor" => f.cursor = v,
                "page" => f.page = v.parse().unwrap_or(1),
                _ => {}
            }
        }
        if f.cursor.is_empty() || f.page == 0 {
            f.page = 1;
        }
        f
    }

    fn some(v: &str) -> Option<String> {
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// The filters as the ticket list's query (deadline first, one page of the queue).
    pub(super) fn list(&self) -> ListTicketsQuery {
        ListTicketsQuery {
            status: Self::some(&self.status),
            category: Self::some(&self.category),
            overdue: self.overdue.then(|| "true".to_owned()),
            department_id: Self::some(&self.department_id),
            region_id: Self::some(&self.region_id),
            q: Self::some(&self.q),
            sort: Some("due_asc".to_owned()),
            limit: Some(SHOWN.to_owned()),
            cursor: Self::some(&self.cursor),
            ..ListTicketsQuery::default()
        }
    }

    fn counts(&self) -> TicketCountsQuery {
        TicketCountsQuery {
            category: Self::some(&self.category),
            overdue: self.overdue.then(|| "true".to_owned()),
            department_id: Self::some(&self.department_id),
            region_id: Self::some(&self.region_id),
            q: Self::some(&self.q),
            ..TicketCountsQuery::default()
        }
    }

    /// This filter's next page after `cursor`, as a `/desk` link.
    fn next(&self, cursor: &str) -> String {
        let page = self.page.saturating_add(1).to_string();
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("cursor", cursor).append_pair("page", &page);
        let base = self.link(&self.status);
        let joiner = if base.contains('?') { '&' } else { '?' };
        format!("{base}{joiner}{}", s.finish())
    }

    /// This filter with another status, as a `/desk` link (on the first page).
    fn link(&self, status: &str) -> String {
        self.link_on("/desk", status)
    }

    /// This filter with another status (and `region_id` as given), as a link to `path`.
    pub(super) fn link_on(&self, path: &str, status: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", status),
            ("category", &self.category),
            ("overdue", if self.overdue { "true" } else { "" }),
            ("department_id", &self.department_id),
            ("region_id", &self.region_id),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        match s.finish() {
            q if q.is_empty() => path.to_owned(),
            q => format!("{path}?{q}"),
        }
    }
}

#[get("/desk")]
async fn get_desk(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let f = DeskFilters::from_query(req.query_string());
    let (status, tabs, queue) = match load(&state, &user, &f, ctx.lang).await {
        Ok((tabs, queue)) => (StatusCode::OK, tabs, queue),
        Err(e) if e.status().is_client_error() => {
            let msg = html! { p.msg.error role="alert" { (t.err_filter) } };
            (StatusCode::BAD_REQUEST, html! {}, msg)
        }
        Err(e) => {
            tracing::error!(error = ?e, "desk page");
            (StatusCode::INTERNAL_SERVER_ERROR, html! {}, html! { p.msg.error role="alert" { (t.err_generic) } })
        }
    };
    let main = html! {
        h1 { (t.desk_title) }
        p.desk-links {
            a #to-map href=(f.link_on("/desk/map", &f.status)) { (t.desk_to_map) }
            " · " a href="/desk/stats" { (t.nav_stats) }
        }
        (filter_form(&state, &user, ctx.lang, &f, "/desk").await)
        (tabs)
        p #live.status role="status" {}
        p #notice.notice role="alert" hidden {}
        div #queue data-live=(format!("/desk/live?{}", req.query_string())) { (queue) }
    };
    layout::respond(status, layout::page(&ctx, t.desk_title, Nav::Desk, main, &["desk.js"]), cookies)
}

/// The queue's filter form (status, category, department and region among those in the caller's
/// reach, text, overdue), sent with GET to `action` so the values stay in the URL: the desk's and
/// the map's.
pub(super) async fn filter_form(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    f: &DeskFilters,
    action: &str,
) -> Markup {
    let t = lang.texts();
    let scope = match viewer(state, user).await {
        Ok(v) => Scope::of(state, &v),
        Err(e) => {
            tracing::error!(error = ?e, "desk filter form");
            Scope::default()
        }
    };
    html! {
        form.filters method="get" action=(action) role="search" {
            label { (t.f_status) " "
                select name="status" {
                    option value="" selected[f.status.is_empty()] { (t.f_all) }
                    @for s in TicketStatus::ALL {
                        @if *s != TicketStatus::Unrouted || user.has(Role::Dispatcher) || user.has(Role::Admin) {
                            option value=(s.as_str()) selected[f.status == s.as_str()] { (staff_label(lang, *s)) }
                        }
                    }
                }
            }
            label { (t.f_category) " "
                select name="category" {
                    option value="" selected[f.category.is_empty()] { (t.f_all) }
                    (category_options(state, lang, &f.category))
                }
            }
            label { (t.f_department) " "
                select name="department_id" {
                    option value="" selected[f.department_id.is_empty()] { (t.f_all) }
                    @for (id, name) in &scope.departments {
                        option value=(id) selected[f.department_id == id.to_string()] { (name) }
                    }
                }
            }
            label { (t.f_region) " "
                select name="region_id" {
                    option value="" selected[f.region_id.is_empty()] { (t.f_all) }
                    @for (id, name, depth) in &scope.regions {
                        option value=(id) selected[f.region_id == id.to_string()] { ("\u{3000}".repeat(*depth)) (name) }
                    }
                }
            }
            label { (t.f_search) " " input type="search" name="q" value=(f.q) maxlength="100"; }
            label.choice { input type="checkbox" name="overdue" value="true" checked[f.overdue]; " " (t.overdue) }
            button.primary type="submit" { (t.f_apply) }
            a href=(action) { (t.f_clear) }
        }
    }
}

#[get("/desk/live")]
async fn get_desk_live(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = crate::auth::extract::authenticate(&req)?;
    user.require_any(&DESK_ROLES)?;
    let (ctx, _) = context(&state, &req, Some(&user));
    let f = DeskFilters::from_query(req.query_string());
    let (_, queue) = load(&state, &user, &f, ctx.lang).await?;
    Ok(layout::respond(StatusCode::OK, queue, Vec::new()))
}

/// A category's name in the page's language (the code when the category is unknown).
pub(super) fn category_name(state: &AppState, lang: Lang, code: &str) -> String {
    match state.jurisdiction().reference().category(code) {
        Some(c) if lang == Lang::En => c.name_en.clone(),
        Some(c) => c.name_zh.clone(),
        None => code.to_owned(),
    }
}

/// The `<option>`s of every category, in the page's language, `selected` chosen.
pub(super) fn category_options(state: &AppState, lang: Lang, selected: &str) -> Markup {
    html! {
        @for c in state.jurisdiction().reference().categories() {
            option value=(c.code) selected[selected == c.code] {
                (if lang == Lang::En { &c.name_en } else { &c.name_zh })
            }
        }
    }
}

/// The status tabs and the queue.
async fn load(state: &AppState, user: &CurrentUser, f: &DeskFilters, lang: Lang) -> Result<(Markup, Markup), ApiError> {
    let viewer = viewer(state, user).await?;
    let page = query::list(state, &viewer, &ListParams::try_from(f.list())?).await?;
    let counts = query::counts(state, &viewer, &Filters::try_from(f.counts())?).await?;
    let dispatcher = user.has(Role::Dispatcher) || user.has(Role::Admin);
    let name = |code: &str| category_name(state, lang, code);
    let pager = pager(lang, f, page.next_cursor.as_deref());
    Ok((tabs(lang, f, &counts, dispatcher), html! { (queue(lang, &page.items, &name)) (pager) }))
}

/// The links to the first page (when past it) and the next (when there is one).
fn pager(lang: Lang, f: &DeskFilters, next: Option<&str>) -> Markup {
    let t = lang.texts();
    html! {
        @if f.page > 1 || next.is_some() {
            nav.pager aria-label=(t.page_next) {
                @if f.page > 1 { a #page-first href=(f.link(&f.status)) { "« " (t.page_first) } }
                span #page-no { (t.page_before) (f.page) (t.page_after) " · " (t.page_size) }
                @if let Some(cursor) = next { a #page-next rel="next" href=(f.next(cursor)) { (t.page_next) " »" } }
            }
        }
    }
}

/// The departments and regions the filter offers: those within the caller's reach.
#[derive(Default)]
struct Scope {
    /// (id, name), by name.
    departments: Vec<(Uuid, String)>,
    /// (id, name, depth below the top shown), in tree order; grids are left out (too many).
    regions: Vec<(Uuid, String, usize)>,
}

impl Scope {
    /// Admins and unscoped dispatchers: every department and region. Dispatchers of regions: those
    /// regions and below, and the departments answering for them (above or below). Department
    /// staff: their departments, and the regions those answer for.
    fn of(state: &AppState, viewer: &Viewer) -> Scope {
        let index = state.jurisdiction().current();
        let reference = state.jurisdiction().reference();
        let all = viewer.dispatch == DispatchScope::All;
        let mut roots: Vec<Uuid> = match &viewer.dispatch {
            DispatchScope::Regions(regions) => regions.clone(),
            _ => Vec::new(),
        };
        let mut departments = Vec::new();
        for d in reference.departments() {
            let chain = |id: Uuid| index.chain_of(id).into_iter().map(|r| r.id).collect::<Vec<_>>();
            let dispatched = match &viewer.dispatch {
                DispatchScope::All => true,
                DispatchScope::None => false,
                DispatchScope::Regions(regions) => {
                    regions.iter().any(|r| chain(*r).contains(&d.region_id) || chain(d.region_id).contains(r))
                }
            };
            let own = viewer.departments.contains(&d.id);
            if own {
                roots.push(d.region_id);
            }
            if dispatched || own {
                departments.push((d.id, d.name.clone()));
            }
        }
        let shown: Vec<_> = index.regions().filter(|r| r.level != RegionLevel::Grid).collect();
        let mut regions = Vec::new();
        let mut stack: Vec<(Uuid, usize)> = shown
            .iter()
            .filter(|r| if all { r.parent_id.is_none() } else { roots.contains(&r.id) })
            .map(|r| (r.id, 0))
            .collect();
        stack.reverse();
        while let Some((id, depth)) = stack.pop() {
            if regions.iter().any(|(seen, _, _)| *seen == id) {
                continue;
            }
            let Some(region) = index.get(id) else { continue };
            regions.push((id, region.name.clone(), depth));
            let children: Vec<_> =
                shown.iter().filter(|c| c.parent_id == Some(id)).map(|c| (c.id, depth + 1)).collect();
            stack.extend(children.into_iter().rev());
        }
        Scope { departments, regions }
    }
}

fn tabs(lang: Lang, f: &DeskFilters, counts: &TicketCounts, dispatcher: bool) -> Markup {
    let t = lang.texts();
    html! {
        nav.desk-tabs aria-label=(t.f_status) {
            a href=(f.link("")) aria-current=[f.status.is_empty().then_some("page")] {
                (t.f_all) " " span.count { (counts.total) }
            }
            @for c in &counts.statuses {
                @if c.status != TicketStatus::Unrouted || dispatcher {
                    a #{"tab-" (c.status.as_str())} href=(f.link(c.status.as_str()))
                        aria-current=[(f.status == c.status.as_str()).then_some("page")] {
                        (staff_label(lang, c.status)) " " span.count { (c.count) }
                    }
                }
            }
            @if counts.overdue > 0 { span.overdue { (t.overdue) " " (counts.overdue) } }
        }
    }
}

fn queue(lang: Lang, items: &[TicketSummary], category: &dyn Fn(&str) -> String) -> Markup {
    let t = lang.texts();
    html! {
        @if items.is_empty() {
            p.empty { (t.queue_empty) }
        } @else {
            div.scroll {
                table.queue {
                    thead { tr {
                        th scope="col" { (t.col_number) }
                        th scope="col" { (t.f_status) }
                        th scope="col" { (t.f_category) }
                        th scope="col" { (t.col_what) }
                        th scope="col" { (t.due) }
                    } }
                    tbody {
                        @for ticket in items {
                            tr #{"t-" (ticket.number)} data-status=(ticket.status.as_str()) class=[ticket.overdue.then_some("late")] {
                                td { a href={"/desk/tickets/" (ticket.id)} { (ticket.number) } }
                                td { span class={"badge s-" (ticket.status.as_str())} { (staff_label(lang, ticket.status)) } }
                                td { (category(&ticket.category)) }
                                td.desc {
                                    (ticket.description.chars().take(60).collect::<String>())
                                    @if let Some(a) = &ticket.address { br; small.meta { (a) } }
                                }
                                td {
                                    @if let Some(due) = ticket.due_at {
                                        time datetime=(due.to_rfc3339()) { (china(due)) }
                                    }
                                    @if ticket.overdue { " " strong.overdue { (t.overdue) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = DeskFilters::from_query("status=confirmed&q=%E6%A5%BC&overdue=true&lang=en");
        assert_eq!(f.status, "confirmed");
        assert!(f.overdue);
        assert_eq!(f.link("rectifying"), "/desk?status=rectifying&overdue=true&q=%E6%A5%BC");
        assert_eq!(DeskFilters::default().link(""), "/desk");
    }

    #[test]
    fn the_next_page_keeps_the_filter_and_counts_pages() {
        let f = DeskFilters::from_query("status=confirmed&cursor=abc&page=2");
        assert_eq!((f.cursor.as_str(), f.page), ("abc", 2));
        assert_eq!(f.next("x+y"), "/desk?status=confirmed&cursor=x%2By&page=3");
        assert_eq!(f.link("confirmed"), "/desk?status=confirmed", "tabs start at the first page");
        assert_eq!(DeskFilters::from_query("page=7").page, 1, "no cursor, first page");
    }
}
