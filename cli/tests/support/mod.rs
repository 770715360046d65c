//! `TestApp`: a whole Roster (api + relay + worker) in the test process, on the backend that
//! `ROSTER_TEST_BACKEND` selects:
//! - `embedded` (default): a SQLite file in a temporary directory, in-process bus, memory cache;
//! - `services`: a fresh Postgres database, a random RabbitMQ queue prefix and Redis key prefix
//!   (URLs from `ROSTER_TEST_POSTGRES_URL`, `ROSTER_TEST_AMQP_URL`, `ROSTER_TEST_REDIS_URL`).
//!
//! Plus `Receiver`, an in-process webhook receiver that records every request.

#![allow(dead_code)]

pub mod api;
pub mod receiver;
pub mod scim;

use roster_domain::clock::ManualClock;
use roster_domain::health::{CacheCheck, DatabaseCheck, HealthCheck};
use roster_domain::{Config, Services};
use roster_worker::bus::BusCheck;
use sea_orm::{ConnectionTrait, Database};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[allow(unused_imports)]
pub use receiver::Receiver;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Services,
}

pub fn backend() -> Backend {
    match std::env::var("ROSTER_TEST_BACKEND").as_deref() {
        Ok("services") => Backend::Services,
        Ok("embedded") | Err(_) => Backend::Embedded,
        Ok(other) => panic!("ROSTER_TEST_BACKEND must be `embedded` or `services`, not `{other}`"),
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn postgres_admin_url() -> String {
    env_or(
        "ROSTER_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
}

/// Isolated backing resources for one test, and how to remove them.
pub struct Isolation {
    pub config: Config,
    tmp: Option<tempfile::TempDir>,
    database: Option<String>,
}

impl Isolation {
    /// A configuration of its own: own SQLite file, or own database + queue and key prefixes.
    pub async fn new() -> Isolation {
        let unique = format!("t{}", uuid::Uuid::new_v4().simple());
        let mut config = Config::default();
        config.relay.poll_interval_ms = 200;
        // Test receivers listen on loopback.
        config.webhook.allowed_networks = vec!["127.0.0.1/32".parse().unwrap()];
        config.webhook.timeout_ms = 5_000;
        match backend() {
            Backend::Embedded => {
                let tmp = tempfile::tempdir().expect("a temporary directory");
                config.data_dir = tmp.path().to_path_buf();
                Isolation {
                    config,
                    tmp: Some(tmp),
                    database: None,
                }
            }
            Backend::Services => {
                let admin_url = postgres_admin_url();
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("Postgres for tests (ROSTER_TEST_POSTGRES_URL)");
                let name = format!("roster_{unique}");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("creating the test database");
                admin.close().await.ok();
                let base = admin_url.rsplit_once('/').expect("a database URL").0;
                config.database_url = Some(format!("{base}/{name}"));
                config.database_max_connections = 5;
                config.amqp_url = Some(env_or(
                    "ROSTER_TEST_AMQP_URL",
                    "amqp://guest:guest@127.0.0.1:5672/%2f",
                ));
                config.queue_prefix = unique.clone();
                config.redis_url = Some(env_or("ROSTER_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
                config.cache_prefix = unique;
                Isolation {
                    config,
                    tmp: None,
                    database: Some(name),
                }
            }
        }
    }

    /// Removes the database and the broker topology (a test that panicked leaves them for the
    /// test script's sweep of `roster_t*` databases).
    pub async fn cleanup(self) {
        if let Some(name) = &self.database {
            let admin = Database::connect(&postgres_admin_url()).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
        if let Some(url) = &self.config.amqp_url {
            use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
            let conn = lapin::Connection::connect(url, Default::default())
                .await
                .unwrap();
            let ch = conn.create_channel().await.unwrap();
            let prefix = &self.config.queue_prefix;
            let queue = roster_worker::bus::rabbit_names::queue_name(prefix);
            let exchange = roster_worker::bus::rabbit_names::exchange_name(prefix);
            ch.queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await
                .ok();
            ch.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                .await
                .ok();
            let dead_queue = roster_worker::bus::rabbit_names::dead_queue_name(prefix);
            let dead_exchange = roster_worker::bus::rabbit_names::dead_exchange_name(prefix);
            ch.queue_delete(dead_queue.as_str().into(), QueueDeleteOptions::default())
                .await
                .ok();
            ch.exchange_delete(
                dead_exchange.as_str().into(),
                ExchangeDeleteOptions::default(),
            )
            .await
            .ok();
            conn.close(0, "test done".into()).await.ok();
        }
        drop(self.tmp);
    }
}

pub struct TestApp {
    pub base_url: String,
    pub svc: Services,
    clock: Option<Arc<ManualClock>>,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
    server: actix_web::dev::ServerHandle,
    worker: tokio::task::JoinHandle<()>,
    isolation: Option<Isolation>,
}

/// How a `TestApp` is laid out.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Give the worker its own `Services` (own pool, own in-process wake-up signal), as a
    /// separate `roster worker` process would have, polling every this many milliseconds.
    pub separate_worker_poll_ms: Option<u64>,
    /// Run on a manual clock (see `TestApp::advance`) instead of the system clock.
    pub manual_clock: bool,
    /// Adjusts the configuration before start.
    pub configure: Option<fn(&mut Config)>,
}

impl TestApp {
    pub async fn start() -> TestApp {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestApp {
        // RUST_LOG=… shows the app's logs in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let isolation = Isolation::new().await;
        let mut config = isolation.config.clone();
        if let Some(configure) = options.configure {
            configure(&mut config);
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        config.listen = addr.to_string();
        let mut svc = Services::start(config.clone(), true)
            .await
            .expect("services start");
        let clock = options.manual_clock.then(|| Arc::new(ManualClock::new()));
        if let Some(clock) = &clock {
            svc.clock = clock.clone();
        }
        let worker_svc = match options.separate_worker_poll_ms {
            None => svc.clone(),
            Some(poll) => {
                config.relay.poll_interval_ms = poll;
                let mut worker = Services::start(config, false)
                    .await
                    .expect("worker services start");
                worker.clock = svc.clock.clone();
                worker
            }
        };
        let bus = roster_worker::connect_bus(&svc.config)
            .await
            .expect("event bus");
        let shutdown = CancellationToken::new();
        let worker = tokio::spawn(roster_worker::run(
            worker_svc,
            bus.clone(),
            shutdown.clone(),
        ));
        let checks: Vec<Arc<dyn HealthCheck>> = vec![
            Arc::new(DatabaseCheck(svc.clone())),
            Arc::new(CacheCheck(svc.clone())),
            Arc::new(BusCheck(bus)),
        ];
        let server = roster_api::start(svc.clone(), checks, listener).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            base_url: format!("http://{addr}"),
            clock,
            svc,
            http: reqwest::Client::new(),
            shutdown,
            server: handle,
            worker,
            isolation: Some(isolation),
        }
    }

    /// Moves the manual clock forward and wakes the retry loop.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock
            .as_ref()
            .expect("TestApp started with manual_clock")
            .advance(by);
        self.svc.retry_wake.notify_one();
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.svc.clock.now()
    }

    pub async fn stop(mut self) {
        self.server.stop(true).await;
        self.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.worker).await;
        self.svc.db.clone().close().await.ok();
        if let Some(isolation) = self.isolation.take() {
            isolation.cleanup().await;
        }
    }
}

/// Polls `probe` until it returns `Some` or `deadline` passes (then panics with `what`).
pub async fn wait_for<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
