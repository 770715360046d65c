//! The machine's own ceiling, measured in the same run as Roster's figures: `pgbench` against
//! the same PostgreSQL server, over the same TCP path Roster uses, with two custom scripts —
//! a single-row insert transaction (a UUID key and a short text, autocommit) and a
//! select-by-primary-key over 1M rows. Roster's figures are then quoted as ratios to these,
//! which carry across machines better than absolute numbers.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use sqlx::postgres::PgPoolOptions;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Rows of the select-by-key table.
const SELECT_ROWS: u64 = 1_000_000;

const INSERT_SCRIPT: &str = "INSERT INTO ceiling_insert (k, v) \
     VALUES (gen_random_uuid(), 'Ada.Lovelace@acme-bench.example');\n";
const SELECT_SCRIPT: &str = "\\set id random(1, 1000000)\n\
     SELECT v FROM ceiling_select WHERE id = :id;\n";

/// One pgbench run.
#[derive(Debug, Clone, Serialize)]
pub struct PgbenchRun {
    /// `insert` or `select`.
    pub script: String,
    pub clients: usize,
    pub seconds: u64,
    /// Transactions per second (pgbench's figure without the initial connection time).
    pub tps: f64,
    pub latency_avg_ms: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Ceiling {
    pub runs: Vec<PgbenchRun>,
    pub pgbench_version: String,
    /// How pgbench reached the server (it negotiates TLS as Roster's driver does).
    pub connection: String,
}

impl Ceiling {
    /// The insert transactions/s at `clients` (or the nearest measured level below it).
    pub fn insert_tps(&self, clients: usize) -> Option<f64> {
        self.best("insert", clients)
    }

    pub fn select_tps(&self, clients: usize) -> Option<f64> {
        self.best("select", clients)
    }

    fn best(&self, script: &str, clients: usize) -> Option<f64> {
        self.runs
            .iter()
            .filter(|r| r.script == script && r.clients <= clients)
            .max_by_key(|r| r.clients)
            .map(|r| r.tps)
    }
}

/// `postgres://user@host:port/db` → (host, port, user), for pgbench's options.
fn parts(admin_url: &str) -> Result<(String, String, String)> {
    let url = url::Url::parse(admin_url).context("--postgres-url")?;
    Ok((
        url.host_str().unwrap_or("127.0.0.1").to_string(),
        url.port().unwrap_or(5432).to_string(),
        if url.username().is_empty() {
            "postgres".to_string()
        } else {
            url.username().to_string()
        },
    ))
}

/// Creates the two tables in `db_url` (a new, empty database) and fills the select table.
async fn prepare(db_url: &str) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(db_url)
        .await
        .context("connecting to the ceiling database")?;
    for sql in [
        "CREATE TABLE ceiling_insert (id bigserial PRIMARY KEY, k uuid NOT NULL, v text NOT NULL)",
        "CREATE TABLE ceiling_select (id bigint PRIMARY KEY, v text NOT NULL)",
    ] {
        sqlx::query(sql).execute(&pool).await?;
    }
    sqlx::query(
        "INSERT INTO ceiling_select SELECT g, 'user' || g || '@acme-bench.example' \
         FROM generate_series(1, $1) g",
    )
    .bind(SELECT_ROWS as i64)
    .execute(&pool)
    .await?;
    sqlx::query("VACUUM ANALYZE ceiling_select")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

/// `tps = 1234.567 (without initial connection time)` and `latency average = 0.8 ms`.
fn parse_output(out: &str) -> Option<(f64, f64)> {
    let tps = out.lines().find_map(|l| {
        let rest = l.strip_prefix("tps = ")?;
        if !rest.contains("without initial connection time") {
            return None;
        }
        rest.split_whitespace().next()?.parse().ok()
    })?;
    let latency = out
        .lines()
        .find_map(|l| {
            l.strip_prefix("latency average = ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0.0);
    Some((tps, latency))
}

/// Runs `pgbench` with `script` for `seconds` at each of `clients`, against the database
/// `db_name` of the server behind `admin_url`; the database must exist and be empty.
pub async fn measure(
    admin_url: &str,
    db_name: &str,
    db_url: &str,
    scratch: &Path,
    clients: &[usize],
    seconds: u64,
) -> Result<Ceiling> {
    let version = Command::new("pgbench")
        .arg("--version")
        .output()
        .context("pgbench is not installed (it comes with PostgreSQL's client tools)")?;
    prepare(db_url).await?;
    let (host, port, user) = parts(admin_url)?;
    let mut ceiling = Ceiling {
        runs: Vec::new(),
        pgbench_version: String::from_utf8_lossy(&version.stdout).trim().to_string(),
        connection: format!(
            "TCP {host}:{port}, sslmode {}",
            std::env::var("PGSSLMODE").unwrap_or_else(|_| "prefer (the default)".into())
        ),
    };
    for (script, text) in [("insert", INSERT_SCRIPT), ("select", SELECT_SCRIPT)] {
        let file = scratch.join(format!("ceiling-{script}.sql"));
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        for &c in clients {
            eprintln!("   pgbench {script}, {c} clients, {seconds} s");
            let threads = c.min(std::thread::available_parallelism().map_or(2, |n| n.get()));
            let out = tokio::process::Command::new("pgbench")
                .args([
                    "-n", "-M", "prepared", "-h", &host, "-p", &port, "-U", &user,
                ])
                .args(["-c", &c.to_string(), "-j", &threads.to_string()])
                .args(["-T", &seconds.to_string(), "-f"])
                .arg(&file)
                .arg(db_name)
                .output()
                .await
                .context("running pgbench")?;
            let text = String::from_utf8_lossy(&out.stdout);
            let Some((tps, latency)) = parse_output(&text).filter(|_| out.status.success()) else {
                bail!(
                    "pgbench {script} -c {c} failed: {}{}",
                    text,
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            eprintln!("   -> {tps:.0} transactions/s, latency {latency:.2} ms");
            ceiling.runs.push(PgbenchRun {
                script: script.into(),
                clients: c,
                seconds,
                tps,
                latency_avg_ms: latency,
            });
            // Let the server's checkpointer and autovacuum settle between runs.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    Ok(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pgbench_output() {
        let out = "transaction type: insert.sql\nscaling factor: 1\nnumber of clients: 8\n\
                   latency average = 4.567 ms\ninitial connection time = 12.3 ms\n\
                   tps = 1751.234567 (without initial connection time)\n";
        assert_eq!(parse_output(out), Some((1751.234567, 4.567)));
        assert_eq!(parse_output("pgbench: error: connection refused"), None);
    }

    #[test]
    fn picks_the_nearest_level_at_or_below() {
        let run = |script: &str, clients, tps| PgbenchRun {
            script: script.into(),
            clients,
            seconds: 1,
            tps,
            latency_avg_ms: 0.0,
        };
        let c = Ceiling {
            runs: vec![run("insert", 1, 100.0), run("insert", 8, 800.0)],
            ..Ceiling::default()
        };
        assert_eq!(c.insert_tps(8), Some(800.0));
        assert_eq!(c.insert_tps(32), Some(800.0));
        assert_eq!(c.insert_tps(1), Some(100.0));
        assert_eq!(c.select_tps(8), None);
    }
}
