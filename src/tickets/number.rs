//! Human ticket numbers: `YH` + the China date + a daily sequence, e.g. `YH202611230007`.
//! The sequence comes from `ticket_counter`, incremented atomically in the database, so numbers are
//! unique across instances and have no gaps unless a creating transaction rolls back.
//!
//! The counter row of the day is the one row every report writes, and its lock is held until the
//! reporting transaction commits. So a report inserts its ticket under a [`provisional`] number
//! and [`assign`]s the real one as late as possible, after the ticket, its event and its photos are
//! written; on PostgreSQL the counter increment and the ticket's update are one statement. Taking
//! the number in a transaction of its own would release the lock sooner, but numbers would then be
//! burnt by reports that fail afterwards and would no longer follow commit order; keeping it in
//! the reporting transaction keeps numbers unique, increasing per day in commit order, and gapless.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{ticket, ticket_counter};
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement,
};
use uuid::Uuid;

use super::sla::cst_date;

/// A ticket's human number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber(String);

/// Why a text is not a ticket number.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("expected a ticket number like YH202611230007")]
pub struct InvalidTicketNumber;

impl TicketNumber {
    /// The number of the `seq`-th ticket of `day` (China date); at least four digits.
    pub fn new(day: NaiveDate, seq: u64) -> Self {
        Self(format!("YH{}{seq:04}", day.format("%Y%m%d")))
    }

    /// Parses what a person typed: case-insensitive `YH`, spaces and dashes ignored.
    pub fn parse(text: &str) -> Result<Self, InvalidTicketNumber> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let upper = compact.to_ascii_uppercase();
        let digits = upper.strip_prefix("YH").ok_or(InvalidTicketNumber)?;
        let (date, seq) = (digits.get(..8).ok_or(InvalidTicketNumber)?, digits.get(8..).unwrap_or_default());
        let valid = (4..=9).contains(&seq.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(date, "%Y%m%d").is_ok()
            && seq.parse::<u64>().is_ok_and(|n| n > 0);
        if valid {
            Ok(Self(upper))
        } else {
            Err(InvalidTicketNumber)
        }
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hands out the next number for the China date of `now`, inside the caller's transaction.
pub async fn allocate<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<TicketNumber, sea_orm::DbErr> {
    let day = cst_date(now);
    let key = day.format("%Y%m%d").to_string();
    let mut insert = Query::insert();
    insert
        .into_table(ticket_counter::Entity)
        .columns([ticket_counter::Column::Day, ticket_counter::Column::Last])
        .values([key.into(), 1i64.into()])
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::column(ticket_counter::Column::Day)
                .value(
                    ticket_counter::Column::Last,
                    Expr::col((ticket_counter::Entity, ticket_counter::Column::Last)).add(1),
                )
                .to_owned(),
        )
        .returning_col(ticket_counter::Column::Last);
    let row = db
        .query_one(db.get_database_backend().build(&insert))
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom("ticket counter returned no row".into()))?;
    let last: i64 = row.try_get("", "last")?;
    Ok(TicketNumber::new(day, u64::try_from(last).unwrap_or(0)))
}

/// A unique placeholder number for a ticket inserted before its real number is [`assign`]ed; never
/// committed, never a valid [`TicketNumber`].
pub fn provisional(ticket_id: Uuid) -> String {
    format!("~{}", ticket_id.simple())
}

/// Hands out the next number for the China date of `now` and stores it on the ticket `ticket_id`
/// (inserted under a [`provisional`] number), inside the caller's transaction. Takes the day's
/// counter lock: the caller should commit soon after.
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    now: DateTime<Utc>,
) -> Result<TicketNumber, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        // SQLite: the whole database is locked for writing from the transaction's first write on,
        // so the order within it does not matter; two statements.
        let number = allocate(db, now).await?;
        let res = ticket::Entity::update_many()
            .col_expr(ticket::Column::Number, Expr::value(number.as_str()))
            .filter(ticket::Column::Id.eq(ticket_id))
            .exec(db)
            .await?;
        if res.rows_affected != 1 {
            return Err(sea_orm::DbErr::RecordNotUpdated);
        }
        return Ok(number);
    }
    let day = cst_date(now);
    let key = day.format("%Y%m%d").to_string();
    // Same text as `TicketNumber::new`: at least four digits.
    let sql = "WITH c AS (INSERT INTO ticket_counter (day, last) VALUES ($1, 1) ON CONFLICT (day) \
               DO UPDATE SET last = ticket_counter.last + 1 RETURNING last) \
               UPDATE ticket SET number = $2 || CASE WHEN c.last < 10000 THEN lpad(c.last::text, 4, '0') \
               ELSE c.last::text END FROM c WHERE ticket.id = $3 RETURNING c.last AS last";
    let prefix = format!("YH{key}");
    let row = db
        .query_one(Statement::from_sql_and_values(backend, sql, [key.into(), prefix.into(), ticket_id.into()]))
        .await?
        .ok_or(sea_orm::DbErr::RecordNotUpdated)?;
    let last: i64 = row.try_get("", "last")?;
    Ok(TicketNumber::new(day, u64::try_from(last).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_the_ledger_expects() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(TicketNumber::new(day, 7).as_str(), "YH202611230007");
        assert_eq!(TicketNumber::new(day, 12345).as_str(), "YH2026112312345");
    }

    #[test]
    fn typed_numbers_are_understood_and_junk_is_not() {
        for text in ["YH202611230007", "yh202611230007", "YH 20261123-0007", " YH2026112312345 "] {
            assert!(TicketNumber::parse(text).is_ok(), "{text}");
        }
        assert_eq!(TicketNumber::parse("yh 20261123 0007").unwrap().as_str(), "YH202611230007");
        for text in [
            "",
            "YH",
            "YH20261123",
            "YH2026112300",
            "YH202613230007",
            "XX202611230007",
            "YH20261123000A",
            "YH202611230000",
        ] {
            assert_eq!(TicketNumber::parse(text), Err(InvalidTicketNumber), "{text}");
        }
    }

    #[test]
    fn the_day_is_the_china_date() {
        // 16:30 UTC on the 22nd is 00:30 on the 23rd in Beijing.
        let now = DateTime::parse_from_rfc3339("2026-11-22T16:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(cst_date(now), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    }
}
