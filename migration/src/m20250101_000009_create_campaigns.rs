//! Special campaigns (专项整治): a named action with a time window, the categories it focuses on and
//! the regions it targets; `ticket_campaign` tags the tickets reported inside one (a ticket may be in
//! several overlapping campaigns). Also the `(created_at, id)` index the ledger export pages by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Campaign::Table)
                .if_not_exists()
                .col(uuid(Campaign::Id).primary_key())
                .col(string(Campaign::Name))
                .col(text(Campaign::Description))
                // [starts_at, ends_at): tickets reported in this window are tagged.
                .col(timestamp_with_time_zone(Campaign::StartsAt))
                .col(timestamp_with_time_zone(Campaign::EndsAt))
                .col(uuid(Campaign::CreatedBy))
                .col(timestamp_with_time_zone(Campaign::CreatedAt))
                .col(timestamp_with_time_zone(Campaign::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_campaign_window")
                .table(Campaign::Table)
                .col(Campaign::EndsAt)
                .col(Campaign::StartsAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CampaignCategory::Table)
                .if_not_exists()
                .col(uuid(CampaignCategory::CampaignId))
                .col(string(CampaignCategory::CategoryCode))
                .primary_key(Index::create().col(CampaignCategory::CampaignId).col(CampaignCategory::CategoryCode))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_campaign_category_campaign")
                        .from(CampaignCategory::Table, CampaignCategory::CampaignId)
                        .to(Campaign::Table, Campaign::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_campaign_category_category")
                        .from(CampaignCategory::Table, CampaignCategory::CategoryCode)
                        .to(Category::Table, Category::Code)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CampaignRegion::Table)
                .if_not_exists()
                .col(uuid(CampaignRegion::CampaignId))
                .col(uuid(CampaignRegion::RegionId))
                .primary_key(Index::create().col(CampaignRegion::CampaignId).col(CampaignRegion::RegionId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_campaign_region_campaign")
                        .from(CampaignRegion::Table, CampaignRegion::CampaignId)
                        .to(Campaign::Table, Campaign::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_campaign_region_region")
                        .from(CampaignRegion::Table, CampaignRegion::RegionId)
                        .to(Region::Table, Region::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketCampaign::Table)
                .if_not_exists()
                .col(uuid(TicketCampaign::TicketId))
                .col(uuid(TicketCampaign::CampaignId))
                .primary_key(Index::create().col(TicketCampaign::TicketId).col(TicketCampaign::CampaignId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_campaign_ticket")
                        .from(TicketCampaign::Table, TicketCampaign::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_campaign_campaign")
                        .from(TicketCampaign::Table, TicketCampaign::CampaignId)
                        .to(Campaign::Table, Campaign::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The campaign filter of lists, counts and exports: `ticket.id IN (… WHERE campaign_id = ?)`.
        m.create_index(
            Index::create()
                .name("idx_ticket_campaign_campaign")
                .table(TicketCampaign::Table)
                .col(TicketCampaign::CampaignId)
                .col(TicketCampaign::TicketId)
                .to_owned(),
        )
        .await?;
        // The ledger export pages by keyset on (created_at, id): each page is one range scan in order.
        m.create_index(
            Index::create()
                .name("idx_ticket_created_id")
                .table(Ticket::Table)
                .col(Ticket::CreatedAt)
                .col(Ticket::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_ticket_created_id").table(Ticket::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(TicketCampaign::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(CampaignRegion::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(CampaignCategory::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(Campaign::Table).if_exists().to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    Name,
    Description,
    StartsAt,
    EndsAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignCategory {
    Table,
    CampaignId,
    CategoryCode,
}

#[derive(DeriveIden)]
enum CampaignRegion {
    Table,
    CampaignId,
    RegionId,
}

#[derive(DeriveIden)]
enum TicketCampaign {
    Table,
    TicketId,
    CampaignId,
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    Id,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Category {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Id,
}
