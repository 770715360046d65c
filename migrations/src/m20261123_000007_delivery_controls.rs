//! Delivery controls: per-endpoint concurrency and rate limits, the continuous-failure clock,
//! ordered delivery streams, and the dispatch marker that lets the in-process bus recover
//! after a crash.

use crate::util::{create_indexes, drop_tables, fk_cascade};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite adds one column per `ALTER TABLE`.
async fn add_columns(
    manager: &SchemaManager<'_>,
    table: &'static str,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    for mut column in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

async fn drop_columns(
    manager: &SchemaManager<'_>,
    table: &'static str,
    columns: &[&'static str],
) -> Result<(), DbErr> {
    for column in columns {
        manager
            .alter_table(Table::alter().table(table).drop_column(*column).to_owned())
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            "webhook_endpoints",
            vec![
                // Concurrent requests to this endpoint per worker (NULL: the configured default).
                integer_null("max_concurrency"),
                // Requests per second across all workers (NULL: unlimited).
                integer_null("rate_limit_per_sec"),
                // Start of the current run of failed attempts (NULL after a success).
                timestamp_with_time_zone_null("failing_since"),
                timestamp_with_time_zone_null("disabled_at"),
                // When ordered delivery was switched on: earlier events are not owed in order.
                timestamp_with_time_zone_null("ordered_since"),
            ],
        )
        .await?;
        // Set once the worker has created the deliveries of every matching endpoint.
        add_columns(
            manager,
            "events",
            vec![timestamp_with_time_zone_null("dispatched_at")],
        )
        .await?;
        // Events published before this column existed were dispatched by their worker.
        manager
            .get_connection()
            .execute_unprepared("UPDATE events SET dispatched_at = published_at")
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("ordered_streams")
                    .if_not_exists()
                    .col(uuid("endpoint_id"))
                    .col(uuid("connection_id"))
                    // Every event of the connection up to this sequence is settled (or not
                    // wanted) for the endpoint.
                    .col(big_integer("settled_seq"))
                    // The event being attempted, leased until `lease_until`.
                    .col(uuid_null("in_flight_event"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("endpoint_id").col("connection_id"))
                    .foreign_key(&mut fk_cascade(
                        "ordered_streams",
                        "endpoint_id",
                        "webhook_endpoints",
                    ))
                    .foreign_key(&mut fk_cascade(
                        "ordered_streams",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "deliveries",
            &[(&["endpoint_id", "status", "created_at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["ordered_streams"]).await?;
        drop_columns(manager, "events", &["dispatched_at"]).await?;
        drop_columns(
            manager,
            "webhook_endpoints",
            &[
                "max_concurrency",
                "rate_limit_per_sec",
                "failing_since",
                "disabled_at",
                "ordered_since",
            ],
        )
        .await
    }
}
