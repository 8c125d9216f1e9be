//! Open311 and webhooks: API keys (a hash of the key, never the key, bound to a service account),
//! what an Open311 request brought beyond the ticket (its token, `media_url`, attribute answers),
//! webhook endpoints, their deliveries (one per endpoint and ticket event) and every attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiKey::Table)
                .if_not_exists()
                .col(uuid(ApiKey::Id).primary_key())
                .col(string(ApiKey::Name))
                // SHA-256 (hex) of the whole key; keys are 256-bit random, so no salt is needed.
                .col(string(ApiKey::KeyHash).unique_key())
                // The first characters of the key, shown in lists so people can tell keys apart.
                .col(string(ApiKey::Prefix))
                // The service account that reports on the key's behalf.
                .col(uuid(ApiKey::UserId))
                .col(uuid_null(ApiKey::CreatedBy))
                .col(boolean(ApiKey::Disabled))
                .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_key_user")
                        .from(ApiKey::Table, ApiKey::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Open311Request::Table)
                .if_not_exists()
                .col(uuid(Open311Request::TicketId).primary_key())
                .col(string(Open311Request::Token).unique_key())
                .col(uuid(Open311Request::ApiKeyId))
                .col(text_null(Open311Request::MediaUrl))
                // The attribute answers as sent (JSON object of code → string or list of strings).
                .col(text(Open311Request::Attributes))
                .col(timestamp_with_time_zone(Open311Request::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_open311_request_ticket")
                        .from(Open311Request::Table, Open311Request::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_open311_request_api_key")
                        .from(Open311Request::Table, Open311Request::ApiKeyId)
                        .to(ApiKey::Table, ApiKey::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookEndpoint::Table)
                .if_not_exists()
                .col(uuid(WebhookEndpoint::Id).primary_key())
                .col(text(WebhookEndpoint::Url))
                // The shared signing secret (needed in clear to sign; shown to the admin once).
                .col(string(WebhookEndpoint::Secret))
                // JSON list of event kinds, e.g. ["ticket.submit", "ticket.*"].
                .col(text(WebhookEndpoint::EventKinds))
                .col(string(WebhookEndpoint::Description))
                .col(boolean(WebhookEndpoint::Active))
                .col(uuid_null(WebhookEndpoint::CreatedBy))
                .col(timestamp_with_time_zone(WebhookEndpoint::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoint::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDelivery::Table)
                .if_not_exists()
                .col(uuid(WebhookDelivery::Id).primary_key())
                .col(uuid(WebhookDelivery::EndpointId))
                // The ticket event delivered (one delivery per endpoint and event).
                .col(uuid(WebhookDelivery::EventId))
                .col(uuid(WebhookDelivery::TicketId))
                .col(string(WebhookDelivery::Kind))
                // The exact JSON body, so every retry sends the same bytes.
                .col(text(WebhookDelivery::Body))
                .col(integer(WebhookDelivery::Attempts))
                .col(integer_null(WebhookDelivery::StatusCode))
                .col(text_null(WebhookDelivery::LastError))
                .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                .col(timestamp_with_time_zone_null(WebhookDelivery::DeadAt))
                // A worker's lease on the row while it sends (an expired lease may be taken over).
                .col(timestamp_with_time_zone_null(WebhookDelivery::ClaimedUntil))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_delivery_endpoint")
                        .from(WebhookDelivery::Table, WebhookDelivery::EndpointId)
                        .to(WebhookEndpoint::Table, WebhookEndpoint::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_webhook_delivery_endpoint_event")
                .table(WebhookDelivery::Table)
                .col(WebhookDelivery::EndpointId)
                .col(WebhookDelivery::EventId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_delivery_due")
                .table(WebhookDelivery::Table)
                .col(WebhookDelivery::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookAttempt::Table)
                .if_not_exists()
                .col(uuid(WebhookAttempt::Id).primary_key())
                .col(uuid(WebhookAttempt::DeliveryId))
                .col(integer(WebhookAttempt::Attempt))
                .col(timestamp_with_time_zone(WebhookAttempt::At))
                .col(integer_null(WebhookAttempt::StatusCode))
                .col(text_null(WebhookAttempt::Error))
                .col(big_integer(WebhookAttempt::DurationMs))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_attempt_delivery")
                        .from(WebhookAttempt::Table, WebhookAttempt::DeliveryId)
                        .to(WebhookDelivery::Table, WebhookDelivery::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_attempt_delivery")
                .table(WebhookAttempt::Table)
                .col(WebhookAttempt::DeliveryId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempt::Table.into_iden(),
            WebhookDelivery::Table.into_iden(),
            WebhookEndpoint::Table.into_iden(),
            Open311Request::Table.into_iden(),
            ApiKey::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    KeyHash,
    Prefix,
    UserId,
    CreatedBy,
    Disabled,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Open311Request {
    Table,
    TicketId,
    Token,
    ApiKeyId,
    MediaUrl,
    Attributes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoint {
    Table,
    Id,
    Url,
    Secret,
    EventKinds,
    Description,
    Active,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    EndpointId,
    EventId,
    TicketId,
    Kind,
    Body,
    Attempts,
    StatusCode,
    LastError,
    CreatedAt,
    NextAttemptAt,
    DeliveredAt,
    DeadAt,
    ClaimedUntil,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    DeliveryId,
    Attempt,
    At,
    StatusCode,
    Error,
    DurationMs,
}
