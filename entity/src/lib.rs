//! sea-orm entities, one module per table, in the shape `sea-orm-cli generate entity` writes.
//! Storage only: no business code. Regenerate from the migrations rather than editing by hand.

pub mod prelude;

pub mod refresh_token;
pub mod user;
pub mod user_role;
pub mod wechat_binding;
