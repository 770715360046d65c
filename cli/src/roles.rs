//! The long-running roles. `run` is all of them in one process (the embedded default).

use roster_domain::health::{CacheCheck, DatabaseCheck, HealthCheck};
use roster_domain::{Config, Services, db};
use roster_worker::bus::BusCheck;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn bind(config: &Config) -> anyhow::Result<TcpListener> {
    TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (setting `listen`): {e}", config.listen))
}

fn base_checks(svc: &Services) -> Vec<Arc<dyn HealthCheck>> {
    vec![
        Arc::new(DatabaseCheck(svc.clone())),
        Arc::new(CacheCheck(svc.clone())),
    ]
}

pub async fn run_all(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.redacted_summary(), "starting roster (all-in-one)");
    let listener = bind(&config)?;
    let svc = Services::start(config, true).await?;
    let bus = roster_worker::connect_bus(&svc.config).await?;
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(roster_worker::run(
        svc.clone(),
        bus.clone(),
        shutdown.clone(),
    ));
    let mut checks = base_checks(&svc);
    checks.push(Arc::new(BusCheck(bus)));
    let url = svc.config.public_url();
    let server = roster_api::start(svc, checks, listener)?;
    tracing::info!("Roster is up: admin UI {url}/admin/, API docs {url}/docs/");
    let result = server.await;
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), worker).await;
    Ok(result?)
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.redacted_summary(), "starting roster api");
    let listener = bind(&config)?;
    let svc = Services::start(config, false).await?;
    let checks = base_checks(&svc);
    Ok(roster_api::start(svc, checks, listener)?.await?)
}

pub async fn worker(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.redacted_summary(), "starting roster worker");
    let svc = Services::start(config, false).await?;
    let bus = roster_worker::connect_bus(&svc.config).await?;
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(roster_worker::run(svc, bus, shutdown.clone()));
    shutdown_signal().await;
    tracing::info!("shutting down the worker");
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    Ok(())
}

pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let conn = db::connect(&config).await?;
    db::migrate(&conn).await?;
    eprintln!("migrations applied");
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
