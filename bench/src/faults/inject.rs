//! The faults: the backing services stopped and restarted with their own tools (this machine's
//! PostgreSQL cluster, RabbitMQ node and Redis server, as `scripts/services.sh` starts them).

use anyhow::{Context, Result, bail};
use std::process::Command;
use std::time::{Duration, Instant};

fn run(program: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

async fn wait_until(what: &str, limit: Duration, probe: impl Fn() -> bool) -> Result<()> {
    let until = Instant::now() + limit;
    while !probe() {
        if Instant::now() > until {
            bail!("{what} did not come back within {} s", limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// RabbitMQ's application stopped (every connection closed, the port shut) for `outage`.
pub async fn rabbitmq_outage(outage: Duration) -> Result<()> {
    run("rabbitmqctl", &["stop_app"])?;
    tokio::time::sleep(outage).await;
    run("rabbitmqctl", &["start_app"])?;
    wait_until("RabbitMQ", Duration::from_secs(60), || {
        run("rabbitmqctl", &["await_startup"]).is_ok()
    })
    .await
}

/// `pg_ctlcluster <version> main restart` (fast shutdown: sessions are cut).
pub async fn restart_postgres() -> Result<()> {
    let version = std::fs::read_dir("/etc/postgresql")
        .context("reading /etc/postgresql")?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .next()
        .context("no cluster under /etc/postgresql")?;
    run(
        "pg_ctlcluster",
        &[
            "--skip-systemctl-redirect",
            &version,
            "main",
            "restart",
            "-m",
            "fast",
        ],
    )?;
    wait_until("PostgreSQL", Duration::from_secs(60), || {
        run("pg_isready", &["-h", "127.0.0.1", "-q"]).is_ok()
    })
    .await
}

/// Redis shut down (nothing saved) and started again, empty.
pub async fn restart_redis() -> Result<()> {
    let _ = run("redis-cli", &["-p", "6379", "shutdown", "nosave"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    run(
        "redis-server",
        &[
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
    )?;
    wait_until("Redis", Duration::from_secs(30), || {
        run("redis-cli", &["-p", "6379", "ping"]).is_ok()
    })
    .await
}
