//! Safe retries and human numbers: `idempotency_key` keeps the first answer to a retried POST;
//! `ticket_counter` hands out the daily ticket sequence atomically across instances.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKey::Table)
                .if_not_exists()
                .col(uuid(IdempotencyKey::UserId))
                .col(string(IdempotencyKey::Key))
                // SHA-256 of method, path and body: the same key with another request is refused.
                .col(string(IdempotencyKey::RequestHash))
                .col(integer_null(IdempotencyKey::ResponseStatus))
                .col(text_null(IdempotencyKey::ResponseBody))
                .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                .col(timestamp_with_time_zone_null(IdempotencyKey::CompletedAt))
                .primary_key(Index::create().col(IdempotencyKey::UserId).col(IdempotencyKey::Key))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_idempotency_key_user")
                        .from(IdempotencyKey::Table, IdempotencyKey::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_key_created")
                .table(IdempotencyKey::Table)
                .col(IdempotencyKey::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TicketCounter::Table)
                .if_not_exists()
                // China Standard Time date, `YYYYMMDD`.
                .col(string(TicketCounter::Day).primary_key())
                .col(big_integer(TicketCounter::Last))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TicketCounter::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(IdempotencyKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    UserId,
    Key,
    RequestHash,
    ResponseStatus,
    ResponseBody,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum TicketCounter {
    Table,
    Day,
    Last,
}
