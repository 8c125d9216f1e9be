//! WeChat, as WeChat defines it: wire formats and the API client. Knows nothing of our domain;
//! auth, intake and notifications use it, it uses none of them.

pub mod client;
pub mod protocol;

pub use client::{WechatApiError, WechatClient};
