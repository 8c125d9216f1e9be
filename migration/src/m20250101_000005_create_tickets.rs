//! Tickets: the hazard report and its life (`ticket`), its immutable history (`ticket_event`), the
//! notifications each move causes (`outbox`, written in the move's transaction and delivered later),
//! followers, comments, co-handling departments (协办) and the staff's response templates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Ticket::Table)
                .if_not_exists()
                .col(uuid(Ticket::Id).primary_key())
                .col(string_uniq(Ticket::Number))
                // Optimistic locking: every move updates `WHERE version = <read>` and adds one.
                .col(big_integer(Ticket::Version))
                .col(string(Ticket::Status))
                .col(string(Ticket::Channel))
                .col(uuid(Ticket::ReporterId))
                .col(boolean(Ticket::Anonymous))
                .col(string(Ticket::Category))
                .col(text(Ticket::Description))
                .col(string(Ticket::Urgency))
                .col(string_null(Ticket::HazardLevel))
                // GCJ-02 (the boundaries' system) and WGS-84, plus the system the reporter used.
                .col(double(Ticket::Lat))
                .col(double(Ticket::Lng))
                .col(double(Ticket::WgsLat))
                .col(double(Ticket::WgsLng))
                .col(string(Ticket::CoordSystem))
                .col(string_null(Ticket::Address))
                // The most specific region located, and `/root/…/leaf/` for subtree filters.
                .col(uuid_null(Ticket::RegionId))
                .col(string(Ticket::RegionPath))
                .col(uuid_null(Ticket::GridId))
                .col(uuid_null(Ticket::DepartmentId))
                .col(uuid_null(Ticket::GridWorkerId))
                // JSON: the routing decision (match kind, reason) at submission.
                .col(text(Ticket::Routing))
                // JSON: candidates, declined, pending request, unrouted reason, rejection, limits.
                .col(text(Ticket::Workflow))
                .col(string_null(Ticket::PendingKind))
                .col(string_null(Ticket::RejectionKind))
                .col(uuid_null(Ticket::DuplicateOf))
                .col(timestamp_with_time_zone_null(Ticket::RectificationDeadline))
                // The current step's start and deadline; overdue and escalation reset when the step changes.
                .col(timestamp_with_time_zone(Ticket::StepStartedAt))
                .col(timestamp_with_time_zone_null(Ticket::DueAt))
                .col(boolean(Ticket::Overdue))
                .col(small_integer(Ticket::EscalationLevel))
                .col(timestamp_with_time_zone_null(Ticket::EscalatedAt))
                .col(timestamp_with_time_zone_null(Ticket::ClosedAt))
                .col(integer(Ticket::ReopenCount))
                .col(integer(Ticket::FollowerCount))
                .col(integer(Ticket::Priority))
                .col(small_integer_null(Ticket::Rating))
                .col(text_null(Ticket::RatingComment))
                .col(timestamp_with_time_zone_null(Ticket::RatedAt))
                // JSON array: evidence mismatches flagged to staff.
                .col(text(Ticket::Flags))
                .col(timestamp_with_time_zone(Ticket::CreatedAt))
                .col(timestamp_with_time_zone(Ticket::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_reporter")
                        .from(Ticket::Table, Ticket::ReporterId)
                        .to(User::Table, User::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_category")
                        .from(Ticket::Table, Ticket::Category)
                        .to(Category::Table, Category::Code),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_ticket_status_created", vec![Ticket::Status, Ticket::CreatedAt]),
            ("idx_ticket_department_status", vec![Ticket::DepartmentId, Ticket::Status]),
            ("idx_ticket_grid_status", vec![Ticket::GridId, Ticket::Status]),
            ("idx_ticket_grid_worker", vec![Ticket::GridWorkerId]),
            ("idx_ticket_reporter", vec![Ticket::ReporterId]),
            ("idx_ticket_due", vec![Ticket::DueAt]),
            ("idx_ticket_category_created", vec![Ticket::Category, Ticket::CreatedAt]),
            ("idx_ticket_created", vec![Ticket::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Ticket::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(TicketEvent::Table)
                .if_not_exists()
                // UUIDv7: ordered by creation.
                .col(uuid(TicketEvent::Id).primary_key())
                .col(uuid(TicketEvent::TicketId))
                // The ticket's version after the event (system events keep the version).
                .col(big_integer(TicketEvent::Version))
                .col(string(TicketEvent::Action))
                .col(string_null(TicketEvent::FromStatus))
                .col(string(TicketEvent::ToStatus))
                .col(uuid_null(TicketEvent::ActorId))
                .col(string(TicketEvent::ActorRole))
                .col(timestamp_with_time_zone(TicketEvent::At))
                .col(text_null(TicketEvent::Note))
                // JSON arrays/objects.
                .col(text(TicketEvent::Media))
                .col(timestamp_with_time_zone_null(TicketEvent::DeadlineFrom))
                .col(timestamp_with_time_zone_null(TicketEvent::DeadlineTo))
                .col(text_null(TicketEvent::Detail))
                .col(text_null(TicketEvent::DroppedRequest))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_event_ticket")
                        .from(TicketEvent::Table, TicketEvent::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_event_ticket")
                .table(TicketEvent::Table)
                .col(TicketEvent::TicketId)
                .col(TicketEvent::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .if_not_exists()
                .col(uuid(Outbox::Id).primary_key())
                .col(uuid_null(Outbox::TicketId))
                .col(uuid_null(Outbox::EventId))
                // reporter, followers, grid_worker, department, dispatchers, user, district_office.
                .col(string(Outbox::Audience))
                .col(uuid_null(Outbox::AudienceId))
                .col(string(Outbox::Kind))
                // JSON facts the message is written from.
                .col(text(Outbox::Payload))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone(Outbox::AvailableAt))
                .col(timestamp_with_time_zone_null(Outbox::DeliveredAt))
                .col(integer(Outbox::Attempts))
                .col(text_null(Outbox::LastError))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_pending")
                .table(Outbox::Table)
                .col(Outbox::DeliveredAt)
                .col(Outbox::AvailableAt)
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_outbox_ticket").table(Outbox::Table).col(Outbox::TicketId).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table(TicketFollower::Table)
                .if_not_exists()
                .col(uuid(TicketFollower::TicketId))
                .col(uuid(TicketFollower::UserId))
                // `follow` (joined from the duplicate list) or `merged` (their report was merged in).
                .col(string(TicketFollower::Source))
                .col(timestamp_with_time_zone(TicketFollower::CreatedAt))
                .primary_key(Index::create().col(TicketFollower::TicketId).col(TicketFollower::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_follower_ticket")
                        .from(TicketFollower::Table, TicketFollower::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_follower_user")
                        .from(TicketFollower::Table, TicketFollower::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_follower_user")
                .table(TicketFollower::Table)
                .col(TicketFollower::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketComment::Table)
                .if_not_exists()
                .col(uuid(TicketComment::Id).primary_key())
                .col(uuid(TicketComment::TicketId))
                .col(uuid(TicketComment::AuthorId))
                .col(string(TicketComment::AuthorRole))
                // `public` (the reporter and followers see it) or `internal` (staff only).
                .col(string(TicketComment::Visibility))
                .col(text(TicketComment::Body))
                .col(uuid_null(TicketComment::TemplateId))
                .col(timestamp_with_time_zone(TicketComment::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_comment_ticket")
                        .from(TicketComment::Table, TicketComment::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_comment_ticket")
                .table(TicketComment::Table)
                .col(TicketComment::TicketId)
                .col(TicketComment::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketDepartment::Table)
                .if_not_exists()
                .col(uuid(TicketDepartment::TicketId))
                .col(uuid(TicketDepartment::DepartmentId))
                .col(uuid(TicketDepartment::AddedBy))
                .col(timestamp_with_time_zone(TicketDepartment::CreatedAt))
                .primary_key(Index::create().col(TicketDepartment::TicketId).col(TicketDepartment::DepartmentId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_department_ticket")
                        .from(TicketDepartment::Table, TicketDepartment::TicketId)
                        .to(Ticket::Table, Ticket::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_department_department")
                        .from(TicketDepartment::Table, TicketDepartment::DepartmentId)
                        .to(Department::Table, Department::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_department_department")
                .table(TicketDepartment::Table)
                .col(TicketDepartment::DepartmentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ResponseTemplate::Table)
                .if_not_exists()
                .col(uuid(ResponseTemplate::Id).primary_key())
                // Null: any category / any status.
                .col(string_null(ResponseTemplate::Category))
                .col(string_null(ResponseTemplate::Status))
                .col(string(ResponseTemplate::Title))
                // Text with `{number}`, `{category}`, `{status}`, `{deadline}`, `{department}` placeholders.
                .col(text(ResponseTemplate::Body))
                .col(boolean(ResponseTemplate::Active))
                .col(timestamp_with_time_zone(ResponseTemplate::CreatedAt))
                .col(timestamp_with_time_zone(ResponseTemplate::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ResponseTemplate::Table.into_iden(),
            TicketDepartment::Table.into_iden(),
            TicketComment::Table.into_iden(),
            TicketFollower::Table.into_iden(),
            Outbox::Table.into_iden(),
            TicketEvent::Table.into_iden(),
            Ticket::Table.into_iden(),
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
enum Category {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    Id,
    Number,
    Version,
    Status,
    Channel,
    ReporterId,
    Anonymous,
    Category,
    Description,
    Urgency,
    HazardLevel,
    Lat,
    Lng,
    WgsLat,
    WgsLng,
    CoordSystem,
    Address,
    RegionId,
    RegionPath,
    GridId,
    DepartmentId,
    GridWorkerId,
    Routing,
    Workflow,
    PendingKind,
    RejectionKind,
    DuplicateOf,
    RectificationDeadline,
    StepStartedAt,
    DueAt,
    Overdue,
    EscalationLevel,
    EscalatedAt,
    ClosedAt,
    ReopenCount,
    FollowerCount,
    Priority,
    Rating,
    RatingComment,
    RatedAt,
    Flags,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketEvent {
    Table,
    Id,
    TicketId,
    Version,
    Action,
    FromStatus,
    ToStatus,
    ActorId,
    ActorRole,
    At,
    Note,
    Media,
    DeadlineFrom,
    DeadlineTo,
    Detail,
    DroppedRequest,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    TicketId,
    EventId,
    Audience,
    AudienceId,
    Kind,
    Payload,
    CreatedAt,
    AvailableAt,
    DeliveredAt,
    Attempts,
    LastError,
}

#[derive(DeriveIden)]
enum TicketFollower {
    Table,
    TicketId,
    UserId,
    Source,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketComment {
    Table,
    Id,
    TicketId,
    AuthorId,
    AuthorRole,
    Visibility,
    Body,
    TemplateId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketDepartment {
    Table,
    TicketId,
    DepartmentId,
    AddedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ResponseTemplate {
    Table,
    Id,
    Category,
    Status,
    Title,
    Body,
    Active,
    CreatedAt,
    UpdatedAt,
}
