//! Database connection and migrations, for Postgres and SQLite alike.

use crate::config::{Config, DatabaseKind};
use roster_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// Connects (creating the embedded data directory if needed). Does not migrate.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    let kind = config.database_kind();
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!("cannot create data_dir {}: {e}", config.data_dir.display())
        })?;
    }
    let mut opts = ConnectOptions::new(url);
    // SQLite has one writer; a handful of connections (readers in WAL mode) is all it uses.
    let max = match kind {
        DatabaseKind::Postgres => config.database_max_connections,
        DatabaseKind::Sqlite => config.database_max_connections.min(4),
    };
    opts.max_connections(max)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Statements are prepared once per pooled connection. After five runs PostgreSQL may
        // switch a statement to a generic plan that ignores its parameters; one connection's
        // size says nothing about the next (tenants range from ten users to millions), so a
        // plan made for a small one reads a large one through the wrong index (measured: a
        // `userName eq` lookup reading a million rows). Planning each run costs microseconds.
        .map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan")]));
    let db = Database::connect(opts)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    if kind == DatabaseKind::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
            .await?;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
}
