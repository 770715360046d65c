//! The event outbox, webhook endpoints, and deliveries with every attempt.

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
                    .table("events")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid_null("connection_id"))
                    .col(big_integer("sequence"))
                    .col(string("event_type"))
                    // The complete envelope as delivered (id, type, created_at, data, ...).
                    .col(json_binary("payload"))
                    .col(timestamp_with_time_zone("created_at"))
                    // NULL until the relay has handed the event to the bus (the outbox marker).
                    .col(timestamp_with_time_zone_null("published_at"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "events",
            &[
                (&["published_at", "id"], false),
                (&["connection_id", "sequence"], true),
                (&["tenant_id", "id"], false),
                (&["event_type", "id"], false),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("webhook_endpoints")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(string("url"))
                    .col(string("description").default(""))
                    // JSON array of event-type patterns ("user.created", "user.*", "*").
                    .col(json_binary("event_types"))
                    .col(uuid_null("tenant_id"))
                    .col(boolean("enabled").default(true))
                    .col(string_null("disabled_reason"))
                    // JSON array of signing secrets {secret, created_at, expires_at}.
                    .col(json_binary("secrets"))
                    .col(boolean("ordered").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_cascade("webhook_endpoints", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "webhook_endpoints",
            &[(&["enabled"], false), (&["tenant_id"], false)],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("deliveries")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("event_id"))
                    .col(uuid("endpoint_id"))
                    .col(string("status"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("last_attempt_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_cascade("deliveries", "event_id", "events"))
                    .foreign_key(&mut fk_cascade(
                        "deliveries",
                        "endpoint_id",
                        "webhook_endpoints",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "deliveries",
            &[
                (&["event_id", "endpoint_id"], true),
                (&["endpoint_id", "created_at"], false),
                (&["status", "next_attempt_at"], false),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("delivery_attempts")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("delivery_id"))
                    .col(timestamp_with_time_zone("attempted_at"))
                    .col(integer_null("status_code"))
                    .col(integer("duration_ms"))
                    .col(string_null("error_class"))
                    .col(text_null("error"))
                    .col(text_null("response_excerpt"))
                    .foreign_key(&mut fk_cascade(
                        "delivery_attempts",
                        "delivery_id",
                        "deliveries",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "delivery_attempts",
            &[(&["delivery_id", "attempted_at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "delivery_attempts",
                "deliveries",
                "webhook_endpoints",
                "events",
            ],
        )
        .await
    }
}
