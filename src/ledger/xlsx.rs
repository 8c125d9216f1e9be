//! The ledger as an Excel workbook, written row by row in `rust_xlsxwriter`'s constant-memory mode
//! (each row goes to a temporary file as it is written, strings inline), so a million rows take the
//! memory of one. Times are real Excel dates (serial numbers in China time with a date format), so
//! offices can sort and filter by them. A sheet holds at most 1,048,575 rows under its header; more
//! continue on a second sheet.

use std::{io::Write, path::Path};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::row::{china, neutralise, Cell, LedgerRow, HEADERS, WIDTHS};

/// The sheet's name (a second sheet, past Excel's row limit, gets ` 2`).
pub const SHEET: &str = "隐患台账";
/// Data rows per sheet: Excel's 1,048,576 rows less the header.
pub const ROWS_PER_SHEET: u32 = 1_048_575;
/// The format of time cells.
pub const TIME_FORMAT: &str = "yyyy-mm-dd hh:mm";

/// A workbook being written.
pub struct XlsxLedger {
    workbook: Workbook,
    sheet: usize,
    row: u32,
    header: Format,
    time: Format,
    text: Format,
}

/// Excel's serial number of a wall-clock time: days since 1899-12-30 (valid after 1900-03-01).
pub fn excel_serial(at: chrono::NaiveDateTime) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    (at - epoch).num_milliseconds() as f64 / 86_400_000.0
}

impl XlsxLedger {
    /// A workbook whose row files go to `tempdir` (the system's by default).
    pub fn new(tempdir: Option<&Path>) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        if let Some(dir) = tempdir {
            workbook.set_tempdir(dir)?;
        }
        let mut this = Self {
            workbook,
            sheet: 0,
            row: 0,
            header: Format::new().set_bold().set_align(FormatAlign::Center),
            time: Format::new().set_num_format(TIME_FORMAT),
            text: Format::new().set_num_format("@"),
        };
        this.add_sheet(SHEET.to_owned())?;
        Ok(this)
    }

    fn add_sheet(&mut self, name: String) -> Result<(), XlsxError> {
        let sheet = self.workbook.add_worksheet_with_constant_memory();
        sheet.set_name(name)?;
        for (col, width) in (0u16..).zip(WIDTHS) {
            sheet.set_column_width(col, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (col, title) in (0u16..).zip(HEADERS) {
            sheet.write_string_with_format(0, col, title, &self.header)?;
        }
        self.sheet = self.workbook.worksheets().len().saturating_sub(1);
        self.row = 0;
        Ok(())
    }

    /// Appends one row.
    pub fn push(&mut self, row: &LedgerRow) -> Result<(), XlsxError> {
        if self.row >= ROWS_PER_SHEET {
            self.add_sheet(format!("{SHEET} {}", self.sheet + 2))?;
        }
        self.row += 1;
        let (r, time, text) = (self.row, &self.time, &self.text);
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for (col, cell) in (0u16..).zip(row.cells()) {
            match cell {
                // The number is text (`@`): Excel would otherwise drop leading zeros of codes.
                Cell::Text(t) if col == 0 => sheet.write_string_with_format(r, col, neutralise(t), text)?,
                Cell::Text(t) => sheet.write_string(r, col, neutralise(t))?,
                Cell::Time(at) => sheet.write_number_with_format(r, col, excel_serial(china(at)), time)?,
                Cell::Count(n) => sheet.write_number(r, col, n as f64)?,
                Cell::Empty => sheet,
            };
        }
        Ok(())
    }

    /// Finishes the workbook into `out` (which must be seekable: a zip needs its directory last).
    pub fn finish<W: Write + std::io::Seek + Send>(mut self, out: W) -> Result<(), XlsxError> {
        self.workbook.save_to_writer(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_count_days_from_1899_12_30() {
        let at = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(18, 0, 0).unwrap();
        // 2026-03-01 is day 46082; 18:00 is three quarters of it.
        assert!((excel_serial(at) - 46082.75).abs() < 1e-9, "{}", excel_serial(at));
    }
}
