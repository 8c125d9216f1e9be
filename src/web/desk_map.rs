//! `/desk/map`: the tickets in the caller's scope on a map drawn on the server as SVG from our own
//! region boundaries (`svgmap`), one mark per ticket coloured and shaped by status, each a link to
//! its desk page; the desk queue's filters, kept in the URL; a street's name zooms to it
//! (`region_id`). The points come from the ledger's map feed (`ledger::feed`, the ticket list's
//! scope and filters), the totals from the ticket counts; past `MAX_MARKS` (or `ledger.map_max_limit`
//! when lower) the feed's grid cells are
//! drawn with their counts instead. Tiles under the boundaries only when `web.map_tiles_url` is set.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    chat::to_login,
    context,
    desk::{category_name, filter_form, is_desk, DeskFilters},
    i18n::Lang,
    layout::{self, Nav},
    session,
    svgmap::{self, Frame, Outline},
    worker::staff_label,
};
use crate::{
    auth::CurrentUser,
    error::ApiError,
    geo::{
        point::CoordSystem,
        region::{RegionLevel, RegionShape},
    },
    ledger::{
        dto::{MapFeed, MapProperties},
        feed::{self, MapParams},
        map::BBox,
        service::require_staff,
    },
    state::AppState,
    tickets::{
        dto::TicketView,
        query::{self, ListParams},
        routes::viewer,
        status::TicketStatus,
    },
};

/// Most tickets drawn one by one; more are drawn as counted cells.
const MAX_MARKS: u64 = 500;
/// Most outline points drawn (after simplification).
const OUTLINE_BUDGET: usize = 20_000;
/// Most tiles under the map.
const MAX_TILES: usize = 64;
/// A mark's radius in viewBox units.
const R: f64 = 7.0;

/// Mounts `/desk/map`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_map);
}

#[get("/desk/map")]
async fn get_map(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let f = DeskFilters::from_query(req.query_string());
    let (status, body) = match load(&state, &user, &f, ctx.lang).await {
        Ok(body) => (StatusCode::OK, body),
        Err(e) if e.status().is_client_error() => {
            (StatusCode::BAD_REQUEST, html! { p.msg.error role="alert" { (t.err_filter) } })
        }
        Err(e) => {
            tracing::error!(error = ?e, "desk map page");
            (StatusCode::INTERNAL_SERVER_ERROR, html! { p.msg.error role="alert" { (t.err_generic) } })
        }
    };
    let main = html! {
        h1 { (t.map_title) }
        p.desk-links {
            a href=(f.link_on("/desk", &f.status)) { (t.map_to_queue) }
            " · " a href="/desk/stats" { (t.nav_stats) }
            @if !f.region_id.is_empty() {
                " · " a href=(DeskFilters { region_id: String::new(), ..f.clone() }.link_on("/desk/map", &f.status)) { (t.map_whole) }
            }
        }
        (filter_form(&state, &user, ctx.lang, &f, "/desk/map").await)
        (body)
    };
    let tiles = state.settings().web.map_tiles_origin();
    layout::respond_with_images_from(
        status,
        layout::page(&ctx, t.map_title, Nav::Map, main, &[]),
        cookies,
        tiles.as_deref(),
    )
}

/// The regions drawn: `focus` and everything below it, or all.
fn regions_of(index: &crate::geo::index::RegionIndex, focus: Option<Uuid>) -> Vec<&RegionShape> {
    match focus.filter(|id| index.get(*id).is_some()) {
        None => index.regions().collect(),
        Some(id) => index.regions().filter(|r| index.chain_of(r.id).iter().any(|c| c.id == id)).collect(),
    }
}

/// The map, its legend and the list of what it shows.
async fn load(state: &AppState, user: &CurrentUser, f: &DeskFilters, lang: Lang) -> Result<Markup, ApiError> {
    let viewer = viewer(state, user).await?;
    require_staff(&viewer)?;
    let filters = ListParams::try_from(f.list())?.filters;
    let index = state.jurisdiction().current();
    let regions = regions_of(&index, filters.region_id);
    let bbox = svgmap::extent(regions.iter().copied()).unwrap_or(BBox::CHINA);
    let limit = MAX_MARKS.min(state.settings().ledger.map_max_limit);
    let params = MapParams { filters: filters.clone(), bbox, limit, coord_system: CoordSystem::Gcj02 };
    let (feed, counts) = tokio::try_join!(feed::map(state, &viewer, &params), query::counts(state, &viewer, &filters))?;
    let frame = Frame::fit(bbox);
    let outlines = svgmap::outlines(&frame, &regions, OUTLINE_BUDGET);
    let template = &state.settings().web.map_tiles_url;
    let tiles = if template.is_empty() { Vec::new() } else { frame.tiles(template, MAX_TILES) };
    let outside = u64::try_from(counts.total).unwrap_or(0).saturating_sub(feed.total);
    let name = |code: &str| category_name(state, lang, code);
    Ok(render(lang, f, &frame, (&outlines, &tiles), (&feed, limit, outside), &name))
}

/// Where one ticket is: its community's outlines (its grid's and the grids beside it) with the
/// ticket's mark, and a link to the desk map of that community. Without a region (a place outside
/// ours) the mark alone on a few hundred metres around it.
pub(super) fn position_map(state: &AppState, lang: Lang, ticket: &TicketView) -> Markup {
    let t = lang.texts();
    let index = state.jurisdiction().current();
    let (lng, lat) = (ticket.location.gcj02.lng, ticket.location.gcj02.lat);
    let chain = ticket.location.region_id.map(|r| index.chain_of(r)).unwrap_or_default();
    let area = chain.iter().find(|r| r.level != RegionLevel::Grid).map(|r| r.id);
    let regions = area.map(|a| regions_of(&index, Some(a))).unwrap_or_default();
    let around = BBox { min_lng: lng - 0.004, min_lat: lat - 0.003, max_lng: lng + 0.004, max_lat: lat + 0.003 };
    let frame = Frame::fit(svgmap::extent(regions.iter().copied()).unwrap_or(around));
    let outlines = svgmap::outlines(&frame, &regions, OUTLINE_BUDGET);
    let at = frame.project(lng, lat);
    html! {
        figure.position {
            svg.map.small #position xmlns="http://www.w3.org/2000/svg" viewBox=(frame.view_box()) role="img" aria-labelledby="position-title" {
                title #position-title { (t.position_title) " · " (ticket.number) }
                (region_outlines(&outlines))
                // Drawn about a third of the map page's size: marks scaled up to stay visible.
                g.marks aria-hidden="true" {
                    circle.here cx=(at.0) cy=(at.1) r=(R * 5.5) {}
                    (mark(ticket.status, at, R * 3.5))
                }
            }
            @if let Some(area) = area {
                figcaption {
                    a href={"/desk/map?region_id=" (area)} { (t.position_on_map) }
                }
            }
        }
    }
}

/// The drawn regions: the coarsest level's land filled first, then the borders finest first so
/// the coarse ones stay on top.
fn region_outlines(outlines: &[Outline]) -> Markup {
    let top = outlines.first().map(|o| o.level);
    html! {
        g.regions aria-hidden="true" {
            @for o in outlines.iter().filter(|o| Some(o.level) == top) {
                path.land d=(o.d) fill-rule="evenodd" {}
            }
            @for o in outlines.iter().rev() {
                path class={"r r-" (level_name(o.level))} d=(o.d) {}
            }
        }
    }
}

/// The shape of a status's mark: circles wait for the check on site, a diamond is a confirmed
/// hazard, squares are being fixed or checked, a triangle is closed, a cross was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Circle,
    Diamond,
    Square,
    Triangle,
    Cross,
}

fn shape(status: TicketStatus) -> Shape {
    match status {
        TicketStatus::Unrouted | TicketStatus::Assigned | TicketStatus::Verifying => Shape::Circle,
        TicketStatus::Confirmed => Shape::Diamond,
        TicketStatus::Rectifying | TicketStatus::AwaitingCheck => Shape::Square,
        TicketStatus::Closed => Shape::Triangle,
        TicketStatus::Rejected => Shape::Cross,
    }
}

/// A mark of `status` at `(x, y)`, about `2r` across.
fn mark(status: TicketStatus, (x, y): (f64, f64), r: f64) -> Markup {
    let class = format!("mk mk-{}", status.as_str());
    let s = r * 0.85;
    let d = match shape(status) {
        Shape::Circle => return html! { circle class=(class) cx=(x) cy=(y) r=(r) {} },
        Shape::Diamond => format!(
            "M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z",
            y - r * 1.2,
            x + r * 1.2,
            y + r * 1.2,
            x - r * 1.2
        ),
        Shape::Square => format!("M{:.1} {:.1}H{:.1}V{:.1}H{:.1}Z", x - s, y - s, x + s, y + s, x - s),
        Shape::Triangle => format!(
            "M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
            y - r * 1.2,
            x + r * 1.1,
            y + r * 0.8,
            x - r * 1.1,
            y + r * 0.8
        ),
        Shape::Cross => format!(
            "M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}",
            x - s,
            y - s,
            x + s,
            y + s,
            x + s,
            y - s,
            x - s,
            y + s
        ),
    };
    html! { path class=(class) d=(d) {} }
}

/// The summary, legend, map and list: `(outlines, tiles)` drawn under `(feed, limit, outside)`,
/// the feed asked for at most `limit` points and `outside` matching tickets beyond the frame.
fn render(
    lang: Lang,
    f: &DeskFilters,
    frame: &Frame,
    (outlines, tiles): (&[Outline], &[svgmap::Tile]),
    (feed, limit, outside): (&MapFeed, u64, u64),
    category: &dyn Fn(&str) -> String,
) -> Markup {
    let t = lang.texts();
    let drawn: Vec<_> = spread(
        feed.features
            .iter()
            .filter_map(|ft| match &ft.properties {
                MapProperties::Ticket(p) => {
                    Some((frame.project(ft.geometry.coordinates[0], ft.geometry.coordinates[1]), p))
                }
                MapProperties::Cluster(_) => None,
            })
            .collect(),
    );
    let cells: Vec<_> = feed
        .features
        .iter()
        .filter_map(|ft| match &ft.properties {
            MapProperties::Cluster(c) => {
                Some((frame.project(ft.geometry.coordinates[0], ft.geometry.coordinates[1]), c))
            }
            MapProperties::Ticket(_) => None,
        })
        .collect();
    let summary = if feed.clustered {
        t.map_clustered.replace("{total}", &feed.total.to_string()).replace("{max}", &limit.to_string())
    } else {
        t.map_drawn.replace("{n}", &drawn.len().to_string())
    };
    // Names go on the level below the coarsest drawn (the streets of a city, a street's communities).
    let top = outlines.first().map(|o| o.level);
    let label_level = outlines.iter().map(|o| o.level).find(|l| Some(*l) > top).or(top);
    html! {
        p #map-summary.map-summary role="status" data-drawn=(drawn.len()) data-total=(feed.total) data-clustered=(feed.clustered) {
            (summary)
            @if outside > 0 { " " (t.map_outside.replace("{n}", &outside.to_string())) }
        }
        @if outlines.is_empty() { p.hint { (t.map_no_regions) } }
        (legend(lang, &drawn.iter().map(|(_, p)| p.status).collect::<Vec<_>>()))
        div.map-wrap {
            svg.map #map xmlns="http://www.w3.org/2000/svg" viewBox=(frame.view_box()) aria-labelledby="map-title map-desc"
                class=[(!tiles.is_empty()).then_some("tiled")] {
                title #map-title { (t.map_title) }
                desc #map-desc { (summary) }
                @if !tiles.is_empty() {
                    g.tiles aria-hidden="true" {
                        @for tile in tiles {
                            image href=(tile.href) x=(tile.x) y=(tile.y) width=(tile.size) height=(tile.size) {}
                        }
                    }
                }
                (region_outlines(outlines))
                g.labels {
                    @for o in outlines.iter().filter(|o| Some(o.level) == label_level) {
                        @if let Some((x, y)) = o.label_at {
                            a href=(DeskFilters { region_id: o.id.to_string(), ..f.clone() }.link_on("/desk/map", &f.status)) {
                                title { (t.map_zoom.replace("{name}", &o.name)) }
                                text x=(x) y=(y) text-anchor="middle" { (o.name) }
                            }
                        }
                    }
                }
                g.cells {
                    @for ((x, y), c) in &cells {
                        g.cell {
                            title { (t.map_cell.replace("{n}", &c.count.to_string())) }
                            circle cx=(x) cy=(y) r=(R + 3.0 * (c.count as f64).log2()) {}
                            text x=(x) y=(y) dy="0.35em" text-anchor="middle" { (c.count) }
                        }
                    }
                }
                g.marks {
                    @for (at, p) in &drawn {
                        a #{"m-" (p.number)} href={"/desk/tickets/" (p.id)} class=[p.overdue.then_some("late")] data-status=(p.status.as_str()) {
                            title { (p.number) " · " (category(&p.category)) " · " (staff_label(lang, p.status)) @if p.overdue { " · " (t.overdue) } }
                            @if p.overdue { circle.ring cx=(at.0) cy=(at.1) r=(R + 4.0) {} }
                            (mark(p.status, *at, R))
                        }
                    }
                }
            }
        }
        @if !drawn.is_empty() {
            details.map-list {
                summary { (t.map_list) }
                div.scroll {
                    table.queue {
                        thead { tr { th scope="col" { (t.col_number) } th scope="col" { (t.f_status) } th scope="col" { (t.f_category) } } }
                        tbody {
                            @for (_, p) in &drawn {
                                tr {
                                    td { a href={"/desk/tickets/" (p.id)} { (p.number) } }
                                    td { (staff_label(lang, p.status)) @if p.overdue { " · " strong.overdue { (t.overdue) } } }
                                    td { (category(&p.category)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Marks on (nearly) the same spot moved apart on a small spiral around it, so each stays visible
/// and clickable; the first stays in place.
fn spread<T>(marks: Vec<((f64, f64), T)>) -> Vec<((f64, f64), T)> {
    // Anchors: where a first mark sat, and how many sit there (at most `MAX_MARKS`, so a scan is fine).
    let mut anchors: Vec<((f64, f64), u32)> = Vec::new();
    marks
        .into_iter()
        .map(|((x, y), m)| {
            let near = anchors.iter_mut().find(|((ax, ay), _)| (ax - x).hypot(ay - y) < R);
            let (origin, n) = match near {
                Some((at, k)) => {
                    *k += 1;
                    (*at, f64::from(*k - 1))
                }
                None => {
                    anchors.push(((x, y), 1));
                    ((x, y), 0.0)
                }
            };
            let (angle, radius) = (n * 2.4, 2.2 * R * n.sqrt());
            let at = (
                ((origin.0 + radius * angle.cos()) * 10.0).round() / 10.0,
                ((origin.1 + radius * angle.sin()) * 10.0).round() / 10.0,
            );
            (at, m)
        })
        .collect()
}

fn level_name(level: crate::geo::region::RegionLevel) -> &'static str {
    use crate::geo::region::RegionLevel as L;
    match level {
        L::District => "district",
        L::Street => "street",
        L::Community => "community",
        L::Grid => "grid",
    }
}

/// Each status's mark and name with how many are drawn, and the overdue ring.
fn legend(lang: Lang, drawn: &[TicketStatus]) -> Markup {
    let t = lang.texts();
    html! {
        ul.legend aria-label=(t.map_legend) {
            @for s in TicketStatus::ALL {
                li data-status=(s.as_str()) {
                    svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" { (mark(*s, (10.0, 10.0), 7.0)) }
                    " " (staff_label(lang, *s)) " " span.count { (drawn.iter().filter(|d| *d == s).count()) }
                }
            }
            li {
                svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" {
                    circle.ring cx="10" cy="10" r="8" {}
                }
                " " (t.map_overdue_ring)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_on_one_spot_are_spread_apart_and_others_stay() {
        let out =
            spread(vec![((100.0, 100.0), 'a'), ((100.5, 100.0), 'b'), ((300.0, 40.0), 'c'), ((100.0, 100.0), 'd')]);
        assert_eq!(out[0].0, (100.0, 100.0));
        assert_eq!(out[2].0, (300.0, 40.0));
        for (i, j) in [(0, 1), (0, 3), (1, 3)] {
            let (a, b) = (out[i].0, out[j].0);
            assert!((a.0 - b.0).hypot(a.1 - b.1) >= 1.5 * R, "{a:?} {b:?}");
        }
    }

    #[test]
    fn every_status_has_a_shape_and_a_colour_class() {
        for s in TicketStatus::ALL {
            let m = mark(*s, (10.0, 10.0), 7.0).into_string();
            assert!(m.contains(&format!("class=\"mk mk-{}\"", s.as_str())), "{m}");
        }
        assert_eq!(shape(TicketStatus::Closed), Shape::Triangle);
    }
}
