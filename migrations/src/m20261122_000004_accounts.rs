//! Operator and tenant-admin accounts, and API keys for the B2B app's backend.

use crate::util::{create_indexes, drop_tables, fk_cascade};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("accounts")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(string("email_lower"))
                    // argon2id PHC string; NULL for accounts that only use setup links.
                    .col(string_null("password_hash"))
                    .col(string("role"))
                    .col(uuid_null("tenant_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .foreign_key(&mut fk_cascade("accounts", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "accounts", &[(&["email_lower"], true)]).await?;

        manager
            .create_table(
                Table::create()
                    .table("api_keys")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(string("name"))
                    .col(string("key_hash"))
                    .col(string("prefix"))
                    .col(string("scope"))
                    .col(uuid_null("tenant_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade("api_keys", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "api_keys", &[(&["key_hash"], true)]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["api_keys", "accounts"]).await
    }
}
