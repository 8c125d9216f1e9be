//! `wechat_outbox`: customer-service messages to official-account users, written before they are
//! sent and retried with backoff until WeChat accepts them or they are dead-lettered. Replies that
//! do not fit the 5-second passive reply (a photo downloaded and processed) leave through here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WechatOutbox::Table)
                .if_not_exists()
                .col(uuid(WechatOutbox::Id).primary_key())
                .col(string(WechatOutbox::AppId))
                .col(string(WechatOutbox::Openid))
                // The JSON body of `/cgi-bin/message/custom/send` (or `template/send` with kind `template`).
                .col(string(WechatOutbox::Kind))
                .col(text(WechatOutbox::Body))
                .col(integer(WechatOutbox::Attempts))
                .col(timestamp_with_time_zone(WechatOutbox::CreatedAt))
                .col(timestamp_with_time_zone(WechatOutbox::AvailableAt))
                .col(timestamp_with_time_zone_null(WechatOutbox::DeliveredAt))
                .col(timestamp_with_time_zone_null(WechatOutbox::DeadAt))
                .col(text_null(WechatOutbox::LastError))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wechat_outbox_pending")
                .table(WechatOutbox::Table)
                .col(WechatOutbox::DeliveredAt)
                .col(WechatOutbox::DeadAt)
                .col(WechatOutbox::AvailableAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WechatOutbox::Table).if_exists().to_owned()).await
    }
}

#[derive(DeriveIden)]
enum WechatOutbox {
    Table,
    Id,
    AppId,
    Openid,
    Kind,
    Body,
    Attempts,
    CreatedAt,
    AvailableAt,
    DeliveredAt,
    DeadAt,
    LastError,
}
