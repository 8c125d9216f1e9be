//! Statistics (统计) and the monthly bulletin (定期通报): counts, rates, step times and rankings over
//! the tickets reported in a period, in the caller's scope, computed in the database with GROUP BY.
//!
//! The definitions are the point and live beside the arithmetic: which tickets a period holds and
//! what each figure counts is in `query` (the SQL) and README's "Statistics" notes; `period` is the
//! China calendar (UTC+08:00, ISO weeks from Monday), `rate` rounds rates and means from integer
//! numerators and denominators, `ranking` ranks streets and departments; `params` turns query text
//! into those types (a bad value is a 422 naming the parameter). The module reads ticket rows only
//! (the step times are kept on them, migration 000013); it never writes and owns no table.

pub mod dto;
pub mod params;
pub mod period;
pub mod query;
pub mod ranking;
pub mod rate;
pub mod routes;
pub mod service;
