//! The single integration-test binary: each file drives the real application over HTTP.
//! Runs on SQLite + in-process backends, or on PostgreSQL + Redis when `TEST_DATABASE_URL`
//! and `TEST_REDIS_URL` are set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod admin;
mod auth;
mod auth_tokens;
mod campaigns;
mod chat;
mod chat_ws;
mod cli;
mod desk_forms;
mod errors;
mod escalation;
mod geo_routing;
mod health;
mod helpers;
mod infra;
mod intake;
mod intake_understand;
mod kill;
mod ledger;
mod media;
mod media_access;
mod media_s3;
mod media_support;
mod notifications;
mod open311;
mod open311_support;
mod openapi;
mod stats;
mod ticket_branches;
mod ticket_lists;
mod ticket_map;
mod ticket_refusals;
mod ticket_support;
mod tickets;
mod web_admin;
mod web_desk_views;
mod web_session;
mod web_tickets;
mod web_worker;
mod webhooks;
mod wechat_channel;
mod wechat_login;
mod wechat_support;
mod write_safety;
