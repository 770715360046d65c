//! Database schema for Roster, valid on Postgres and SQLite.
//!
//! Every lookup the services make is backed by an index declared here. Text columns that SCIM
//! treats as case-insensitive (`userName`, emails, group `displayName`) are stored a second time
//! lower-cased (`*_lower`) so that both backends can index and compare them the same way.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_tenancy;
mod m20261122_000002_directory;
mod m20261122_000003_events_webhooks;
mod m20261122_000004_accounts;
mod m20261122_000005_request_log;
mod m20261123_000006_event_feed;
mod m20261123_000007_delivery_controls;
mod m20261124_000008_identity;
mod m20261124_000009_idempotency;
mod m20261203_000010_outbox_partial_indexes;
mod m20261204_000011_connection_sequences;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_tenancy::Migration),
            Box::new(m20261122_000002_directory::Migration),
            Box::new(m20261122_000003_events_webhooks::Migration),
            Box::new(m20261122_000004_accounts::Migration),
            Box::new(m20261122_000005_request_log::Migration),
            Box::new(m20261123_000006_event_feed::Migration),
            Box::new(m20261123_000007_delivery_controls::Migration),
            Box::new(m20261124_000008_identity::Migration),
            Box::new(m20261124_000009_idempotency::Migration),
            Box::new(m20261203_000010_outbox_partial_indexes::Migration),
            Box::new(m20261204_000011_connection_sequences::Migration),
        ]
    }
}

/// Helpers shared by the migration files.
pub(crate) mod util {
    use sea_orm_migration::prelude::*;

    /// A foreign key from `table.column` to `target.id` that cascades on delete.
    pub fn fk_cascade(
        table: &'static str,
        column: &'static str,
        target: &'static str,
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .name(format!("fk_{table}_{column}"))
            .from(table, column)
            .to(target, "id")
            .on_delete(ForeignKeyAction::Cascade)
            .to_owned()
    }

    /// A (possibly unique) index named after its table and columns.
    pub fn index(
        table: &'static str,
        columns: &[&'static str],
        unique: bool,
    ) -> IndexCreateStatement {
        let mut stmt = Index::create();
        stmt.name(format!("ix_{table}_{}", columns.join("_")))
            .table(table)
            .if_not_exists();
        for col in columns {
            stmt.col(*col);
        }
        if unique {
            stmt.unique();
        }
        stmt.to_owned()
    }

    pub async fn create_indexes(
        manager: &SchemaManager<'_>,
        table: &'static str,
        indexes: &[(&[&'static str], bool)],
    ) -> Result<(), DbErr> {
        for (cols, unique) in indexes {
            manager.create_index(index(table, cols, *unique)).await?;
        }
        Ok(())
    }

    pub async fn drop_tables(
        manager: &SchemaManager<'_>,
        tables: &[&'static str],
    ) -> Result<(), DbErr> {
        for table in tables {
            manager
                .drop_table(Table::drop().table(*table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
