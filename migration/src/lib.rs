//! The schema's source of truth: migrations in order, nothing else.

pub use sea_orm_migration::prelude::*;

mod m20250101_000001_create_identity;
mod m20250101_000002_create_geo;
mod m20250101_000003_create_media;
mod m20250101_000004_create_write_safety;
mod m20250101_000005_create_tickets;
mod m20250101_000006_create_chat;
mod m20250101_000007_index_ticket_place;
mod m20250101_000009_create_campaigns;
mod m20250101_000010_index_ticket_stats;
mod m20250101_000011_create_open311_webhooks;
mod m20250101_000012_create_wechat_outbox;
mod m20250101_000013_ticket_milestones;

pub use m20250101_000013_ticket_milestones::BACKFILL as BACKFILL_TICKET_MILESTONES;

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_create_identity::Migration),
            Box::new(m20250101_000002_create_geo::Migration),
            Box::new(m20250101_000003_create_media::Migration),
            Box::new(m20250101_000004_create_write_safety::Migration),
            Box::new(m20250101_000005_create_tickets::Migration),
            Box::new(m20250101_000006_create_chat::Migration),
            Box::new(m20250101_000007_index_ticket_place::Migration),
            Box::new(m20250101_000009_create_campaigns::Migration),
            Box::new(m20250101_000010_index_ticket_stats::Migration),
            Box::new(m20250101_000011_create_open311_webhooks::Migration),
            Box::new(m20250101_000012_create_wechat_outbox::Migration),
            Box::new(m20250101_000013_ticket_milestones::Migration),
        ]
    }
}
