//! Tenants, their directory connections and the SCIM bearer tokens of each connection.

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
                    .table("tenants")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(string("name"))
                    .col(string_null("external_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "tenants",
            &[(&["external_id"], true), (&["name"], false)],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("connections")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("provider"))
                    .col(string("state"))
                    // Moved to `connection_sequences` by migration 11.
                    .col(big_integer("event_seq").default(0))
                    .col(timestamp_with_time_zone_null("last_request_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_cascade("connections", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "connections", &[(&["tenant_id"], false)]).await?;

        manager
            .create_table(
                Table::create()
                    .table("scim_tokens")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("connection_id"))
                    // SHA-256 (hex) of the bearer secret; the secret itself is never stored.
                    .col(string("token_hash"))
                    .col(string("prefix"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade(
                        "scim_tokens",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "scim_tokens",
            &[(&["token_hash"], true), (&["connection_id"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["scim_tokens", "connections", "tenants"]).await
    }
}
