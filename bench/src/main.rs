//! `roster-bench`: the SCIM benchmark harness. It starts the release `roster` binary as a
//! subprocess on isolated resources, drives it over HTTP like an identity provider would, and
//! prints and writes the figures (see BENCHMARKS.md). It measures; it never asserts timings.

mod client;
mod postgres;
mod report;
mod run;
mod scenarios;
mod server;
mod stats;
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
    /// SCIM load: creates, userName lookups, paging, a large group, and (services) a big
    /// connection seeded in SQL with the lookup's query plans.
    Scim(ScimArgs),
}

#[derive(Args)]
struct ScimArgs {
    /// Users created through the API (scenario A; the other scenarios use them).
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Users seeded directly in PostgreSQL for a second connection (scenario E; services only).
    #[arg(long, default_value_t = 0)]
    big: u64,
    #[arg(long, value_enum, default_value_t = Backend::Services)]
    backend: Backend,
    /// Where the .json and .md results go (default: bench/results in the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// `userName eq` lookups that hit, per connection.
    #[arg(long, default_value_t = 5_000)]
    lookups: usize,
    /// `userName eq` lookups that miss, per connection.
    #[arg(long, default_value_t = 500)]
    misses: usize,
    /// Members of the large group (scenario D).
    #[arg(long, default_value_t = 10_000)]
    group_members: usize,
    /// Run `cargo build --release -p roster` first (otherwise target/release/roster must exist).
    #[arg(long)]
    build: bool,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// The PostgreSQL server log, read to capture the SQL of a lookup for EXPLAIN.
    #[arg(long, default_value = "/var/log/postgresql/postgresql-15-main.log")]
    pg_log: PathBuf,
    /// Keep the bench database and scratch directory afterwards.
    #[arg(long)]
    keep: bool,
}

fn main() -> ExitCode {
    let Command::Scim(args) = Cli::parse().command;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(scim(args))
}

async fn scim(args: ScimArgs) -> ExitCode {
    let binary = match server::roster_binary(args.build) {
        Ok(b) => b,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace.join("results"));
    let opts = run::Options {
        backend: args.backend,
        users: args.users,
        big: args.big,
        lookups: args.lookups,
        misses: args.misses,
        group_members: args.group_members,
        binary,
        urls: ServiceUrls {
            postgres_admin: args.postgres_url,
            amqp: args.amqp_url,
            redis: args.redis_url,
        },
        pg_log: args.pg_log.exists().then_some(args.pg_log),
        keep: args.keep,
    };
    if opts.backend == Backend::Embedded && opts.big > 0 {
        eprintln!("note: --big needs --backend services; skipping the big connection");
    }
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let (report, result) = run::run(&opts, &stamp).await;
    println!("{}", report.markdown());
    match report.write(&out, &stamp) {
        Ok((json, md)) => eprintln!("== wrote {} and {}", json.display(), md.display()),
        Err(err) => eprintln!("!! writing the results: {err:#}"),
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
