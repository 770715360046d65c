//! `roster-bench`: the benchmark harness. It starts the release `roster` binary as a
//! subprocess on isolated resources, drives it over HTTP like an identity provider would
//! (`scim`), receives its webhooks on loopback (`delivery`), and prints and writes the figures
//! (see BENCHMARKS.md). It measures; it never asserts timings.

mod all;
mod ceiling;
mod client;
mod delivery;
mod delivery_report;
mod faults;
mod postgres;
mod procfs;
mod receiver;
mod report;
mod run;
mod scenarios;
mod server;
mod stats;
mod store;
mod users;

use clap::{Args, Parser, Subcommand};
use server::{Backend, ServiceUrls};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "roster-bench", about = "Benchmarks for Roster")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The full run behind BENCHMARKS.md: the pgbench ceiling, then the SCIM and delivery
    /// scenarios (initial sync included) on PostgreSQL + RabbitMQ + Redis, then on the
    /// embedded default; a summary with every target and ratio.
    All(AllArgs),
    /// SCIM load: creates, userName lookups, paging, a large group, and (services) a big
    /// connection seeded in SQL with the lookup's query plans.
    Scim(ScimArgs),
    /// Webhook delivery: end-to-end latency at a steady rate, fan-out throughput, isolation
    /// from a hanging endpoint, and (services) the SQL statements per delivery.
    Delivery(DeliveryArgs),
    /// Faults under a steady write load (worker and api SIGKILLed, RabbitMQ stopped,
    /// PostgreSQL and Redis restarted, a receiver answering 503): a ledger of every committed
    /// change against what the receiver got. Restarts this machine's services.
    Faults(FaultArgs),
}

/// What every benchmark takes: the backend, where results go, and the shared services.
#[derive(Args)]
struct Common {
    #[arg(long, value_enum, default_value_t = Backend::Services)]
    backend: Backend,
    /// Where the .json and .md results go (default: bench/results in the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run `cargo build --release -p roster` first (otherwise target/release/roster must exist).
    #[arg(long)]
    build: bool,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Query string for Roster's database URL, e.g. `sslmode=disable` (default: none, so
    /// the driver's default, TLS when the server offers it).
    #[arg(long)]
    postgres_params: Option<String>,
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// The PostgreSQL server log, read to capture the SQL Roster sends.
    #[arg(long, default_value = "/var/log/postgresql/postgresql-15-main.log")]
    pg_log: PathBuf,
    /// Keep the bench database and scratch directory afterwards.
    #[arg(long)]
    keep: bool,
    /// A setting for Roster, as its environment variable (repeatable), e.g.
    /// `--set ROSTER_RELAY__LINGER_MS=0`: compare one setting's effect in otherwise equal runs.
    #[arg(long = "set", value_name = "ROSTER_…=VALUE", value_parser = roster_setting)]
    settings: Vec<(String, String)>,
}

/// `ROSTER_X=value` → (`ROSTER_X`, `value`).
fn roster_setting(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if key.starts_with("ROSTER_") => Ok((key.into(), value.into())),
        _ => Err(format!("expected ROSTER_…=VALUE, got {raw:?}")),
    }
}

impl Common {
    fn urls(&self) -> ServiceUrls {
        ServiceUrls {
            postgres_admin: self.postgres_url.clone(),
            postgres_params: self.postgres_params.clone(),
            amqp: self.amqp_url.clone(),
            redis: self.redis_url.clone(),
            settings: self.settings.clone(),
        }
    }

    fn out(&self) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("results"))
    }

    fn pg_log(&self) -> Option<PathBuf> {
        self.pg_log.exists().then(|| self.pg_log.clone())
    }
}

#[derive(Args)]
struct DeliveryArgs {
    #[command(flatten)]
    common: Common,
    /// Scenarios to run (default: all, in this order).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [
        delivery::Scenario::Latency,
        delivery::Scenario::Fanout,
        delivery::Scenario::Isolation,
        delivery::Scenario::Statements,
    ])]
    scenarios: Vec<delivery::Scenario>,
    /// Scenario 1: SCIM creates per second (open loop).
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    /// Scenario 1: seconds of sending.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Connections the creates are spread over (one connection's writes serialise).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Scenarios 2 and 3: events (users) pre-loaded before delivery starts (enough for the
    /// delivery to last several seconds at 5,000/s: shorter runs measure start-up more than
    /// throughput).
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Scenarios 2 and 3: webhook endpoints (in 3, the last one hangs).
    #[arg(long, default_value_t = 10)]
    endpoints: usize,
    /// `--max-concurrency` of every endpoint (default: webhook.max_concurrency_per_endpoint).
    #[arg(long)]
    max_concurrency: Option<u32>,
    /// Events pre-loaded for the statement profile (services; needs --pg-log).
    #[arg(long, default_value_t = 200)]
    statement_users: usize,
    /// ROSTER_WEBHOOK__TIMEOUT_MS for the run (how long the hanging endpoint holds a request).
    #[arg(long, default_value_t = 5_000)]
    timeout_ms: u64,
    /// `perf record -a` during scenarios 2 and 3 (needs perf).
    #[arg(long)]
    perf: bool,
    #[command(flatten)]
    sync: SyncArgs,
}

/// The initial sync's size (`--scenarios sync`, and `all`).
#[derive(Args)]
struct SyncArgs {
    /// Users of the initial sync (each looked up, then created).
    #[arg(long, default_value_t = 100_000)]
    sync_users: usize,
    /// Groups pushed after the users.
    #[arg(long, default_value_t = 500)]
    sync_groups: usize,
    /// Members of each group (one PATCH per group).
    #[arg(long, default_value_t = 20)]
    sync_members: usize,
    /// Requests in flight during the sync.
    #[arg(long, default_value_t = 8)]
    sync_concurrency: usize,
}

impl SyncArgs {
    fn size(&self) -> delivery::SyncSize {
        delivery::SyncSize {
            users: self.sync_users,
            groups: self.sync_groups,
            members_per_group: self.sync_members,
            concurrency: self.sync_concurrency.max(1),
        }
    }
}

#[derive(Args)]
struct AllArgs {
    /// `services` runs PostgreSQL + RabbitMQ + Redis and then the embedded default;
    /// `embedded` runs the embedded default alone.
    #[command(flatten)]
    common: Common,
    /// With `--backend services`: skip the embedded part.
    #[arg(long)]
    no_embedded: bool,
    /// SCIM creates: 2,000 at 1 in flight, 10,000 at 8, the rest at 32.
    #[arg(long, default_value_t = 22_000)]
    creates: usize,
    /// Users seeded in SQL for the lookup connection (services).
    #[arg(long, default_value_t = 1_000_000)]
    big: u64,
    #[command(flatten)]
    sync: SyncArgs,
    /// End-to-end scenario: creates per second (open loop) and seconds of sending.
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Fan-out and isolation: events, and endpoints per event.
    #[arg(long, default_value_t = 10_000)]
    fanout_events: usize,
    #[arg(long, default_value_t = 10)]
    endpoints: usize,
    /// Seconds of each pgbench run (insert and select at 1, 8 and 32 clients).
    #[arg(long, default_value_t = 10)]
    pgbench_seconds: u64,
}

#[derive(Args)]
struct FaultArgs {
    #[command(flatten)]
    common: Common,
    /// The roster binary (default: target/release/roster).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Users created by the steady load.
    #[arg(long, default_value_t = 10_000)]
    changes: usize,
    /// Creates per second.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds RabbitMQ stays stopped.
    #[arg(long, default_value_t = 30)]
    outage: u64,
    /// Seconds between two faults.
    #[arg(long, default_value_t = 5)]
    gap: u64,
    /// Api processes and worker processes (each) against the same services.
    #[arg(long, default_value_t = 2)]
    instances: usize,
}

#[derive(Args)]
struct ScimArgs {
    /// Users created through the API (scenario A; the other scenarios use them).
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Users seeded directly in PostgreSQL for a second connection (scenario E; services only).
    #[arg(long, default_value_t = 0)]
    big: u64,
    #[command(flatten)]
    common: Common,
    /// `userName eq` lookups that hit, per connection.
    #[arg(long, default_value_t = 5_000)]
    lookups: usize,
    /// `userName eq` lookups that miss, per connection.
    #[arg(long, default_value_t = 500)]
    misses: usize,
    /// Members of the large group (scenario D).
    #[arg(long, default_value_t = 10_000)]
    group_members: usize,
    /// Connections (one IdP each) of the extra create level, 10,000 creates at 32 in flight
    /// round-robin over them (0: skip it).
    #[arg(long, default_value_t = 8)]
    spread_connections: usize,
}

fn main() -> ExitCode {
    let command = Cli::parse().command;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("roster-bench")
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match command {
        Command::All(args) => runtime.block_on(all(args)),
        Command::Scim(args) => runtime.block_on(scim(args)),
        Command::Delivery(args) => runtime.block_on(delivery(args)),
        Command::Faults(args) => runtime.block_on(faults(args)),
    }
}

/// Prints the error and fails.
fn failed(err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::FAILURE
}

async fn delivery(args: DeliveryArgs) -> ExitCode {
    let c = &args.common;
    let binary = match server::roster_binary(c.build) {
        Ok(b) => b,
        Err(err) => return failed(err),
    };
    let opts = delivery::Options {
        backend: c.backend,
        binary,
        urls: c.urls(),
        pg_log: c.pg_log(),
        keep: c.keep,
        scenarios: args.scenarios.clone(),
        rate: args.rate,
        seconds: args.seconds,
        connections: args.connections,
        users: args.users,
        endpoints: args.endpoints.max(1),
        max_concurrency: args.max_concurrency,
        statement_users: args.statement_users,
        timeout_ms: args.timeout_ms,
        perf: args.perf,
        sync: args.sync.size(),
    };
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let (report, result) = delivery::run(&opts, &stamp).await;
    println!("{}", report.markdown());
    finish(report.write(&c.out(), &stamp), result)
}

async fn all(args: AllArgs) -> ExitCode {
    let c = &args.common;
    let binary = match server::roster_binary(c.build) {
        Ok(b) => b,
        Err(err) => return failed(err),
    };
    let backends = match (c.backend, args.no_embedded) {
        (Backend::Embedded, _) => vec![Backend::Embedded],
        (Backend::Services, true) => vec![Backend::Services],
        (Backend::Services, false) => vec![Backend::Services, Backend::Embedded],
    };
    let opts = all::Options {
        backends,
        binary,
        urls: c.urls(),
        pg_log: c.pg_log(),
        out: c.out(),
        keep: c.keep,
        creates: args.creates,
        big: args.big,
        sync: args.sync.size(),
        rate: args.rate,
        seconds: args.seconds,
        fanout_events: args.fanout_events,
        endpoints: args.endpoints.max(2),
        pgbench_seconds: args.pgbench_seconds,
    };
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let (report, result) = all::run(&opts, &stamp).await;
    println!("{}", report.markdown());
    finish(report.write(&opts.out, &stamp), result)
}

async fn faults(args: FaultArgs) -> ExitCode {
    let c = &args.common;
    let binary = match args
        .binary
        .clone()
        .map_or_else(|| server::roster_binary(c.build), Ok)
    {
        Ok(b) => b,
        Err(err) => return failed(err),
    };
    let opts = faults::Options {
        backend: c.backend,
        binary,
        urls: c.urls(),
        changes: args.changes,
        rate: args.rate,
        outage: std::time::Duration::from_secs(args.outage),
        gap: std::time::Duration::from_secs(args.gap),
        instances: args.instances,
        keep: c.keep,
    };
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let (report, result) = faults::run(&opts, &stamp).await;
    println!("{}", report.markdown());
    finish(report.write(&c.out(), &stamp), result)
}

/// Reports where the results went and turns the run's result into the exit code.
fn finish(written: anyhow::Result<(PathBuf, PathBuf)>, result: anyhow::Result<()>) -> ExitCode {
    match written {
        Ok((json, md)) => eprintln!("== wrote {} and {}", json.display(), md.display()),
        Err(err) => eprintln!("!! writing the results: {err:#}"),
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => failed(err),
    }
}

async fn scim(args: ScimArgs) -> ExitCode {
    let c = &args.common;
    let binary = match server::roster_binary(c.build) {
        Ok(b) => b,
        Err(err) => return failed(err),
    };
    let out = c.out();
    let opts = run::Options {
        backend: c.backend,
        users: args.users,
        big: args.big,
        lookups: args.lookups,
        misses: args.misses,
        group_members: args.group_members,
        spread_connections: args.spread_connections,
        binary,
        urls: c.urls(),
        pg_log: c.pg_log(),
        keep: c.keep,
    };
    if opts.backend == Backend::Embedded && opts.big > 0 {
        eprintln!("note: --big needs --backend services; skipping the big connection");
    }
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let (report, result) = run::run(&opts, &stamp).await;
    println!("{}", report.markdown());
    finish(report.write(&out, &stamp), result)
}
