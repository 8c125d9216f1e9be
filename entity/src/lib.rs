//! sea-orm entities, one module per table, in the shape `sea-orm-cli generate entity` writes.
//! Storage only: no business code. Regenerate from the migrations rather than editing by hand.

pub mod prelude;

pub mod api_key;
pub mod campaign;
pub mod campaign_category;
pub mod campaign_region;
pub mod category;
pub mod conversation;
pub mod conversation_member;
pub mod department;
pub mod department_category;
pub mod grid_assignment;
pub mod idempotency_key;
pub mod media;
pub mod message;
pub mod notification_pref;
pub mod open311_request;
pub mod outbox;
pub mod refresh_token;
pub mod region;
pub mod response_template;
pub mod routing_rule;
pub mod ticket;
pub mod ticket_campaign;
pub mod ticket_comment;
pub mod ticket_counter;
pub mod ticket_department;
pub mod ticket_event;
pub mod ticket_follower;
pub mod user;
pub mod user_role;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod wechat_binding;
pub mod wechat_outbox;
