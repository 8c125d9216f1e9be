//! Tagging tickets with campaigns, each one statement: a new ticket inside the transaction that
//! inserts it (`tag_new_ticket`), and a campaign's existing tickets when it is created or changed
//! (`retag`). Depends only on the entities, so the ticket service can call it.

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_category, campaign_region, ticket, ticket_campaign};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::rules::Definition;

/// Tags a ticket just inserted with every campaign whose window holds `now`, whose categories
/// include `category` and whose regions include one of `regions` (the ticket's region chain). One
/// `INSERT … SELECT` over the (few) campaigns; nothing when the ticket has no region.
pub async fn tag_new_ticket<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    category: &str,
    regions: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if regions.is_empty() {
        return Ok(0);
    }
    let matching = Query::select()
        .expr(Expr::val(ticket_id))
        .column((campaign::Entity, campaign::Column::Id))
        .from(campaign::Entity)
        .and_where(Expr::col((campaign::Entity, campaign::Column::StartsAt)).lte(now))
        .and_where(Expr::col((campaign::Entity, campaign::Column::EndsAt)).gt(now))
        .and_where(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(campaign_category::Entity)
                .and_where(
                    Expr::col((campaign_category::Entity, campaign_category::Column::CampaignId))
                        .equals((campaign::Entity, campaign::Column::Id)),
                )
                .and_where(Expr::col((campaign_category::Entity, campaign_category::Column::CategoryCode)).eq(category))
                .to_owned(),
        ))
        .and_where(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(campaign_region::Entity)
                .and_where(
                    Expr::col((campaign_region::Entity, campaign_region::Column::CampaignId))
                        .equals((campaign::Entity, campaign::Column::Id)),
                )
                .and_where(
                    Expr::col((campaign_region::Entity, campaign_region::Column::RegionId))
                        .is_in(regions.iter().copied()),
                )
                .to_owned(),
        ))
        .to_owned();
    let insert = Query::insert()
        .into_table(ticket_campaign::Entity)
        .columns([ticket_campaign::Column::TicketId, ticket_campaign::Column::CampaignId])
        .select_from(matching)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    Ok(db.execute(db.get_database_backend().build(&insert)).await?.rows_affected())
}

/// The tickets a definition covers, as a condition on `ticket`.
pub fn covered(def: &Definition) -> Condition {
    let mut places = Condition::any();
    for region in &def.regions {
        places = places.add(ticket::Column::RegionPath.like(format!("%/{region}/%")));
    }
    Condition::all()
        .add(ticket::Column::CreatedAt.gte(def.starts_at))
        .add(ticket::Column::CreatedAt.lt(def.ends_at))
        .add(ticket::Column::Category.is_in(def.categories.iter().map(String::as_str)))
        .add(places)
}

/// Makes the campaign's tags match its definition: drops them and tags every ticket reported in
/// the window, in a category and under a region of the campaign — also those reported before the
/// campaign was entered. Answers how many tickets it holds.
pub async fn retag<C: ConnectionTrait>(db: &C, campaign_id: Uuid, def: &Definition) -> Result<u64, DbErr> {
    ticket_campaign::Entity::delete_many().filter(ticket_campaign::Column::CampaignId.eq(campaign_id)).exec(db).await?;
    let select = Query::select()
        .column((ticket::Entity, ticket::Column::Id))
        .expr(Expr::val(campaign_id))
        .from(ticket::Entity)
        .cond_where(covered(def))
        .to_owned();
    let insert = Query::insert()
        .into_table(ticket_campaign::Entity)
        .columns([ticket_campaign::Column::TicketId, ticket_campaign::Column::CampaignId])
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    Ok(db.execute(db.get_database_backend().build(&insert)).await?.rows_affected())
}
