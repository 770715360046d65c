//! Sessions (JWT access tokens are checked against them; refresh tokens rotate), setup links
//! for IT admins, the audit log, and deployment settings (the generated session signing key
//! when none is configured).

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
                    .table("settings")
                    .if_not_exists()
                    .col(string("name").primary_key())
                    .col(text("value"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("setup_links")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("token_hash"))
                    .col(boolean("single_use"))
                    .col(string_null("return_url"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(integer("use_count"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade("setup_links", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "setup_links",
            &[
                (&["token_hash"], true),
                (&["tenant_id", "created_at"], false),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    // NULL for an IT admin who came through a setup link.
                    .col(uuid_null("account_id"))
                    .col(uuid_null("setup_link_id"))
                    .col(string("role"))
                    .col(uuid_null("tenant_id"))
                    .col(string("label"))
                    // SHA-256 of the current refresh secret; an older one presented again
                    // revokes the session (the token was stolen or replayed).
                    .col(string("refresh_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("refreshed_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade("sessions", "account_id", "accounts"))
                    .foreign_key(&mut fk_cascade("sessions", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "sessions", &[(&["account_id"], false)]).await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("at"))
                    // `api_key`, `session`, `anonymous`.
                    .col(string("actor_kind"))
                    .col(uuid_null("actor_id"))
                    .col(string("actor_label"))
                    // No foreign key: the trail outlives what it describes.
                    .col(uuid_null("tenant_id"))
                    .col(string("action"))
                    .col(string_null("target_kind"))
                    .col(uuid_null("target_id"))
                    .col(string_null("ip"))
                    .col(string_null("request_id"))
                    .col(json_null("details"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "audit_log",
            &[(&["at"], false), (&["tenant_id", "at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &["audit_log", "sessions", "setup_links", "settings"],
        )
        .await
    }
}
