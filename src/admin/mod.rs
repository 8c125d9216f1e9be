//! Reference data that administrators keep: hazard categories (codes, names, keywords, default
//! urgency and deadlines) and departments (kind, region, categories handled, duty contacts,
//! members), and accounts' roles and access (`users`). The region tree, routing rules and grid assignments
//! are `geo`'s; logins are `auth`'s.

pub mod dto;
pub mod routes;
pub mod service;
pub mod users;
