//! The single integration-test binary: each file drives the real application over HTTP.
//! Runs on SQLite + in-process backends, or on PostgreSQL + Redis when `TEST_DATABASE_URL`
//! and `TEST_REDIS_URL` are set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod admin;
mod auth;
mod auth_tokens;
mod chat;
mod chat_ws;
mod cli;
mod errors;
mod escalation;
mod geo_routing;
mod health;
mod helpers;
mod infra;
mod kill;
mod media;
mod media_access;
mod media_s3;
mod media_support;
mod notifications;
mod openapi;
mod stats;
mod ticket_branches;
mod ticket_lists;
mod ticket_refusals;
mod ticket_support;
mod tickets;
mod wechat_login;
mod write_safety;
