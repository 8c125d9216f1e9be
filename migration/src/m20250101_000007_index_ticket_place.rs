//! The duplicate search of every report (open tickets of one category within a few hundred metres)
//! filters on the category and a latitude/longitude box; `idx_ticket_category_created` only served
//! the category and the date, so the search read every ticket of the category in the window. This
//! index serves the category and the latitude band, with the longitude checked in the index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_ticket_category_place";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NAME)
                .table(Ticket::Table)
                .col(Ticket::Category)
                .col(Ticket::Lat)
                .col(Ticket::Lng)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table(Ticket::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    Category,
    Lat,
    Lng,
}
