//! Tickets: a hazard's life from report to close-out (销号).
//!
//! The pure core owns the vocabulary (`status`), the parsed commands (`command`), the transition
//! rules with the events and notification intents they produce (`workflow`), deadlines on the
//! working-day calendar (`sla`) and evidence checks (`evidence`); it does no I/O and takes time,
//! routing, policy and calendar as arguments. Around it: `number` hands out human numbers from a
//! database counter, `store` maps rows to workflow state and writes each move with its event and
//! outbox rows, `access` decides who sees what and in which capacity they act, `duplicates` finds
//! possible duplicates, `service` runs the use cases in transactions, `live` tells the desk of each
//! committed change, `escalation` is the background
//! job that escalates (督办) overdue tickets, and `routes` is HTTP.

pub mod access;
pub mod command;
pub mod dto;
pub mod duplicates;
pub mod escalation;
pub mod evidence;
pub mod extras;
pub mod live;
pub mod number;
pub mod query;
pub mod routes;
pub mod service;
pub mod sla;
pub mod status;
pub mod store;
pub mod templates;
pub mod workflow;
