//! `region`: district → street → community → grid, with its boundary (GeoJSON, GCJ-02).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub level: String,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub boundary: String,
    #[sea_orm(column_type = "Double")]
    pub min_lng: f64,
    #[sea_orm(column_type = "Double")]
    pub min_lat: f64,
    #[sea_orm(column_type = "Double")]
    pub max_lng: f64,
    #[sea_orm(column_type = "Double")]
    pub max_lat: f64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    SelfRef,
    #[sea_orm(has_many = "super::department::Entity")]
    Department,
}

impl Related<super::department::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Department.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
