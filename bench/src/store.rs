//! Read-only access to Roster's database on either backend, to check what the delivery
//! benchmarks received against what Roster recorded: attempts and deliveries per endpoint.

use crate::server::Deployment;
use anyhow::{Context, Result};
use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::collections::BTreeMap;

pub enum Store {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// What Roster recorded for one endpoint.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndpointTally {
    pub attempts: i64,
    pub attempts_2xx: i64,
    /// Deliveries by status (`succeeded`, `pending`, `retrying`, `failed`).
    pub deliveries: BTreeMap<String, i64>,
}

/// `(url, attempts, 2xx attempts)` and `(url, status, deliveries)` rows.
type AttemptRow = (String, i64, i64);
type DeliveryRow = (String, String, i64);

const ATTEMPTS: &str = "SELECT e.url, COUNT(*), \
       COALESCE(SUM(CASE WHEN a.status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END), 0) \
     FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
       JOIN webhook_endpoints e ON e.id = d.endpoint_id GROUP BY e.url";
const DELIVERIES: &str = "SELECT e.url, d.status, COUNT(*) FROM deliveries d \
       JOIN webhook_endpoints e ON e.id = d.endpoint_id GROUP BY e.url, d.status";

impl Store {
    /// The bench database (services) or the SQLite file in the scratch directory (embedded),
    /// which must exist already (Roster has started once).
    pub async fn open(deployment: &Deployment) -> Result<Store> {
        if let Some((_, url)) = &deployment.database {
            let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
            return Ok(Store::Postgres(pool));
        }
        let file = deployment.scratch.join("data").join("roster.sqlite");
        let options = SqliteConnectOptions::new().filename(&file).read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .with_context(|| format!("opening {}", file.display()))?;
        Ok(Store::Sqlite(pool))
    }

    /// Attempts and deliveries per endpoint URL.
    pub async fn tally(&self) -> Result<BTreeMap<String, EndpointTally>> {
        let (attempts, deliveries): (Vec<AttemptRow>, Vec<DeliveryRow>) = match self {
            Store::Postgres(pool) => (
                sqlx::query_as(ATTEMPTS).fetch_all(pool).await?,
                sqlx::query_as(DELIVERIES).fetch_all(pool).await?,
            ),
            Store::Sqlite(pool) => (
                sqlx::query_as(ATTEMPTS).fetch_all(pool).await?,
                sqlx::query_as(DELIVERIES).fetch_all(pool).await?,
            ),
        };
        let mut out: BTreeMap<String, EndpointTally> = BTreeMap::new();
        for (url, n, ok) in attempts {
            let t = out.entry(url).or_default();
            t.attempts = n;
            t.attempts_2xx = ok;
        }
        for (url, status, n) in deliveries {
            out.entry(url).or_default().deliveries.insert(status, n);
        }
        Ok(out)
    }

    pub async fn close(self) {
        match self {
            Store::Postgres(pool) => pool.close().await,
            Store::Sqlite(pool) => pool.close().await,
        }
    }
}
