//! Chat: conversations (the intake bot's, a ticket's thread, staff direct messages), their members with
//! read cursors, messages ordered by a per-conversation sequence, users' notification preferences,
//! and the outbox's dead-letter mark.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Conversation::Table)
                .if_not_exists()
                .col(uuid(Conversation::Id).primary_key())
                // `intake`, `ticket` or `direct`.
                .col(string(Conversation::Kind))
                .col(uuid_null(Conversation::TicketId).unique_key())
                .col(uuid_null(Conversation::OwnerId))
                // `app` or `wechat` for intake conversations.
                .col(string_null(Conversation::Channel))
                // `intake:{user}:{channel}` while an intake conversation is open, else null: at most one
                // open intake conversation per user and channel.
                .col(string_null(Conversation::OpenSlot).unique_key())
                .col(string_null(Conversation::Title))
                // The last sequence number handed out; messages take last_seq + 1 under the row lock.
                .col(big_integer(Conversation::LastSeq))
                .col(timestamp_with_time_zone_null(Conversation::LastMessageAt))
                .col(timestamp_with_time_zone(Conversation::CreatedAt))
                .col(timestamp_with_time_zone(Conversation::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ConversationMember::Table)
                .if_not_exists()
                .col(uuid(ConversationMember::ConversationId))
                .col(uuid(ConversationMember::UserId))
                // reporter, follower, grid_worker, dept_staff, dispatcher, member.
                .col(string(ConversationMember::Role))
                // Whether the member sees staff-only messages.
                .col(boolean(ConversationMember::Staff))
                .col(big_integer(ConversationMember::LastReadSeq))
                .col(timestamp_with_time_zone(ConversationMember::JoinedAt))
                // Set when the assignment moved on; history stays readable, nothing new arrives.
                .col(timestamp_with_time_zone_null(ConversationMember::LeftAt))
                .primary_key(Index::create().col(ConversationMember::ConversationId).col(ConversationMember::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_conversation_member_conversation")
                        .from(ConversationMember::Table, ConversationMember::ConversationId)
                        .to(Conversation::Table, Conversation::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_conversation_member_user")
                        .from(ConversationMember::Table, ConversationMember::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_conversation_member_user")
                .table(ConversationMember::Table)
                .col(ConversationMember::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Message::Table)
                .if_not_exists()
                .col(uuid(Message::Id).primary_key())
                .col(uuid(Message::ConversationId))
                .col(big_integer(Message::Seq))
                // Null for system and bot messages.
                .col(uuid_null(Message::SenderId))
                .col(string(Message::SenderRole))
                .col(string_null(Message::ClientMsgId))
                // text, image, location, card, system.
                .col(string(Message::Kind))
                // JSON content of the kind.
                .col(text(Message::Body))
                // `all`, or `staff` for internal notes never shown to residents.
                .col(string(Message::Visibility))
                .col(timestamp_with_time_zone_null(Message::RecalledAt))
                .col(timestamp_with_time_zone(Message::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_message_conversation")
                        .from(Message::Table, Message::ConversationId)
                        .to(Conversation::Table, Conversation::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_message_conversation_seq")
                .table(Message::Table)
                .col(Message::ConversationId)
                .col(Message::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        // A retried send with the same client id finds the stored message.
        m.create_index(
            Index::create()
                .name("uq_message_sender_client_id")
                .table(Message::Table)
                .col(Message::SenderId)
                .col(Message::ClientMsgId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationPref::Table)
                .if_not_exists()
                .col(uuid(NotificationPref::UserId).primary_key())
                // JSON array of notice kinds the user does not want.
                .col(text(NotificationPref::Muted))
                // China time `HH:MM`; both null: no quiet hours.
                .col(string_null(NotificationPref::QuietStart))
                .col(string_null(NotificationPref::QuietEnd))
                .col(timestamp_with_time_zone(NotificationPref::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notification_pref_user")
                        .from(NotificationPref::Table, NotificationPref::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Dead letters: undeliverable after the configured attempts; kept for an operator to look at.
        m.alter_table(
            Table::alter().table(Outbox::Table).add_column(timestamp_with_time_zone_null(Outbox::DeadAt)).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Outbox::Table).add_column(uuid_null(Outbox::ClaimedBy)).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .add_column(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Outbox::ClaimedUntil, Outbox::ClaimedBy, Outbox::DeadAt] {
            m.alter_table(Table::alter().table(Outbox::Table).drop_column(col).to_owned()).await?;
        }
        for table in [
            NotificationPref::Table.into_iden(),
            Message::Table.into_iden(),
            ConversationMember::Table.into_iden(),
            Conversation::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
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
enum Conversation {
    Table,
    Id,
    Kind,
    TicketId,
    OwnerId,
    Channel,
    OpenSlot,
    Title,
    LastSeq,
    LastMessageAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationMember {
    Table,
    ConversationId,
    UserId,
    Role,
    Staff,
    LastReadSeq,
    JoinedAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum Message {
    Table,
    Id,
    ConversationId,
    Seq,
    SenderId,
    SenderRole,
    ClientMsgId,
    Kind,
    Body,
    Visibility,
    RecalledAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationPref {
    Table,
    UserId,
    Muted,
    QuietStart,
    QuietEnd,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    DeadAt,
    ClaimedBy,
    ClaimedUntil,
}
