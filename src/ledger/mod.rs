//! Ledger: read-only exports of the tickets in the caller's scope, with the ticket list's filters
//! and visibility (`tickets::query::condition`, one condition for lists, counts and exports). The
//! hazard ledger (隐患台账) as CSV or XLSX — `row` (the columns offices use), `csv` and `xlsx` (the
//! formats, pure), `source` (the database read page by page, keyset on `(created_at, id)`),
//! `service` (streaming and the blocking writer) — and the map feed as GeoJSON (`map`, pure grid
//! clustering; `feed`). It writes nothing and owns no tables; campaigns are `crate::campaigns`.

pub mod csv;
pub mod dto;
pub mod feed;
pub mod map;
pub mod routes;
pub mod row;
pub mod service;
pub mod source;
pub mod xlsx;
