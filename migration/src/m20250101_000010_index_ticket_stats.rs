//! Indexes for the statistics (`stats`). A statistics query reads the tickets reported in a period
//! (`idx_ticket_created` serves that range) and then, per ticket, its workflow events: the first
//! confirm, accept, complete and close and the escalations. `idx_ticket_event_ticket` (ticket, id)
//! found those rows but had to visit the table for each; this index holds everything the query reads
//! of an event (ticket, action, target status, time), so PostgreSQL answers from the index alone
//! (an index-only scan) and a month of a district reads a few hundred thousand index entries instead
//! of as many heap pages. `cargo bench --bench stats` times the queries on 1,000,000 tickets.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_ticket_event_stats";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NAME)
                .table(TicketEvent::Table)
                .col(TicketEvent::TicketId)
                .col(TicketEvent::Action)
                .col(TicketEvent::ToStatus)
                .col(TicketEvent::At)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table(TicketEvent::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TicketEvent {
    Table,
    TicketId,
    Action,
    ToStatus,
    At,
}
