//! The ledger as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Chinese as
//! GBK), RFC 4180 quoting and CRLF line ends, times as `YYYY-MM-DD HH:MM` China time, formulas
//! neutralised. Pure: appends text to a buffer the caller sends.

use std::fmt::Write as _;

use super::row::{china, neutralise, Cell, LedgerRow, HEADERS};

/// The UTF-8 byte-order mark that opens the file.
pub const BOM: &str = "\u{feff}";

fn field(out: &mut String, text: &str) {
    let text = neutralise(text);
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

fn cell(out: &mut String, cell: Cell<'_>) {
    match cell {
        Cell::Text(t) => field(out, t),
        Cell::Time(at) => {
            let _ = write!(out, "{}", china(at).format("%Y-%m-%d %H:%M"));
        }
        Cell::Count(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Empty => {}
    }
}

/// The byte-order mark and the header line.
pub fn head() -> String {
    let mut out = String::from(BOM);
    for (i, h) in HEADERS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, h);
    }
    out.push_str("\r\n");
    out
}

/// Appends one row and its line end.
pub fn push_row(out: &mut String, row: &LedgerRow) {
    for (i, c) in row.cells().into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, c);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn row() -> LedgerRow {
        let at: DateTime<Utc> = "2026-03-01T02:05:09Z".parse().unwrap();
        LedgerRow {
            number: "YH202603010001".into(),
            found_at: at,
            source: "群众随手拍".into(),
            category: "消防安全".into(),
            level: Some("一般隐患".into()),
            description: "楼道\"堆物\",\r\n堵塞".into(),
            place: "=HYPERLINK(\"x\")".into(),
            area: "幸福街道/阳光社区/1号网格".into(),
            department: None,
            grid_worker: Some("王五".into()),
            measures: None,
            deadline: None,
            completed_at: None,
            checker: None,
            struck_off_at: None,
            status: "待签收".into(),
            overdue: true,
            escalations: 2,
            rating: Some(5),
        }
    }

    #[test]
    fn quotes_neutralises_and_leaves_unknowns_empty() {
        let mut out = String::new();
        push_row(&mut out, &row());
        assert_eq!(
            out,
            "YH202603010001,2026-03-01 10:05,群众随手拍,消防安全,一般隐患,\"楼道\"\"堆物\"\",\r\n堵塞\",\
             \"'=HYPERLINK(\"\"x\"\")\",幸福街道/阳光社区/1号网格,,王五,,,,,,待签收,是,2,5\r\n"
        );
    }

    #[test]
    fn the_file_opens_with_a_bom_and_the_headers() {
        let head = head();
        assert!(head.starts_with('\u{feff}'));
        assert!(head.ends_with("督办次数,满意度\r\n"));
        assert_eq!(head.matches(',').count(), 18);
    }
}
