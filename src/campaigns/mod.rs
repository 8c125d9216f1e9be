//! Campaigns (专项整治): a named action with a time window, the categories it focuses on and the
//! regions it targets. The module owns the `campaign*` tables and the `ticket_campaign` tags:
//! `rules` (a valid definition and what it covers, pure), `store` (tagging in one statement: a new
//! ticket inside its own insert transaction, a campaign's tickets when it is created or changed),
//! `service` (use cases, scope checks, `active_for` for the intake bot's greeting), `routes`, `dto`.
//! Filtering lists, counts and exports by campaign is the ticket query's (`campaign_id`).

pub mod dto;
pub mod routes;
pub mod rules;
pub mod service;
pub mod store;

pub use service::active_for;
