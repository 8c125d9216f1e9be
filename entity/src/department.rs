//! `department`: a responsible department (部门) and the region it answers for.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub region_id: Uuid,
    pub duty_contact: Option<String>,
    pub duty_phone: Option<String>,
    pub working_hours: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::region::Entity",
        from = "Column::RegionId",
        to = "super::region::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Region,
    #[sea_orm(has_many = "super::department_category::Entity")]
    DepartmentCategory,
}

impl Related<super::region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Region.def()
    }
}

impl Related<super::department_category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DepartmentCategory.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
