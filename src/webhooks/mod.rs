//! Outbound webhooks for other government systems. Admins register endpoints with a secret and the
//! event kinds they want (`service`, `routes`, `dto`). Every ticket event already leaves through the
//! outbox as a `webhook` row written in the event's transaction (`tickets::store::insert_event`);
//! the notifications worker hands that row to [`fanout`], which writes one delivery per subscribed
//! endpoint; [`worker`] POSTs each delivery as JSON signed with HMAC-SHA256 ([`signature`]),
//! retries with backoff and keeps a log of every attempt. It does not decide what happens to
//! tickets, and it never reads the reporter.

pub mod dto;
pub mod fanout;
pub mod kinds;
pub mod routes;
pub mod service;
pub mod signature;
pub mod worker;
