//! Accounts: users, their roles (optionally scoped to a department or region), refresh tokens
//! and WeChat bindings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(User::Table)
                    .if_not_exists()
                    .col(uuid(User::Id).primary_key())
                    .col(string_null(User::Phone).unique_key())
                    .col(string(User::DisplayName))
                    .col(string_null(User::PasswordHash))
                    .col(boolean(User::Disabled).default(false))
                    .col(string(User::Locale).default("zh-CN"))
                    .col(timestamp_with_time_zone(User::CreatedAt))
                    .col(timestamp_with_time_zone(User::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserRole::Table)
                    .if_not_exists()
                    .col(uuid(UserRole::Id).primary_key())
                    .col(uuid(UserRole::UserId))
                    .col(string(UserRole::Role))
                    .col(uuid_null(UserRole::DepartmentId))
                    .col(uuid_null(UserRole::RegionId))
                    .col(timestamp_with_time_zone(UserRole::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_role_user")
                            .from(UserRole::Table, UserRole::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_user_role_user").table(UserRole::Table).col(UserRole::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .if_not_exists()
                    .col(uuid(RefreshToken::Id).primary_key())
                    .col(uuid(RefreshToken::UserId))
                    .col(uuid(RefreshToken::FamilyId))
                    .col(string(RefreshToken::TokenHash).unique_key())
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_token_user")
                            .from(RefreshToken::Table, RefreshToken::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_token_family")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatBinding::Table)
                    .if_not_exists()
                    .col(uuid(WechatBinding::Id).primary_key())
                    .col(uuid(WechatBinding::UserId))
                    .col(string(WechatBinding::AppId))
                    .col(string(WechatBinding::Openid))
                    .col(string_null(WechatBinding::Unionid))
                    .col(timestamp_with_time_zone(WechatBinding::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wechat_binding_user")
                            .from(WechatBinding::Table, WechatBinding::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_wechat_binding_app_openid")
                    .table(WechatBinding::Table)
                    .col(WechatBinding::AppId)
                    .col(WechatBinding::Openid)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WechatBinding::Table.into_table_ref(),
            RefreshToken::Table.into_table_ref(),
            UserRole::Table.into_table_ref(),
            User::Table.into_table_ref(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
    Phone,
    DisplayName,
    PasswordHash,
    Disabled,
    Locale,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserRole {
    Table,
    Id,
    UserId,
    Role,
    DepartmentId,
    RegionId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum WechatBinding {
    Table,
    Id,
    UserId,
    AppId,
    Openid,
    Unionid,
    CreatedAt,
}
