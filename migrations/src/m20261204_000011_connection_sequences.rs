//! Each connection's event counter moves from `connections.event_seq` to a table of its own,
//! `connection_sequences`, which nothing references.
//!
//! Every write to a connection bumps its counter, and every row written (users, groups, events)
//! has a foreign key to `connections`, whose check takes a `FOR KEY SHARE` lock on the
//! connection's row. Concurrent key-share lockers of a row that is also updated thousands of
//! times a minute make PostgreSQL record the lockers as multixacts and keep the row's update
//! chain from being pruned, so each check walks an ever longer chain: in a pgbench replay of the
//! create transaction at 8 clients on one connection, throughput fell from 1,480 to 590/s within
//! 40 s (100k updates) and kept falling. With the counter in a row no foreign key points to, the
//! same replay holds 2,000–2,100/s.

use crate::util::fk_cascade;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("connection_sequences")
                    .if_not_exists()
                    .col(uuid("connection_id").primary_key())
                    // Last `sequence` handed to an event of this connection; bumped in the
                    // transaction that writes the event, which also serialises writers.
                    .col(big_integer("event_seq").default(0))
                    .foreign_key(&mut fk_cascade(
                        "connection_sequences",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO connection_sequences (connection_id, event_seq) \
             SELECT id, event_seq FROM connections",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("connections")
                    .drop_column("event_seq")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("connections")
                    .add_column(big_integer("event_seq").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE connections SET event_seq = (SELECT s.event_seq FROM connection_sequences s \
                 WHERE s.connection_id = connections.id)",
            )
            .await?;
        manager
            .drop_table(Table::drop().table("connection_sequences").to_owned())
            .await
    }
}
