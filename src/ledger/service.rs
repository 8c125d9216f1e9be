//! Use cases: export the ledger (streamed CSV, or an XLSX workbook built in constant memory on a
//! blocking thread and then streamed from a temporary file) and answer the map feed.

use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use bytes::Bytes;
use futures_util::Stream;

use super::{csv, row::LedgerRow, source::LedgerSource, xlsx::XlsxLedger};
use crate::{
    error::ApiError,
    state::AppState,
    tickets::{access::Viewer, query::Filters},
};

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFormat {
    /// UTF-8 CSV with a byte-order mark.
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl LedgerFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            LedgerFormat::Csv => "csv",
            LedgerFormat::Xlsx => "xlsx",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            LedgerFormat::Csv => "text/csv; charset=utf-8",
            LedgerFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Staff only: residents have no ledger.
pub fn require_staff(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden("the ledger is for staff"))
    }
}

/// Starts an export of what `viewer` may see under `filters`.
pub async fn open(state: &AppState, viewer: &Viewer, filters: &Filters) -> Result<LedgerSource, ApiError> {
    let page = state.settings().ledger.page_size;
    Ok(LedgerSource::open(state.db().clone(), viewer, filters, page, state.clock().now()).await?)
}

/// The CSV file as a stream of chunks, one per database page. A failure after the first byte can
/// only cut the body short: it is logged and the connection closed, so the file is visibly broken.
pub fn csv_stream(source: LedgerSource) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold((Some(source), true), |(source, first)| async move {
        let mut source = source?;
        if first {
            return Some((Ok(Bytes::from(csv::head())), (Some(source), false)));
        }
        match source.next_page().await {
            Ok(Some(rows)) => {
                let mut out = String::with_capacity(rows.len() * 256);
                for row in &rows {
                    csv::push_row(&mut out, row);
                }
                Some((Ok(Bytes::from(out)), (Some(source), false)))
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "ledger export failed mid-stream");
                Some((Err(std::io::Error::other(e)), (None, false)))
            }
        }
    })
}

/// Writes the whole export to `out` (a file, or a temporary file to stream), calling `progress` with
/// the rows written so far after each page. The writing runs on a blocking thread fed page by page,
/// so at most two pages wait in memory. Answers `out` (rewound) and the number of rows.
pub async fn write<W>(
    mut source: LedgerSource,
    format: LedgerFormat,
    out: W,
    mut progress: impl FnMut(u64),
) -> Result<(W, u64), ApiError>
where
    W: Write + Seek + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<LedgerRow>>(2);
    let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<W> {
        match format {
            LedgerFormat::Csv => {
                let mut w = BufWriter::with_capacity(256 * 1024, out);
                w.write_all(csv::head().as_bytes())?;
                let mut text = String::new();
                while let Some(rows) = rx.blocking_recv() {
                    text.clear();
                    for row in &rows {
                        csv::push_row(&mut text, row);
                    }
                    w.write_all(text.as_bytes())?;
                }
                let mut out = w.into_inner().map_err(|e| e.into_error())?;
                out.seek(SeekFrom::Start(0))?;
                Ok(out)
            }
            LedgerFormat::Xlsx => {
                let mut book = XlsxLedger::new(None)?;
                while let Some(rows) = rx.blocking_recv() {
                    for row in &rows {
                        book.push(row)?;
                    }
                }
                let mut out = out;
                book.finish(&mut out)?;
                out.seek(SeekFrom::Start(0))?;
                Ok(out)
            }
        }
    });
    let mut written = 0u64;
    let fed = async {
        while let Some(rows) = source.next_page().await? {
            written += rows.len() as u64;
            if tx.send(rows).await.is_err() {
                break; // the writer failed; its error is reported below
            }
            progress(written);
        }
        Ok::<(), ApiError>(())
    }
    .await;
    drop(tx);
    let out = writer
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("ledger writer stopped: {e}")))?
        .map_err(|e| ApiError::internal(e.context("writing the ledger")))?;
    fed?;
    Ok((out, written))
}

/// A finished file as a stream of 256 KiB chunks (each read on a blocking thread).
pub fn file_stream(file: std::fs::File) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 256 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    })
}
