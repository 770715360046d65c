//! Direct PostgreSQL access for the harness: the bench database's lifecycle, the bulk seed of
//! the 1M-user connection (bypassing the API), statement capture and `EXPLAIN`.

use anyhow::{Context, Result};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row};
use std::time::{Duration, Instant};

pub(crate) async fn pool(url: &str) -> Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))
}

/// The URL without a password.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

/// The maintenance connection (`postgres` database).
pub struct Admin {
    pool: PgPool,
}

impl Admin {
    pub async fn connect(url: &str) -> Result<Admin> {
        Ok(Admin {
            pool: pool(url).await?,
        })
    }

    pub async fn create_database(&self, name: &str) -> Result<()> {
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&self.pool)
            .await
            .with_context(|| format!("creating database {name}"))?;
        Ok(())
    }

    pub async fn drop_database(&self, name: &str) -> Result<()> {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&self.pool)
        .await
        .with_context(|| format!("dropping database {name}"))?;
        Ok(())
    }

    /// Logs every statement of new sessions on `name` (on) or stops doing so (off).
    pub async fn log_all_statements(&self, name: &str, on: bool) -> Result<()> {
        let sql = if on {
            format!("ALTER DATABASE {name} SET log_min_duration_statement = 0")
        } else {
            format!("ALTER DATABASE {name} RESET log_min_duration_statement")
        };
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&self.pool)
            .await
            .context("changing log_min_duration_statement")?;
        Ok(())
    }

    pub async fn version(&self) -> Result<String> {
        Ok(sqlx::query_scalar("SELECT version()")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Settings that bound write and read speed, for the report.
    pub async fn settings(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name IN \
             ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_connections', \
              'work_mem', 'effective_cache_size', 'random_page_cost', 'autovacuum') ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect())
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// The bench database itself.
pub struct BenchDb {
    pool: PgPool,
}

/// How long the seed took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_s: f64,
    pub analyze_seconds: f64,
    pub table_size: String,
    pub index_size: String,
}

impl BenchDb {
    pub async fn connect(url: &str) -> Result<BenchDb> {
        Ok(BenchDb {
            pool: pool(url).await?,
        })
    }

    /// `rows` users of `connection_id` in one `INSERT … SELECT generate_series` per chunk, every
    /// NOT NULL column filled the way the API fills it (userName lower-cased copy, resource
    /// with `schemas` and `userName`, version 1, timestamps), then `ANALYZE`.
    /// User `i` is `big.user{i}@bigcorp.example`.
    pub async fn seed_users(&self, connection_id: &str, rows: u64) -> Result<SeedReport> {
        const CHUNK: u64 = 100_000;
        let started = Instant::now();
        let mut from = 1;
        while from <= rows {
            let to = (from + CHUNK - 1).min(rows);
            sqlx::query(
                "INSERT INTO scim_users (id, connection_id, user_name, user_name_lower, \
                   external_id, display_name, given_name, family_name, email_lower, active, \
                   resource, version, created_at, updated_at) \
                 SELECT gen_random_uuid(), $1::uuid, u.name, lower(u.name), \
                   '00u' || lpad(g::text, 17, '0'), 'Big User ' || g, 'Big', 'User ' || g, \
                   lower(u.name), true, \
                   jsonb_build_object( \
                     'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), \
                     'userName', u.name, \
                     'externalId', '00u' || lpad(g::text, 17, '0'), \
                     'name', jsonb_build_object('givenName', 'Big', 'familyName', 'User ' || g), \
                     'displayName', 'Big User ' || g, \
                     'emails', jsonb_build_array(jsonb_build_object( \
                        'value', u.name, 'type', 'work', 'primary', true)), \
                     'active', true), \
                   1, now() + g * interval '1 microsecond', now() + g * interval '1 microsecond' \
                 FROM generate_series($2::bigint, $3::bigint) AS g, \
                   LATERAL (SELECT 'Big.User' || g || '@BigCorp.example' AS name) AS u",
            )
            .bind(connection_id)
            .bind(from as i64)
            .bind(to as i64)
            .execute(&self.pool)
            .await
            .with_context(|| format!("seeding users {from}..={to}"))?;
            eprintln!(
                "   seeded {to} / {rows} users ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
            from = to + 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        let analyzed = Instant::now();
        sqlx::raw_sql("ANALYZE scim_users")
            .execute(&self.pool)
            .await?;
        let sizes = sqlx::query(
            "SELECT pg_size_pretty(pg_table_size('scim_users')), \
                    pg_size_pretty(pg_indexes_size('scim_users'))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SeedReport {
            rows,
            seconds,
            rows_per_s: rows as f64 / seconds.max(f64::EPSILON),
            analyze_seconds: analyzed.elapsed().as_secs_f64(),
            table_size: sizes.get(0),
            index_size: sizes.get(1),
        })
    }

    /// Events the relay has not published yet.
    pub async fn outbox_backlog(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE published_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Waits (up to `limit`) until the relay has published every event; returns the backlog
    /// found at the start and how long draining took.
    pub async fn drain_outbox(&self, limit: Duration) -> Result<(i64, f64)> {
        let started = Instant::now();
        let backlog = self.outbox_backlog().await?;
        while started.elapsed() < limit && self.outbox_backlog().await? > 0 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok((backlog, started.elapsed().as_secs_f64()))
    }

    /// Cumulative activity counters of the bench database (commits, rows by table) and the
    /// server's WAL flushes, to subtract before from after a phase.
    pub async fn counters(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT 'commits', xact_commit FROM pg_stat_database WHERE datname = current_database() \
             UNION ALL SELECT 'rollbacks', xact_rollback FROM pg_stat_database \
               WHERE datname = current_database() \
             UNION ALL SELECT 'rows fetched', tup_fetched FROM pg_stat_database \
               WHERE datname = current_database() \
             UNION ALL SELECT 'WAL flushes (whole server)', wal_sync FROM pg_stat_wal \
             UNION ALL SELECT 'WAL bytes (whole server)', wal_bytes::bigint FROM pg_stat_wal \
             UNION ALL SELECT t.relname || ' ' || k.what, \
                 CASE k.what WHEN 'inserts' THEN t.n_tup_ins WHEN 'updates' THEN t.n_tup_upd \
                   WHEN 'index scans' THEN t.idx_scan ELSE t.seq_scan END \
               FROM pg_stat_user_tables t, \
                 (VALUES ('inserts'), ('updates'), ('index scans'), ('seq scans')) AS k(what) \
               WHERE t.relname IN ('events', 'deliveries', 'delivery_attempts', \
                                   'webhook_endpoints', 'scim_users', 'connections')",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading pg_stat_database and pg_stat_user_tables")?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>(0),
                    r.get::<Option<i64>, _>(1).unwrap_or(0),
                )
            })
            .collect())
    }

    /// `EXPLAIN (ANALYZE, BUFFERS)` of a statement with literal values.
    pub async fn explain(&self, sql: &str) -> Result<String> {
        let rows = sqlx::query(AssertSqlSafe(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")))
            .fetch_all(&self.pool)
            .await
            .with_context(|| format!("EXPLAIN {sql}"))?;
        Ok(rows
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect::<Vec<_>>()
            .join("\n"))
    }

    pub async fn close(self) {
        tokio::time::timeout(Duration::from_secs(5), self.pool.close())
            .await
            .ok();
    }
}

/// Deletes the RabbitMQ queues and exchanges of `prefix` (best effort): the delivery queue and
/// events exchange, and the dead-letter queue and exchange (names as in the worker's
/// `bus::rabbit_names`).
pub async fn delete_broker_topology(amqp_url: &str, prefix: &str) -> Result<()> {
    use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
    let conn = lapin::Connection::connect(amqp_url, Default::default()).await?;
    let ch = conn.create_channel().await?;
    for queue in [
        format!("{prefix}.deliveries"),
        format!("{prefix}.dead-letters"),
    ] {
        ch.queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
            .await?;
    }
    for exchange in [format!("{prefix}.events"), format!("{prefix}.dead")] {
        ch.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
            .await?;
    }
    conn.close(0, "bench done".into()).await.ok();
    Ok(())
}
