//! One run of the delivery benchmarks: isolated resources (as for `scim`), Roster restarted as
//! each scenario needs (`run`, or `serve` to pre-load events), a loopback receiver per
//! scenario, and the clean-up.

use crate::client::{Scim, http_client};
use crate::delivery_report::{DeliveryConfig, DeliveryReport};
use crate::postgres::{Admin, BenchDb};
use crate::receiver::Receiver;
use crate::report::{Machine, loadavg};
use crate::run::{cleanup, create_database, redacted_env, still_running};
use crate::scenarios::fanout::{self, FanoutPlan};
use crate::scenarios::steady;
use crate::scenarios::sync::{self, SyncPlan};
use crate::server::{Backend, Deployment, Roster, ServiceUrls, roster_version};
use crate::store::Store;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// An Okta-style initial sync (lookup + create per user, then groups), one endpoint.
    Sync,
    /// 1. End-to-end latency at a steady create rate, one endpoint.
    Latency,
    /// 2. Throughput of a fan-out to N fast endpoints.
    Fanout,
    /// 3. The same with one endpoint hanging.
    Isolation,
    /// Fan-out to one endpoint fewer than `--endpoints`, all answering: what the answering
    /// endpoints of scenario 3 get when nothing hangs (isolates the hanging endpoint's cost
    /// from the per-event work shared by fewer deliveries).
    Baseline,
    /// SQL statements per delivery from PostgreSQL's log (services only).
    Statements,
}

pub struct Options {
    pub backend: Backend,
    pub binary: PathBuf,
    pub urls: ServiceUrls,
    pub pg_log: Option<PathBuf>,
    pub keep: bool,
    pub scenarios: Vec<Scenario>,
    /// Scenario 1: creates per second, for how long, over how many connections.
    pub rate: f64,
    pub seconds: u64,
    pub connections: usize,
    /// Scenarios 2 and 3: events pre-loaded, endpoints.
    pub users: usize,
    pub endpoints: usize,
    pub max_concurrency: Option<u32>,
    /// Users pre-loaded for the statement profile.
    pub statement_users: usize,
    pub timeout_ms: u64,
    pub perf: bool,
    /// The initial sync: users, groups, members per group, requests in flight.
    pub sync: SyncSize,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SyncSize {
    pub users: usize,
    pub groups: usize,
    pub members_per_group: usize,
    pub concurrency: usize,
}

/// How long one start of the server took to answer `/readyz` with 200.
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    /// `run` or `serve`.
    pub role: String,
    /// The first start applies every migration to an empty database.
    pub first: bool,
    pub ready_s: f64,
}

/// What the scenarios share: the deployment, the running server, and database access.
pub struct Ctx<'a> {
    pub deployment: &'a Deployment,
    pub http: reqwest::Client,
    pub roster: Option<Roster>,
    /// Services: the bench database (counters), its name, and the superuser connection.
    pub db: Option<BenchDb>,
    pub db_name: Option<String>,
    pub admin: Option<Admin>,
    pub pg_log: Option<PathBuf>,
    pub store: Option<Store>,
    pub startups: Vec<Startup>,
}

impl Ctx<'_> {
    /// Stops the server if one runs.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(r) = self.roster.take() {
            r.stop().await?;
        }
        Ok(())
    }

    /// (Re)starts the server as `roster <role>`.
    pub async fn restart(&mut self, role: &str) -> Result<()> {
        self.restart_pid(role).await.map(|_| ())
    }

    /// (Re)starts the server as `roster <role>`; returns its pid.
    pub async fn restart_pid(&mut self, role: &str) -> Result<u32> {
        self.stop().await?;
        let roster = self.deployment.start_role(&self.http, role).await?;
        let pid = roster.pid();
        self.startups.push(Startup {
            role: role.into(),
            first: self.startups.is_empty(),
            ready_s: roster.ready_after.unwrap_or_default().as_secs_f64(),
        });
        self.roster = Some(roster);
        if self.store.is_none() {
            self.store = Some(Store::open(self.deployment).await?);
        }
        Ok(pid)
    }

    pub fn admin(&self) -> Result<&Admin> {
        self.admin
            .as_ref()
            .context("the PostgreSQL admin connection")
    }

    pub fn store(&self) -> Result<&Store> {
        self.store
            .as_ref()
            .context("the database has not been opened")
    }

    /// A new tenant named `name` and `n` Okta connections of it, as an identity provider sees
    /// them (the tenant id, and one client per connection).
    pub fn tenant_with_connections(&self, name: &str, n: usize) -> Result<(String, Vec<Scim>)> {
        let tenant = self.deployment.tenant(name)?;
        let scims = (0..n.max(1))
            .map(|_| {
                let (_, base, token) = self.deployment.connection(&tenant)?;
                Ok(Scim::new(self.http.clone(), base, &token))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((tenant, scims))
    }

    /// Disables endpoints (once their scenario is over).
    pub fn disable_endpoints(&self, ids: &[String]) -> Result<()> {
        for id in ids {
            self.deployment.cli(&["endpoint", "disable", id])?;
        }
        Ok(())
    }

    /// One endpoint per URL, for `tenant`'s events of every type; returns their ids.
    pub fn create_endpoints(
        &self,
        tenant: &str,
        urls: &[String],
        max_concurrency: Option<u32>,
    ) -> Result<Vec<String>> {
        let limit = max_concurrency.map(|n| n.to_string());
        urls.iter()
            .map(|url| {
                let mut args = vec!["endpoint", "create", "--url", url, "--tenant", tenant];
                if let Some(n) = &limit {
                    args.extend(["--max-concurrency", n.as_str()]);
                }
                let created = self.deployment.cli(&args)?;
                created["id"]
                    .as_str()
                    .map(str::to_string)
                    .with_context(|| format!("no id in {created}"))
            })
            .collect()
    }
}

/// Runs the chosen scenarios; the report is returned even when one failed (with the error).
pub async fn run(opts: &Options, stamp: &str) -> (DeliveryReport, Result<()>) {
    let db_stamp: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let mut report = DeliveryReport::new(
        Machine::detect(),
        roster_version(&opts.binary),
        DeliveryConfig::of(opts),
    );
    let started = Instant::now();
    let mut deployment =
        match Deployment::new(opts.backend, opts.binary.clone(), &opts.urls, &db_stamp) {
            Ok(d) => d,
            Err(err) => return (report, Err(err)),
        };
    deployment.env.extend([
        // The receivers are on loopback, which the SSRF guard refuses unless allowed.
        (
            "ROSTER_WEBHOOK__ALLOWED_NETWORKS".to_string(),
            r#"["127.0.0.1/32"]"#.to_string(),
        ),
        (
            "ROSTER_WEBHOOK__TIMEOUT_MS".into(),
            opts.timeout_ms.to_string(),
        ),
    ]);
    report.config.roster_env = redacted_env(&deployment);
    let mut ctx = Ctx {
        deployment: &deployment,
        http: match http_client(256) {
            Ok(h) => h,
            Err(err) => return (report, Err(err)),
        },
        roster: None,
        db: None,
        db_name: None,
        admin: None,
        pg_log: opts.pg_log.clone(),
        store: None,
        startups: Vec::new(),
    };
    let result = scenarios(opts, &mut ctx, &mut report).await;
    report.startups = std::mem::take(&mut ctx.startups);
    if let Err(err) = &result {
        report.notes.push(format!("run aborted: {err:#}"));
    }
    let _ = ctx.stop().await;
    if let Some(store) = ctx.store.take() {
        store.close().await;
    }
    if let Some(db) = ctx.db.take() {
        db.close().await;
    }
    cleanup(
        opts.keep,
        &opts.urls.amqp,
        &deployment,
        ctx.admin.take(),
        result.is_ok(),
    )
    .await;
    report.total_s = started.elapsed().as_secs_f64();
    report
        .notes
        .push(format!("load average at the end: {}", loadavg()));
    (report, result)
}

async fn scenarios(opts: &Options, ctx: &mut Ctx<'_>, report: &mut DeliveryReport) -> Result<()> {
    if let Some((admin, version, settings)) = create_database(&opts.urls, ctx.deployment).await? {
        report.postgres_version = Some(version);
        report.postgres_settings = settings;
        ctx.admin = Some(admin);
        let (name, url) = ctx
            .deployment
            .database
            .clone()
            .context("the bench database")?;
        ctx.db_name = Some(name);
        ctx.db = Some(BenchDb::connect(&url).await?);
    }
    eprintln!("== starting {} run", ctx.deployment.binary.display());
    ctx.restart("run").await?;
    let wants = |s: Scenario| opts.scenarios.contains(&s);
    // userNames differ between scenarios (each has its own connections anyway).
    let mut next_user = 0;

    if wants(Scenario::Sync) {
        let size = opts.sync;
        eprintln!(
            "== initial sync: {} users (lookup + create), then {} groups of {} members, {} in flight",
            size.users, size.groups, size.members_per_group, size.concurrency
        );
        let plan = SyncPlan {
            users: size.users,
            groups: size.groups,
            members_per_group: size.members_per_group,
            concurrency: size.concurrency,
            first_user: next_user,
        };
        next_user += size.users;
        let r = sync::run(ctx, &plan).await?;
        eprintln!(
            "   -> writes done in {:.1} s; last user.created {:.2} s after the last write; {} errors; roster peak RSS {:.0} MiB",
            r.total_s, r.user_webhooks_after_last_write_s, r.errors, r.usage.roster_peak_rss_mib
        );
        report.sync = Some(r);
    }

    if wants(Scenario::Latency) {
        eprintln!(
            "== 1. latency: {} creates/s for {} s over {} connections, one endpoint",
            opts.rate, opts.seconds, opts.connections
        );
        let pid = ctx.restart_pid("run").await?;
        let (tenant, scims) = ctx.tenant_with_connections("Bench latency", opts.connections)?;
        let receiver = Receiver::start("latency", 1, &[])?;
        let ids = ctx.create_endpoints(&tenant, receiver.urls(), opts.max_concurrency)?;
        let r = steady::run(
            &scims,
            &receiver,
            opts.rate,
            Duration::from_secs(opts.seconds),
            next_user,
            pid,
        )
        .await;
        next_user += r.sent;
        eprintln!(
            "   -> {:.0} creates/s sent; end-to-end p50 {:.1} ms p99 {:.1} ms max {:.0} ms; {} missing, {} duplicated",
            r.achieved_rate,
            r.end_to_end.p50_ms,
            r.end_to_end.p99_ms,
            r.end_to_end.max_ms,
            r.missing,
            r.duplicates
        );
        report.latency = Some(r);
        still_running(&mut ctx.roster, "the latency scenario")?;
        ctx.stop().await?;
        ctx.disable_endpoints(&ids)?;
        receiver.stop().await;
    }

    let n = opts.endpoints;
    let plans = [
        (Scenario::Fanout, "fanout", opts.users, n, None),
        (Scenario::Baseline, "baseline", opts.users, n - 1, None),
        (Scenario::Isolation, "isolation", opts.users, n, Some(n - 1)),
        (
            Scenario::Statements,
            "statements",
            opts.statement_users,
            n,
            None,
        ),
    ];
    for (scenario, label, users, endpoints, hanging) in plans {
        if !wants(scenario) {
            continue;
        }
        if scenario == Scenario::Statements && (ctx.db.is_none() || ctx.pg_log.is_none()) {
            report.notes.push(
                "statement profile skipped: it needs the services backend and a readable \
                 PostgreSQL log (--pg-log)"
                    .into(),
            );
            continue;
        }
        eprintln!(
            "== {label}: {users} events × {endpoints} endpoints{}",
            if hanging.is_some() {
                " (one hanging)"
            } else {
                ""
            }
        );
        let plan = FanoutPlan {
            label,
            users,
            endpoints,
            hanging,
            connections: opts.connections,
            max_concurrency: opts.max_concurrency,
            first_user: next_user,
            log_statements: scenario == Scenario::Statements,
            perf: opts.perf && scenario != Scenario::Statements,
        };
        next_user += users;
        let r = fanout::run(ctx, &plan).await?;
        eprintln!(
            "   -> {} / {} deliveries in {:.1} s: {:.0}/s; attempts recorded {} ({} 2xx); roster CPU {:.1} s, peak RSS {:.0} MiB",
            r.delivered,
            r.expected,
            r.window_s,
            r.deliveries_per_s,
            r.attempts_recorded,
            r.attempts_2xx,
            r.usage.roster_cpu_s,
            r.usage.roster_peak_rss_mib
        );
        match scenario {
            Scenario::Fanout => report.fanout = Some(r),
            Scenario::Isolation => report.isolation = Some(r),
            Scenario::Baseline => report.baseline = Some(r),
            _ => report.statements = Some(r),
        }
    }
    report
        .notes
        .push(format!("load average after the scenarios: {}", loadavg()));
    Ok(())
}
