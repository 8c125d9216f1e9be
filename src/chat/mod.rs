//! Chat: conversations (intake with the bot, a ticket's thread, staff direct messages), messages
//! sequenced per conversation, read cursors, and the events pushed to connected clients over the
//! WebSocket (`ws`), fanned out by each instance's `hub` from the bus.

pub mod dto;
pub mod handler;
pub mod hub;
pub mod routes;
pub mod service;
pub mod ws;
