//! When each ticket first reached each workflow step, kept on the ticket row. The statistics read
//! a period's tickets and, per ticket, the first confirm, accept, complete and close and the number
//! of escalations. Aggregating those from `ticket_event` on every query cost 3–6 s for a district's
//! month on 1,000,000 tickets; these columns are written with each event (`tickets::store::insert_event`,
//! in the event's transaction) so a breakdown reads ticket rows only. The event index the statistics
//! needed (`idx_ticket_event_stats`, migration 000010) is dropped: no query reads it any more, and
//! every event write paid for it. Existing tickets are filled from their events (`BACKFILL`).
//!
//! On PostgreSQL the statistics read a period's tickets through `idx_ticket_stats`: the creation time
//! with every column the statistics read INCLUDEd, so a month of a district (80,000 tickets) is an
//! index-only scan of a few MB instead of 50,000 scattered heap pages (0.4 s cold on the benchmark).
//! Updated tickets are answered from the heap until VACUUM marks their pages visible again, which
//! autovacuum does. SQLite has no INCLUDE and small deployments do not need it.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const EVENT_INDEX: &str = "idx_ticket_event_stats";

/// The covering index of the statistics (PostgreSQL): keep its INCLUDE list equal to what
/// `stats::query::with_cohort` and `Viewer::handled` read, or the index-only scan is lost.
const STATS_INDEX: &str = "CREATE INDEX IF NOT EXISTS idx_ticket_stats ON ticket (created_at) INCLUDE (id, status, \
    rejection_kind, region_path, department_id, category, channel, grid_id, grid_worker_id, rectification_deadline, \
    due_at, closed_at, rating, first_verified_at, first_accepted_at, first_rectified_at, last_rectified_at, \
    first_closed_at, escalation_count)";

/// Sets the milestone columns of every ticket from its events (the same rules as
/// `tickets::store::record_milestone`). Runs on SQLite and PostgreSQL; the stats benchmark runs it
/// after seeding events in bulk.
pub const BACKFILL: &str = "UPDATE ticket SET \
    first_verified_at = ev.verified_at, first_accepted_at = ev.accepted_at, \
    first_rectified_at = ev.rectified_at, last_rectified_at = ev.last_rectified_at, \
    first_closed_at = ev.closed_at, escalation_count = ev.escalations \
    FROM (SELECT e.ticket_id AS ticket_id, \
        MIN(CASE WHEN e.action IN ('confirm', 'resolve_on_spot') THEN e.at END) AS verified_at, \
        MIN(CASE WHEN e.action = 'accept' AND e.to_status = 'rectifying' THEN e.at END) AS accepted_at, \
        MIN(CASE WHEN e.action = 'complete' THEN e.at END) AS rectified_at, \
        MAX(CASE WHEN e.action = 'complete' THEN e.at END) AS last_rectified_at, \
        MIN(CASE WHEN e.to_status = 'closed' AND e.action IN ('pass', 'resolve_on_spot') THEN e.at END) AS closed_at, \
        SUM(CASE WHEN e.action = 'escalate' THEN 1 ELSE 0 END) AS escalations \
        FROM ticket_event e \
        WHERE e.action IN ('confirm', 'resolve_on_spot', 'accept', 'complete', 'pass', 'escalate') \
        GROUP BY e.ticket_id) AS ev \
    WHERE ev.ticket_id = ticket.id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let columns = [
            timestamp_with_time_zone_null(Ticket::FirstVerifiedAt),
            timestamp_with_time_zone_null(Ticket::FirstAcceptedAt),
            timestamp_with_time_zone_null(Ticket::FirstRectifiedAt),
            timestamp_with_time_zone_null(Ticket::LastRectifiedAt),
            timestamp_with_time_zone_null(Ticket::FirstClosedAt),
            integer(Ticket::EscalationCount).default(0).to_owned(),
        ];
        for mut column in columns {
            m.alter_table(Table::alter().table(Ticket::Table).add_column(&mut column).to_owned()).await?;
        }
        m.get_connection().execute_unprepared(BACKFILL).await?;
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared(STATS_INDEX).await?;
        }
        m.drop_index(Index::drop().name(EVENT_INDEX).table(TicketEvent::Table).if_exists().to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_ticket_stats").await?;
        }
        m.create_index(
            Index::create()
                .name(EVENT_INDEX)
                .table(TicketEvent::Table)
                .col(TicketEvent::TicketId)
                .col(TicketEvent::Action)
                .col(TicketEvent::ToStatus)
                .col(TicketEvent::At)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        for column in [
            Ticket::FirstVerifiedAt,
            Ticket::FirstAcceptedAt,
            Ticket::FirstRectifiedAt,
            Ticket::LastRectifiedAt,
            Ticket::FirstClosedAt,
            Ticket::EscalationCount,
        ] {
            m.alter_table(Table::alter().table(Ticket::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Ticket {
    Table,
    FirstVerifiedAt,
    FirstAcceptedAt,
    FirstRectifiedAt,
    LastRectifiedAt,
    FirstClosedAt,
    EscalationCount,
}

#[derive(DeriveIden)]
enum TicketEvent {
    Table,
    TicketId,
    Action,
    ToStatus,
    At,
}
