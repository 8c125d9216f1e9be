//! `Entity as X` aliases.

pub use super::category::Entity as Category;
pub use super::department::Entity as Department;
pub use super::department_category::Entity as DepartmentCategory;
pub use super::grid_assignment::Entity as GridAssignment;
pub use super::idempotency_key::Entity as IdempotencyKey;
pub use super::media::Entity as Media;
pub use super::refresh_token::Entity as RefreshToken;
pub use super::region::Entity as Region;
pub use super::routing_rule::Entity as RoutingRule;
pub use super::ticket_counter::Entity as TicketCounter;
pub use super::user::Entity as User;
pub use super::user_role::Entity as UserRole;
pub use super::wechat_binding::Entity as WechatBinding;
