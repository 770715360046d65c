//! `TestApp`: a whole Roster (api + relay + worker) in the test process, on the backend that
//! `ROSTER_TEST_BACKEND` selects:
//! - `embedded` (default): a SQLite file in a temporary directory, in-process bus, memory cache;
//! - `services`: a fresh Postgres database, a random RabbitMQ queue prefix and Redis key prefix
//!   (URLs from `ROSTER_TEST_POSTGRES_URL`, `ROSTER_TEST_AMQP_URL`, `ROSTER_TEST_REDIS_URL`).
//!
//! Plus `Receiver`, an in-process webhook receiver that records every request, `Proxy`, a TCP
//! proxy that cuts the app off from RabbitMQ on demand, `Worker`, one worker instance, and
//! fixtures for SCIM (`scim`) and webhook endpoints (`webhooks`).

#![allow(dead_code)]

pub mod api;
pub mod proxy;
pub mod receiver;
pub mod routes;
pub mod scim;
pub mod webhooks;
pub mod workers;

use roster_domain::clock::{Clock, ManualClock};
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
use workers::Worker;

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

/// Services of an isolated deployment on a manual clock, with no worker running (the test plays
/// it), and one Okta connection whose first SCIM use has activated it (event 0,
/// `connection.activated`).
pub async fn bare() -> (
    Isolation,
    Services,
    Arc<ManualClock>,
    roster_domain::ids::ConnectionCtx,
) {
    let isolation = Isolation::new().await;
    let mut svc = Services::start(isolation.config.clone(), true)
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new());
    svc.clock = clock.clone();
    let tenant = svc.create_tenant("Acme", None).await.unwrap();
    let conn = svc.create_connection(tenant.id, "", "okta").await.unwrap();
    let token = svc.issue_scim_token(conn.id, None).await.unwrap();
    let ctx = svc.authenticate_scim(conn.id, &token.token).await.unwrap();
    (isolation, svc, clock, ctx)
}

/// A deployment-wide endpoint for every event type at `url`.
pub fn catch_all(url: &str) -> roster_domain::services::NewEndpoint {
    roster_domain::services::NewEndpoint {
        url: url.into(),
        description: String::new(),
        event_types: vec!["*".into()],
        tenant_id: None,
        ..Default::default()
    }
}

/// Creates [`catch_all`]`(url)`; returns its id.
pub async fn catch_all_endpoint(svc: &Services, url: &str) -> uuid::Uuid {
    svc.create_endpoint(catch_all(url)).await.unwrap().0.id.0
}

/// Creates user `user_name` through the services and returns its `user.created` event (the
/// newest one: event ids grow with time).
pub async fn create_user_event(
    svc: &Services,
    ctx: &roster_domain::ids::ConnectionCtx,
    user_name: &str,
) -> roster_domain::entities::event::Model {
    use roster_domain::entities::event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let input = roster_scim::parse_user(&serde_json::json!({"userName": user_name})).unwrap();
    svc.create_user(ctx, input).await.unwrap();
    event::Entity::find()
        .filter(event::Column::EventType.eq("user.created"))
        .order_by_desc(event::Column::Id)
        .one(&svc.db)
        .await
        .unwrap()
        .unwrap()
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
        // Tests replay IdP traffic faster than any IdP sends it; rate_limits.rs sets its own.
        config.limits.scim_requests_per_sec = 0;
        config.limits.api_requests_per_sec = 0;
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

    /// How many consumers the test's delivery queue has (0 before it exists), asked of the
    /// broker itself (not through a `Proxy`).
    pub async fn queue_consumers(&self) -> u32 {
        use lapin::options::QueueDeclareOptions;
        let url = self.config.amqp_url.as_ref().expect("the services backend");
        let conn = lapin::Connection::connect(url, Default::default())
            .await
            .unwrap();
        let ch = conn.create_channel().await.unwrap();
        let queue = roster_worker::bus::rabbit_names::queue_name(&self.config.queue_prefix);
        let passive = QueueDeclareOptions {
            passive: true,
            ..Default::default()
        };
        let declared = ch
            .queue_declare(queue.as_str().into(), passive, Default::default())
            .await;
        conn.close(0, "probe done".into()).await.ok();
        declared.map_or(0, |q| q.consumer_count())
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
    workers: Vec<Worker>,
    /// The proxy between the app and RabbitMQ (`Options::broker_proxy`, services backend).
    pub broker: Option<proxy::Proxy>,
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
    /// Services backend: the app (api readiness and every worker) reaches RabbitMQ through a
    /// `Proxy` the test can take down (`TestApp::broker`); cleanup still talks to the broker.
    pub broker_proxy: bool,
    /// Services backend only: this many more workers, each with its own `Services` and its own
    /// bus connection, like more `roster worker` processes.
    pub extra_workers: usize,
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
        assert!(
            options.extra_workers == 0 || backend() == Backend::Services,
            "extra workers need the services backend: on the embedded one each would have its \
             own in-process bus"
        );
        let isolation = Isolation::new().await;
        let mut config = isolation.config.clone();
        if let Some(configure) = options.configure {
            configure(&mut config);
        }
        let broker = match &config.amqp_url {
            Some(url) if options.broker_proxy => {
                let (proxy, via) = proxy::Proxy::in_front_of(url).await;
                config.amqp_url = Some(via);
                Some(proxy)
            }
            _ => None,
        };
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
                own_services(&config, &svc.clock).await
            }
        };
        let bus = roster_worker::connect_bus(&svc.config)
            .await
            .expect("event bus");
        let shutdown = CancellationToken::new();
        let mut workers = vec![Worker::spawn(worker_svc, bus.clone(), shutdown.clone())];
        for _ in 0..options.extra_workers {
            let own_bus = roster_worker::connect_bus(&config)
                .await
                .expect("event bus");
            let own_svc = own_services(&config, &svc.clock).await;
            workers.push(Worker::spawn(own_svc, own_bus, shutdown.clone()));
        }
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
            workers,
            broker,
            isolation: Some(isolation),
        }
    }

    /// Bus messages each worker handled, in start order (the first is the app's own worker).
    pub fn handled_per_worker(&self) -> Vec<usize> {
        self.workers.iter().map(Worker::handled).collect()
    }

    /// Consumers on the delivery queue, as the broker sees them (services backend).
    pub async fn queue_consumers(&self) -> u32 {
        self.isolation
            .as_ref()
            .expect("a running app")
            .queue_consumers()
            .await
    }

    /// Moves the manual clock forward and wakes every worker's retry loop.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock
            .as_ref()
            .expect("TestApp started with manual_clock")
            .advance(by);
        self.svc.retry_wake.notify_one();
        for worker in &self.workers {
            worker.svc.retry_wake.notify_one();
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.svc.clock.now()
    }

    pub async fn stop(mut self) {
        self.server.stop(true).await;
        self.shutdown.cancel();
        for worker in &mut self.workers {
            let _ = tokio::time::timeout(Duration::from_secs(10), &mut worker.task).await;
            worker.svc.db.clone().close().await.ok();
        }
        self.svc.db.clone().close().await.ok();
        drop(self.broker.take());
        if let Some(isolation) = self.isolation.take() {
            isolation.cleanup().await;
        }
    }
}

/// `Services` of their own for a worker (own pool, own wake-up signals), on the app's clock.
async fn own_services(config: &Config, clock: &Arc<dyn Clock>) -> Services {
    let mut svc = Services::start(config.clone(), false)
        .await
        .expect("worker services start");
    svc.clock = clock.clone();
    svc
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
