//! The intake bot: a resident describes a hazard in their own words (WeChat or the app) and the
//! conversation turns it into a ticket.
//!
//! The conversation: `machine` (pure: `(session, inbound, now) → (session, replies, effects)`),
//! `prompts` (its words), `service` (sessions, one turn at a time, effects through
//! `tickets::service`), `wechat` (the official account's callback).
//! The understanding: category candidates from the categories' keyword lists (`nlu`, `lexicon`),
//! emergency triage first (`triage`), places typed in words matched against the region tree
//! (`places`), and `POST /api/v1/intake/understand`, which staff tools and the evaluation command
//! use (`understand`, `routes`, `dto`), with the labelled evaluation (`eval`). All of it is pure and
//! deterministic except the cached vocabulary in `understand`.

pub mod dto;
pub mod eval;
pub mod lexicon;
pub mod machine;
pub mod nlu;
pub mod places;
pub mod prompts;
pub mod routes;
pub mod service;
pub mod text;
pub mod triage;
pub mod understand;
pub mod wechat;
