//! Chat: conversations (intake with the bot, a ticket's thread, staff direct messages), messages
//! sequenced per conversation, read cursors, and the events pushed to connected clients.

pub mod dto;
pub mod routes;
pub mod service;
