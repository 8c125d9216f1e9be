//! One ledger row (台账) as offices file it: the columns in their order with Chinese headers, and
//! the cell values a row shows. Pure: the writers (`csv`, `xlsx`) format the cells, the source fills
//! the rows.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// The column headers, in the order offices use.
pub const HEADERS: [&str; 19] = [
    "编号",
    "发现时间",
    "来源",
    "隐患类别",
    "隐患等级",
    "隐患描述",
    "地点",
    "所属街道/社区/网格",
    "责任部门",
    "网格员",
    "整改措施",
    "整改期限",
    "整改完成时间",
    "验收人",
    "销号时间",
    "状态",
    "是否逾期",
    "督办次数",
    "满意度",
];

/// Column widths in the XLSX sheet (characters), parallel to [`HEADERS`].
pub const WIDTHS: [f64; 19] =
    [16.0, 17.0, 12.0, 12.0, 10.0, 40.0, 30.0, 28.0, 20.0, 10.0, 30.0, 17.0, 17.0, 10.0, 17.0, 12.0, 9.0, 9.0, 7.0];

/// `at` as a wall-clock time in China (UTC+8, no daylight saving since 1991).
pub fn china(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().checked_add_signed(TimeDelta::hours(8)).unwrap_or(at.naive_utc())
}

/// One hazard in the ledger; `None` is an empty cell (unknown or not yet happened).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// 编号: the ticket number.
    pub number: String,
    /// 发现时间: when the hazard was reported (registered), i.e. the ticket's creation.
    pub found_at: DateTime<Utc>,
    /// 来源: how it reached us.
    pub source: String,
    /// 隐患类别: the category's Chinese name.
    pub category: String,
    /// 隐患等级: 一般隐患 / 重大隐患, once verified.
    pub level: Option<String>,
    /// 隐患描述.
    pub description: String,
    /// 地点: the address, or the coordinates when none was given.
    pub place: String,
    /// 所属街道/社区/网格: the region chain below the district.
    pub area: String,
    /// 责任部门.
    pub department: Option<String>,
    /// 网格员 holding the on-site check.
    pub grid_worker: Option<String>,
    /// 整改措施: the department's plan when it accepted the rectification.
    pub measures: Option<String>,
    /// 整改期限: the rectification deadline in force (after approved extensions).
    pub deadline: Option<DateTime<Utc>>,
    /// 整改完成时间: when the fix was reported done (or made on the spot).
    pub completed_at: Option<DateTime<Utc>>,
    /// 验收人: who passed the check (or fixed it on the spot).
    pub checker: Option<String>,
    /// 销号时间: when it was struck off.
    pub struck_off_at: Option<DateTime<Utc>>,
    /// 状态: the staff label.
    pub status: String,
    /// 是否逾期: overdue now or at any time (see `source::was_overdue`).
    pub overdue: bool,
    /// 督办次数: escalations (`escalate` events).
    pub escalations: i64,
    /// 满意度: the reporter's score, 1–5.
    pub rating: Option<i64>,
}

/// A cell before formatting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Text (neutralised against formula injection by the writers).
    Text(&'a str),
    /// A point in time, shown in China time.
    Time(DateTime<Utc>),
    /// A whole number.
    Count(i64),
    /// Nothing known.
    Empty,
}

fn text(value: &Option<String>) -> Cell<'_> {
    value.as_deref().map_or(Cell::Empty, Cell::Text)
}

fn time(value: Option<DateTime<Utc>>) -> Cell<'static> {
    value.map_or(Cell::Empty, Cell::Time)
}

impl LedgerRow {
    /// The cells in [`HEADERS`] order.
    pub fn cells(&self) -> [Cell<'_>; 19] {
        [
            Cell::Text(&self.number),
            Cell::Time(self.found_at),
            Cell::Text(&self.source),
            Cell::Text(&self.category),
            text(&self.level),
            Cell::Text(&self.description),
            Cell::Text(&self.place),
            Cell::Text(&self.area),
            text(&self.department),
            text(&self.grid_worker),
            text(&self.measures),
            time(self.deadline),
            time(self.completed_at),
            text(&self.checker),
            time(self.struck_off_at),
            Cell::Text(&self.status),
            Cell::Text(if self.overdue { "是" } else { "否" }),
            Cell::Count(self.escalations),
            self.rating.map_or(Cell::Empty, Cell::Count),
        ]
    }
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return that
/// some importers strip first) gets a leading apostrophe, so it is shown, never evaluated.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{text}")),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// The label of a ticket's channel in the 来源 column.
pub fn source_label(channel: &str) -> &'static str {
    match channel {
        "app" => "群众随手拍",
        "wechat" => "微信公众号",
        "open311" => "热线转办",
        "staff" => "巡查登记",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_not_run() {
        for bad in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\r=1"] {
            assert!(neutralise(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(neutralise("楼道=堵"), "楼道=堵");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn china_time_is_eight_hours_ahead() {
        let at: DateTime<Utc> = "2026-01-31T16:30:00Z".parse().unwrap();
        assert_eq!(china(at).to_string(), "2026-02-01 00:30:00");
    }

    #[test]
    fn headers_and_cells_line_up() {
        let row = LedgerRow {
            number: "YH1".into(),
            found_at: Utc::now(),
            source: "巡查登记".into(),
            category: "消防安全".into(),
            level: None,
            description: "d".into(),
            place: "p".into(),
            area: "a".into(),
            department: None,
            grid_worker: None,
            measures: None,
            deadline: None,
            completed_at: None,
            checker: None,
            struck_off_at: None,
            status: "待签收".into(),
            overdue: false,
            escalations: 0,
            rating: None,
        };
        let cells = row.cells();
        assert_eq!(cells.len(), HEADERS.len());
        assert_eq!(cells.get(16), Some(&Cell::Text("否")));
        assert_eq!(cells.get(18), Some(&Cell::Empty));
    }
}
