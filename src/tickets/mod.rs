//! Tickets: the pure core of a hazard's life from report to close-out (销号). It owns the vocabulary
//! (`status`), the parsed commands (`command`), the transition rules with the events and notification
//! intents they produce (`workflow`) and deadlines on the working-day calendar (`sla`). It does no I/O:
//! it does not load or store tickets, route reports (it takes the routing result), send notifications
//! (it returns intents for the outbox), read the clock (time is an argument) or load the holiday calendar
//! and SLA policy (they are passed in as data). The one exception so far is `number`, which hands out
//! human ticket numbers from a database counter inside the caller's transaction.

pub mod command;
pub mod number;
pub mod sla;
pub mod status;
pub mod workflow;
