//! `media`: an accepted photo upload; its display and thumbnail variants live in the blob store.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub uploader_id: Uuid,
    pub sha256: String,
    pub phash: i64,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub taken_at: Option<DateTime>,
    #[sea_orm(column_type = "Double", nullable)]
    pub gps_lat: Option<f64>,
    #[sea_orm(column_type = "Double", nullable)]
    pub gps_lng: Option<f64>,
    pub display_key: String,
    pub display_bytes: i64,
    pub display_sha256: String,
    pub thumb_key: String,
    pub thumb_bytes: i64,
    pub thumb_sha256: String,
    pub original_key: Option<String>,
    pub original_bytes: Option<i64>,
    pub original_sha256: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UploaderId",
        to = "super::user::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
