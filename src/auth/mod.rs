//! Who you are: accounts, roles, logins (SMS code, WeChat mini-program, staff password),
//! access tokens and rotating refresh tokens. Owns the `user`, `user_role`, `refresh_token` and
//! `wechat_binding` tables; the web pages' cookie sessions are checked here (`cookie`). What a role
//! may do to a ticket is the tickets module's business.

pub mod cookie;
pub mod dto;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod phone;
pub mod role;
pub mod routes;
pub mod service;
pub mod sms;

pub use extract::CurrentUser;
pub use phone::Phone;
pub use role::Role;
