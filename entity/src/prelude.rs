//! `Entity as X` aliases.

pub use super::refresh_token::Entity as RefreshToken;
pub use super::user::Entity as User;
pub use super::user_role::Entity as UserRole;
pub use super::wechat_binding::Entity as WechatBinding;
