//! hazardline: report safety hazards from a phone, route them to the responsible department,
//! and follow them to close-out. See README.md for the architecture.

pub mod admin;
pub mod auth;
pub mod campaigns;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod geo;
pub mod health;
pub mod idempotency;
pub mod infra;
pub mod intake;
pub mod json;
pub mod ledger;
pub mod media;
pub mod notifications;
pub mod observability;
pub mod open311;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod tickets;
pub mod web;
pub mod webhooks;
pub mod wechat;
