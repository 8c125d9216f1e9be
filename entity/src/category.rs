//! `category`: hazard categories with keywords, default urgency and deadlines.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub parent_code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub keywords: String,
    pub default_urgency: String,
    pub usual_department_kind: String,
    pub accept_hours: i32,
    pub verify_hours: i32,
    pub rectify_days_general: i32,
    pub rectify_days_major: i32,
    pub sort_order: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentCode",
        to = "Column::Code",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    SelfRef,
}

impl ActiveModelBehavior for ActiveModel {}
