//! Photos: one `media` row per accepted upload (its derived variants live in the blob store under
//! generated keys), with the ticket or chat message that uses it once attached.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Media::Table)
                .if_not_exists()
                .col(uuid(Media::Id).primary_key())
                .col(uuid(Media::UploaderId))
                // Lowercase hex SHA-256 of the uploaded bytes.
                .col(string(Media::Sha256))
                // 64-bit DCT perceptual hash, its bits stored as a signed integer.
                .col(big_integer(Media::Phash))
                .col(string(Media::Format))
                .col(integer(Media::Width))
                .col(integer(Media::Height))
                .col(big_integer(Media::Bytes))
                // EXIF DateTimeOriginal: the camera's local time, which carries no zone.
                .col(date_time_null(Media::TakenAt))
                // WGS-84 degrees as read from EXIF.
                .col(double_null(Media::GpsLat))
                .col(double_null(Media::GpsLng))
                .col(string(Media::DisplayKey))
                .col(big_integer(Media::DisplayBytes))
                .col(string(Media::DisplaySha256))
                .col(string(Media::ThumbKey))
                .col(big_integer(Media::ThumbBytes))
                .col(string(Media::ThumbSha256))
                .col(string_null(Media::OriginalKey))
                .col(big_integer_null(Media::OriginalBytes))
                .col(string_null(Media::OriginalSha256))
                // No foreign keys yet: tickets and messages arrive in later migrations.
                .col(uuid_null(Media::TicketId))
                .col(uuid_null(Media::MessageId))
                .col(timestamp_with_time_zone(Media::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_media_uploader")
                        .from(Media::Table, Media::UploaderId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The same bytes from the same uploader are one media row (upload dedupe).
        m.create_index(
            Index::create()
                .name("uq_media_uploader_sha256")
                .table(Media::Table)
                .col(Media::UploaderId)
                .col(Media::Sha256)
                .unique()
                .to_owned(),
        )
        .await?;
        // Garbage collection scans unattached uploads by age.
        m.create_index(
            Index::create().name("idx_media_created_at").table(Media::Table).col(Media::CreatedAt).to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_media_ticket").table(Media::Table).col(Media::TicketId).to_owned())
            .await?;
        m.create_index(Index::create().name("idx_media_message").table(Media::Table).col(Media::MessageId).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Media::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    UploaderId,
    Sha256,
    Phash,
    Format,
    Width,
    Height,
    Bytes,
    TakenAt,
    GpsLat,
    GpsLng,
    DisplayKey,
    DisplayBytes,
    DisplaySha256,
    ThumbKey,
    ThumbBytes,
    ThumbSha256,
    OriginalKey,
    OriginalBytes,
    OriginalSha256,
    TicketId,
    MessageId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}
