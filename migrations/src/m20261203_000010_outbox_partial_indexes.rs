//! Partial indexes over the few events that still wait for the relay (`published_at IS NULL`),
//! the feed's sequencer (`feed_position IS NULL`) or, on the in-process bus, dispatch
//! (`dispatched_at IS NULL`).
//!
//! The relay and the sequencer ask for the oldest of those (`… IS NULL ORDER BY id LIMIT n`) on
//! every commit. With only the composite `(published_at, id)` index the planner, misled by
//! statistics of a table that grows fast, walked the primary key from the oldest event and
//! filtered out every published one: 0.6 s per query at 90k events, on every pass, which took
//! most of the database's CPU during a sustained write load. A partial index holds only the
//! waiting rows, so the query reads a handful of entries whatever the table's size. Both
//! PostgreSQL and SQLite support `CREATE INDEX … WHERE`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 3] = [
    ("ix_events_unpublished", "published_at"),
    ("ix_events_unsequenced", "feed_position"),
    ("ix_events_undispatched", "dispatched_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, column) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON events (id) WHERE {column} IS NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
