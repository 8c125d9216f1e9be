//! Jurisdiction: the region tree with boundaries, hazard categories, departments and the
//! categories they handle, routing rules, and grid-worker assignments.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Region::Table)
                .if_not_exists()
                .col(uuid(Region::Id).primary_key())
                .col(uuid_null(Region::ParentId))
                .col(string(Region::Level))
                .col(string(Region::Code).unique_key())
                .col(string(Region::Name))
                // GeoJSON geometry (Polygon or MultiPolygon) in GCJ-02, the canonical CRS.
                .col(text(Region::Boundary))
                .col(double(Region::MinLng))
                .col(double(Region::MinLat))
                .col(double(Region::MaxLng))
                .col(double(Region::MaxLat))
                .col(timestamp_with_time_zone(Region::CreatedAt))
                .col(timestamp_with_time_zone(Region::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_region_parent")
                        .from(Region::Table, Region::ParentId)
                        .to(Region::Table, Region::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_region_parent").table(Region::Table).col(Region::ParentId).to_owned())
            .await?;
        m.create_index(Index::create().name("idx_region_level").table(Region::Table).col(Region::Level).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table(Category::Table)
                .if_not_exists()
                .col(string(Category::Code).primary_key())
                .col(string(Category::NameZh))
                .col(string(Category::NameEn))
                .col(string_null(Category::ParentCode))
                // JSON array of {word, weight}.
                .col(text(Category::Keywords))
                .col(string(Category::DefaultUrgency))
                .col(string(Category::UsualDepartmentKind))
                .col(integer(Category::AcceptHours))
                .col(integer(Category::VerifyHours))
                .col(integer(Category::RectifyDaysGeneral))
                .col(integer(Category::RectifyDaysMajor))
                .col(integer(Category::SortOrder))
                .col(boolean(Category::Active).default(true))
                .col(timestamp_with_time_zone(Category::CreatedAt))
                .col(timestamp_with_time_zone(Category::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_category_parent")
                        .from(Category::Table, Category::ParentCode)
                        .to(Category::Table, Category::Code)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Department::Table)
                .if_not_exists()
                .col(uuid(Department::Id).primary_key())
                .col(string(Department::Name))
                .col(string(Department::Kind))
                .col(uuid(Department::RegionId))
                .col(string_null(Department::DutyContact))
                .col(string_null(Department::DutyPhone))
                .col(string(Department::WorkingHours))
                .col(timestamp_with_time_zone(Department::CreatedAt))
                .col(timestamp_with_time_zone(Department::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_department_region")
                        .from(Department::Table, Department::RegionId)
                        .to(Region::Table, Region::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_department_region").table(Department::Table).col(Department::RegionId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DepartmentCategory::Table)
                .if_not_exists()
                .col(uuid(DepartmentCategory::DepartmentId))
                .col(string(DepartmentCategory::CategoryCode))
                .primary_key(
                    Index::create().col(DepartmentCategory::DepartmentId).col(DepartmentCategory::CategoryCode),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_department_category_department")
                        .from(DepartmentCategory::Table, DepartmentCategory::DepartmentId)
                        .to(Department::Table, Department::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_department_category_category")
                        .from(DepartmentCategory::Table, DepartmentCategory::CategoryCode)
                        .to(Category::Table, Category::Code)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoutingRule::Table)
                .if_not_exists()
                .col(uuid(RoutingRule::Id).primary_key())
                .col(string(RoutingRule::CategoryCode))
                .col(uuid(RoutingRule::RegionId))
                .col(uuid(RoutingRule::DepartmentId))
                .col(string(RoutingRule::Note))
                .col(timestamp_with_time_zone(RoutingRule::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_routing_rule_category")
                        .from(RoutingRule::Table, RoutingRule::CategoryCode)
                        .to(Category::Table, Category::Code)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_routing_rule_region")
                        .from(RoutingRule::Table, RoutingRule::RegionId)
                        .to(Region::Table, Region::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_routing_rule_department")
                        .from(RoutingRule::Table, RoutingRule::DepartmentId)
                        .to(Department::Table, Department::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_routing_rule_category_region")
                .table(RoutingRule::Table)
                .col(RoutingRule::CategoryCode)
                .col(RoutingRule::RegionId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GridAssignment::Table)
                .if_not_exists()
                .col(uuid(GridAssignment::Id).primary_key())
                .col(uuid(GridAssignment::UserId))
                .col(uuid(GridAssignment::GridId))
                .col(boolean(GridAssignment::OnDuty).default(true))
                .col(timestamp_with_time_zone(GridAssignment::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_grid_assignment_user")
                        .from(GridAssignment::Table, GridAssignment::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_grid_assignment_grid")
                        .from(GridAssignment::Table, GridAssignment::GridId)
                        .to(Region::Table, Region::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_grid_assignment_user_grid")
                .table(GridAssignment::Table)
                .col(GridAssignment::UserId)
                .col(GridAssignment::GridId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grid_assignment_grid")
                .table(GridAssignment::Table)
                .col(GridAssignment::GridId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GridAssignment::Table.into_table_ref(),
            RoutingRule::Table.into_table_ref(),
            DepartmentCategory::Table.into_table_ref(),
            Department::Table.into_table_ref(),
            Category::Table.into_table_ref(),
            Region::Table.into_table_ref(),
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
enum Region {
    Table,
    Id,
    ParentId,
    Level,
    Code,
    Name,
    Boundary,
    MinLng,
    MinLat,
    MaxLng,
    MaxLat,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Category {
    Table,
    Code,
    NameZh,
    NameEn,
    ParentCode,
    Keywords,
    DefaultUrgency,
    UsualDepartmentKind,
    AcceptHours,
    VerifyHours,
    RectifyDaysGeneral,
    RectifyDaysMajor,
    SortOrder,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
    Name,
    Kind,
    RegionId,
    DutyContact,
    DutyPhone,
    WorkingHours,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DepartmentCategory {
    Table,
    DepartmentId,
    CategoryCode,
}

#[derive(DeriveIden)]
enum RoutingRule {
    Table,
    Id,
    CategoryCode,
    RegionId,
    DepartmentId,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GridAssignment {
    Table,
    Id,
    UserId,
    GridId,
    OnDuty,
    CreatedAt,
}
