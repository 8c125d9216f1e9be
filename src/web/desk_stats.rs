//! `/desk/stats`: the statistics of the tickets reported in a period of whole China months
//! (default the last six, this one included) in the caller's scope — the totals with the two
//! rates and their formulas, bar charts by category and by department, the rectification and
//! on-time rates per month — drawn as SVG on the server (`charts`), each with a table of the same
//! numbers; and links downloading the hazard ledger (台账) of the period as CSV and XLSX from the
//! ledger endpoints (the session cookie authenticates a GET). The figures are `stats::service`'s.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{html, Markup};

use super::{
    charts::{self, Bar, Series},
    chat::to_login,
    context,
    desk::{category_name, is_desk},
    i18n::{Lang, Texts},
    layout::{self, Nav},
    session,
};
use crate::{
    auth::CurrentUser,
    error::ApiError,
    state::AppState,
    stats::{
        dto::{Figures, GroupFigures, StatsView},
        params::{GroupBy, StatsFilters, StatsParams},
        period::{Bucket, Month},
        rate::Rate,
        service,
    },
    tickets::routes::viewer,
};

/// Months shown when the form names none.
const DEFAULT_MONTHS: usize = 6;
/// The longest period the page draws.
const MAX_MONTHS: usize = 24;

/// Mounts `/desk/stats`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_dashboard);
}

/// The period form as sent (echoed back) and what it means: whole months `from..=to`.
#[derive(Debug, Clone, PartialEq)]
struct PeriodForm {
    from: String,
    to: String,
}

/// Why a period is refused, as the words the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodError {
    Month,
    Order,
    Span,
}

impl PeriodError {
    fn text(self, t: &Texts) -> &'static str {
        match self {
            PeriodError::Month => t.stats_err_month,
            PeriodError::Order => t.stats_err_order,
            PeriodError::Span => t.stats_err_span,
        }
    }
}

/// The months `from..=to` in order.
fn months(from: Month, to: Month) -> Vec<Month> {
    let mut out = vec![from];
    let mut m = from;
    while m < to && out.len() <= MAX_MONTHS {
        m = m.next();
        out.push(m);
    }
    out
}

/// The period of a query string at `now`: `from` and `to` months (`YYYY-MM`), each defaulting to
/// the last `DEFAULT_MONTHS` months up to this one.
fn period(query: &str, now: DateTime<Utc>) -> (PeriodForm, Result<(Month, Month), PeriodError>) {
    let this = Month::of(now);
    let mut first = this;
    for _ in 1..DEFAULT_MONTHS {
        first = first.previous();
    }
    let mut form = PeriodForm { from: first.key(), to: this.key() };
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "from" => form.from = v.trim().chars().take(20).collect(),
            "to" => form.to = v.trim().chars().take(20).collect(),
            _ => {}
        }
    }
    let (Some(from), Some(to)) = (Month::parse(&form.from), Month::parse(&form.to)) else {
        return (form, Err(PeriodError::Month));
    };
    let result = if from > to {
        Err(PeriodError::Order)
    } else if months(from, to).len() > MAX_MONTHS {
        Err(PeriodError::Span)
    } else {
        Ok((from, to))
    };
    (form, result)
}

#[get("/desk/stats")]
async fn get_dashboard(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let (form, asked) = period(req.query_string(), state.clock().now());
    let refused = asked.is_err();
    let (status, body) = match asked {
        Err(e) => (StatusCode::BAD_REQUEST, html! { p.msg.error #period-error role="alert" { (e.text(t)) } }),
        Ok((from, to)) => match load(&state, &user, from, to, ctx.lang).await {
            Ok(body) => (StatusCode::OK, body),
            Err(e) if e.status().is_client_error() => {
                (e.status(), html! { p.msg.error role="alert" { (t.err_generic) } })
            }
            Err(e) => {
                tracing::error!(error = ?e, "desk statistics page");
                (StatusCode::INTERNAL_SERVER_ERROR, html! { p.msg.error role="alert" { (t.err_generic) } })
            }
        },
    };
    let main = html! {
        h1 { (t.stats_title) }
        p.desk-links { a href="/desk" { (t.desk_title) } " · " a href="/desk/map" { (t.map_title) } }
        form.filters #period method="get" action="/desk/stats" {
            label { (t.stats_from) " "
                input type="month" name="from" value=(form.from) required pattern="[0-9]{4}-[0-9]{2}"
                    aria-invalid=[refused.then_some("true")] aria-describedby=[refused.then_some("period-error")];
            }
            label { (t.stats_to) " "
                input type="month" name="to" value=(form.to) required pattern="[0-9]{4}-[0-9]{2}"
                    aria-invalid=[refused.then_some("true")] aria-describedby=[refused.then_some("period-error")];
            }
            button.primary type="submit" { (t.stats_show) }
        }
        (body)
    };
    layout::respond(status, layout::page(&ctx, t.stats_title, Nav::Stats, main, &[]), cookies)
}

/// The figures of the months `from..=to`: totals, by category, by department, per month.
async fn load(state: &AppState, user: &CurrentUser, from: Month, to: Month, lang: Lang) -> Result<Markup, ApiError> {
    let viewer = viewer(state, user).await?;
    service::ensure_staff(&viewer)?;
    let (start, end) = (from.bounds().0, to.bounds().1);
    let params = |group| StatsParams { from: start, to: end, filters: StatsFilters::default(), group_by: Some(group) };
    let (category, department, month) =
        (params(GroupBy::Category), params(GroupBy::Department), params(GroupBy::Time(Bucket::Month)));
    let (by_category, by_department, by_month) = tokio::try_join!(
        service::stats(state, &viewer, &category),
        service::stats(state, &viewer, &department),
        service::stats(state, &viewer, &month),
    )?;
    let t = lang.texts();
    let categories =
        bars(&by_category, |g| g.key.as_deref().map_or_else(|| "—".to_owned(), |k| category_name(state, lang, k)));
    let departments = bars(&by_department, |g| match (&g.key, &g.label) {
        (None, _) => t.stats_no_department.to_owned(),
        (Some(_), Some(name)) => name.clone(),
        (Some(id), None) => id.clone(),
    });
    let slots: Vec<String> = by_month.groups.iter().map(|g| g.key.clone().unwrap_or_default()).collect();
    let rates = [
        Series {
            name: t.stats_rectification_rate.to_owned(),
            class: "line-a",
            points: by_month.groups.iter().map(|g| g.figures.rectification_rate.percent).collect(),
        },
        Series {
            name: t.stats_on_time_rate.to_owned(),
            class: "line-b",
            points: by_month.groups.iter().map(|g| g.figures.on_time_rate.percent).collect(),
        },
    ];
    let period_text = format!("{} – {}", from.key(), to.key());
    Ok(html! {
        p.hint { (t.stats_period_note.replace("{period}", &period_text)) }
        (exports(t, start, end))
        (totals(t, &by_category.totals))
        div.charts {
            (bar_section(t, "by-category", t.stats_by_category, t.f_category, &categories))
            (bar_section(t, "by-department", t.stats_by_department, t.stats_department, &departments))
            section.chart-card #by-month aria-labelledby="by-month-h" {
                h2 #by-month-h { (t.stats_rates_by_month) }
                div.chart-wrap { (charts::lines("by-month-chart", t.stats_rates_by_month, &slots, &rates)) }
                ul.line-legend {
                    li.line-a { span.swatch aria-hidden="true" {} (t.stats_rectification_rate) }
                    li.line-b { span.swatch aria-hidden="true" {} (t.stats_on_time_rate) }
                }
                details {
                    summary { (t.stats_table) }
                    div.scroll {
                        table.queue {
                            thead { tr {
                                th scope="col" { (t.stats_month) }
                                th scope="col" { (t.stats_rectification_rate) }
                                th scope="col" { (t.stats_on_time_rate) }
                            } }
                            tbody {
                                @for g in &by_month.groups {
                                    tr {
                                        th scope="row" { (g.key.as_deref().unwrap_or("")) }
                                        td { (rate(&g.figures.rectification_rate)) }
                                        td { (rate(&g.figures.on_time_rate)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// Bars of the reports per group, most first (as the service orders them).
fn bars(view: &StatsView, label: impl Fn(&GroupFigures) -> String) -> Vec<Bar> {
    view.groups
        .iter()
        .map(|g| Bar { key: g.key.clone().unwrap_or_default(), label: label(g), value: g.figures.reported })
        .collect()
}

/// A rate as `95.5% (21/22)`, or `—` without a denominator.
fn rate(r: &Rate) -> String {
    match r.percent {
        Some(p) => format!("{p}% ({}/{})", r.numerator, r.denominator),
        None => "—".to_owned(),
    }
}

/// The links downloading the ledger of the period (reported in `[from, to)`).
fn exports(t: &Texts, from: DateTime<Utc>, to: DateTime<Utc>) -> Markup {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &from.to_rfc3339_opts(SecondsFormat::Secs, true))
        .append_pair("to", &to.to_rfc3339_opts(SecondsFormat::Secs, true))
        .finish();
    html! {
        p.exports {
            span { (t.stats_ledger) " " }
            a.button #ledger-csv href={"/api/v1/ledger.csv?" (query)} download { (t.stats_csv) }
            a.button #ledger-xlsx href={"/api/v1/ledger.xlsx?" (query)} download { (t.stats_xlsx) }
        }
    }
}

/// The totals with the two rates and their formulas.
fn totals(t: &Texts, f: &Figures) -> Markup {
    let counts = [
        ("reported", t.stats_reported, f.reported),
        ("verified", t.stats_verified, f.verified),
        ("closed", t.stats_closed, f.closed),
        ("rectifying", t.stats_rectifying, f.rectifying),
        ("overdue", t.stats_overdue, f.overdue),
        ("rejected", t.stats_rejected, f.rejected),
        ("recorded_in_error", t.stats_in_error, f.recorded_in_error),
        ("duplicates", t.stats_duplicates, f.duplicates),
    ];
    html! {
        section #totals aria-labelledby="totals-h" {
            h2 #totals-h { (t.stats_totals) }
            dl.figures {
                @for (key, name, n) in counts {
                    div data-figure=(key) { dt { (name) } dd { (n) } }
                }
                div.rate data-figure="rectification_rate" {
                    dt { (t.stats_rectification_rate) }
                    dd { (rate(&f.rectification_rate)) small { (t.stats_rectification_formula) } }
                }
                div.rate data-figure="on_time_rate" {
                    dt { (t.stats_on_time_rate) }
                    dd { (rate(&f.on_time_rate)) small { (t.stats_on_time_formula) } }
                }
            }
        }
    }
}

/// A bar chart with its heading and its table.
fn bar_section(t: &Texts, id: &str, title: &str, column: &str, bars: &[Bar]) -> Markup {
    html! {
        section.chart-card #(id) aria-labelledby={(id) "-h"} {
            h2 #{(id) "-h"} { (title) }
            @if bars.is_empty() {
                p.empty { (t.stats_empty) }
            } @else {
                div.chart-wrap { (charts::bars(&format!("{id}-chart"), title, bars)) }
                details {
                    summary { (t.stats_table) }
                    div.scroll {
                        table.queue {
                            thead { tr { th scope="col" { (column) } th scope="col" { (t.stats_reported) } } }
                            tbody {
                                @for b in bars {
                                    tr { th scope="row" { (b.label) } td { (b.value) } }
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

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T10:00:00+08:00").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_period_defaults_to_six_months_and_refuses_bad_ones() {
        let (form, p) = period("", now());
        assert_eq!((form.from.as_str(), form.to.as_str()), ("2026-07", "2026-12"));
        let (from, to) = p.unwrap();
        assert_eq!(months(from, to).len(), 6);
        assert_eq!(period("from=2026-01&to=2026-03", now()).1.map(|(a, b)| months(a, b).len()), Ok(3));
        assert_eq!(period("from=2026-13&to=2026-12", now()).1, Err(PeriodError::Month));
        assert_eq!(period("from=last+year", now()).1, Err(PeriodError::Month));
        assert_eq!(period("from=2026-12&to=2026-01", now()).1, Err(PeriodError::Order));
        assert_eq!(period("from=2020-01&to=2026-01", now()).1, Err(PeriodError::Span));
        assert_eq!(period("from=2026-13", now()).0.from, "2026-13", "the form shows what was sent");
    }
}
