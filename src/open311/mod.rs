//! Open311 GeoReport v2 (`/open311/v2`): hazard categories as services with their attributes, the
//! public feed of requests (tickets) with filters, creating requests with an API key (through
//! `tickets::service::submit`, channel `open311`), and tokens. Pure parts: `format` (JSON/XML and
//! the error list), `params` (query and form parsing, filters), `attributes` (the questions and
//! checking answers), `feed` (a ticket as the public sees it). Shell: `keys` (API keys, their
//! service accounts and rate limits), `service`, `routes` (Open311) and `key_routes` (admin REST).
//! It owns no workflow: tickets move only through the tickets service.

pub mod attributes;
pub mod dto;
pub mod feed;
pub mod format;
pub mod key_routes;
pub mod keys;
pub mod params;
pub mod routes;
pub mod service;
