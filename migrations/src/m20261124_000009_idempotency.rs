//! Idempotency keys of the management API: the first response to a POST, replayed when the
//! same credential sends the same key again (for 24 hours).

use crate::util::{create_indexes, drop_tables};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .if_not_exists()
                    // SHA-256 of the credential and of the client's key.
                    .col(string("scope_hash"))
                    .col(string("key_hash"))
                    .col(string("method"))
                    .col(string("path"))
                    .col(string("request_hash"))
                    // NULL while the first request is in flight.
                    .col(integer_null("status"))
                    .col(string_null("content_type"))
                    // NULL when the response carried a secret (shown once, never stored).
                    .col(text_null("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("scope_hash").col("key_hash"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "idempotency_keys", &[(&["created_at"], false)]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["idempotency_keys"]).await
    }
}
