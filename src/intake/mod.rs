//! The intake bot: a conversation a resident can finish in under a minute.
//!
//! Pure: `machine` (the conversation), `prompts` (its words), `nlu`, `triage`, `places`.
//! Shell: `service` (sessions, effects, the chat handler); `wechat` (the official account's callback).

pub mod machine;
pub mod nlu;
pub mod places;
pub mod prompts;
pub mod service;
pub mod triage;
pub mod wechat;
