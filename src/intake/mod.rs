//! The intake: a resident describes a hazard in their own words (WeChat or the app) and the
//! intake turns it into a ticket. This part is the understanding: category candidates from the
//! categories' keyword lists (`nlu`, `lexicon`), emergency triage first (`triage`), places typed in
//! words matched against the region tree (`places`), and `POST /api/v1/intake/understand`, which
//! staff tools and the evaluation command use (`understand`, `routes`, `dto`), with the labelled
//! evaluation (`eval`). All of it is pure and deterministic except the cached vocabulary in
//! `understand`. The conversation (questions, sessions, creating the ticket) builds on these.

pub mod dto;
pub mod eval;
pub mod lexicon;
pub mod nlu;
pub mod places;
pub mod routes;
pub mod text;
pub mod triage;
pub mod understand;
