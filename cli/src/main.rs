//! `roster`: one binary for every role (all-in-one, api, worker, migrations), the operator CLI
//! and a webhook receiver for trying deliveries out.

mod endpoint_cmd;
mod manage;
mod output;
mod receive;
mod roles;

use clap::{Parser, Subcommand};
use roster_domain::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "roster",
    version,
    about = "Multi-tenant SCIM 2.0 provisioning with signed webhooks"
)]
struct Cli {
    /// TOML configuration file (settings: see roster.example.toml). Also ROSTER_CONFIG.
    #[arg(long, global = true, env = "ROSTER_CONFIG")]
    config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything in one process: migrations, api, relay and worker (the default way to run).
    Run,
    /// The HTTP api only (run `migrate` first, and workers elsewhere).
    Serve,
    /// The outbox relay and webhook delivery only.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    #[command(subcommand)]
    Tenant(manage::TenantCmd),
    #[command(subcommand)]
    Connection(manage::ConnectionCmd),
    #[command(subcommand)]
    Token(manage::TokenCmd),
    #[command(subcommand)]
    Endpoint(endpoint_cmd::EndpointCmd),
    #[command(subcommand)]
    Account(manage::AccountCmd),
    #[command(subcommand, name = "api-key")]
    ApiKey(manage::ApiKeyCmd),
    /// Receive webhooks locally and print the ones whose signature verifies.
    Receive(receive::ReceiveArgs),
    /// Count the bus messages set aside as poison (RabbitMQ), or move them back with --requeue.
    DeadLetters {
        #[arg(long)]
        requeue: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        let doc = roster_api::openapi::document();
        println!(
            "{}",
            doc.to_pretty_json()
                .expect("the OpenAPI document serialises")
        );
        return ExitCode::SUCCESS;
    }
    if let Command::Receive(args) = cli.command {
        return report(receive::run(args, cli.json));
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    let server = matches!(cli.command, Command::Run | Command::Serve | Command::Worker);
    init_tracing(&config, server);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    report(runtime.block_on(dispatch(cli.command, config, cli.json)))
}

async fn dispatch(command: Command, config: Config, json: bool) -> anyhow::Result<()> {
    match command {
        Command::Run => roles::run_all(config).await,
        Command::Serve => roles::serve(config).await,
        Command::Worker => roles::worker(config).await,
        Command::Migrate => roles::migrate(config).await,
        Command::Tenant(cmd) => manage::tenant(cmd, config, json).await,
        Command::Connection(cmd) => manage::connection(cmd, config, json).await,
        Command::Token(cmd) => manage::token(cmd, config, json).await,
        Command::Endpoint(cmd) => endpoint_cmd::run(cmd, config, json).await,
        Command::Account(cmd) => manage::account(cmd, config, json).await,
        Command::ApiKey(cmd) => manage::api_key(cmd, config, json).await,
        Command::DeadLetters { requeue } => manage::dead_letters(config, requeue, json).await,
        Command::Openapi | Command::Receive(_) => unreachable!("handled before configuration"),
    }
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr (stdout is for command output). Servers log at `log_level`; CLI commands
/// only warnings, unless RUST_LOG says otherwise.
fn init_tracing(config: &Config, server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server {
        config.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
