//! The Events API feed: a commit-ordered position per event.
//!
//! Event ids (UUIDv7) are taken inside the writing transaction, so a transaction that started
//! earlier can commit later with a smaller id: paging by id could skip it. Instead, committed
//! events are given a `feed_position` by the sequencer (one transaction at a time, serialised on
//! the single `event_feed` row), so positions become visible strictly in increasing order and a
//! cursor `feed_position > n` never misses a committed event. NULL until sequenced.

use crate::util::{create_indexes, drop_tables};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&[&str], bool)] = &[
    // The global feed, and the sequencer's "not yet positioned, oldest first".
    (&["feed_position", "id"], false),
    (&["tenant_id", "feed_position"], false),
    // Per connection; `sequence` lets the sequencer find a connection's unpositioned events in
    // sequence order.
    (&["connection_id", "feed_position", "sequence"], false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("events")
                    .add_column(big_integer_null("feed_position"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, "events", INDEXES).await?;

        manager
            .create_table(
                Table::create()
                    .table("event_feed")
                    .if_not_exists()
                    .col(integer("id").primary_key())
                    // The highest position handed out; committed together with the positions.
                    .col(big_integer("last_position").default(0))
                    .to_owned(),
            )
            .await?;
        let row = Query::insert()
            .into_table("event_feed")
            .columns(["id", "last_position"])
            .values_panic([1.into(), 0.into()])
            .to_owned();
        manager.exec_stmt(row).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["event_feed"]).await?;
        for (cols, _) in INDEXES {
            let name = format!("ix_events_{}", cols.join("_"));
            manager
                .drop_index(Index::drop().name(name).table("events").to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("events")
                    .drop_column("feed_position")
                    .to_owned(),
            )
            .await
    }
}
