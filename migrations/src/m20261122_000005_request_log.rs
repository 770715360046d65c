//! The SCIM request log of each connection: what the IdP sent and what it got back, for the IT
//! admin's troubleshooting view. Rows expire after the configured retention.

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
                    .table("scim_request_log")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("connection_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string("method"))
                    .col(string("path"))
                    .col(integer("status"))
                    .col(string_null("scim_type"))
                    .col(integer("duration_ms"))
                    .col(string_null("request_id"))
                    // Redacted (no passwords, no tokens) and truncated.
                    .col(text_null("request_excerpt"))
                    // The error detail for failed requests.
                    .col(text_null("error_detail"))
                    .foreign_key(&mut fk_cascade(
                        "scim_request_log",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "scim_request_log",
            &[(&["connection_id", "at"], false), (&["at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["scim_request_log"]).await
    }
}
