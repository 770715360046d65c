//! The fault run: a steady SCIM write load against `roster serve` + `roster worker` on
//! PostgreSQL + RabbitMQ + Redis while, one at a time, the worker is SIGKILLed, RabbitMQ is
//! stopped, PostgreSQL and Redis are restarted, the receiver answers half its requests with 503,
//! and the api is SIGKILLed mid-request. On the embedded default (`roster run`: SQLite and the
//! in-process bus in one process) the faults are that process SIGKILLed mid-request, twice, and
//! the flaky receiver. A ledger then compares every committed change with what the receiver got:
//! lost events, duplicates, signatures, and whether delivery resumed by itself. With two apis
//! or more, revocation and rate limits are then checked across them (`instances.rs`).

mod inject;
mod instances;
mod ledger;
mod load;
mod receiver;
mod report;

use crate::client::{Scim, http_client};
use crate::run::{cleanup, create_database};
use crate::server::{Backend, Deployment, Roster, ServiceUrls};
use anyhow::{Context, Result, bail};
use ledger::{Ledger, RosterRecords};
use receiver::FaultReceiver;
use report::FaultRecord;
pub use report::FaultReport;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Options {
    pub backend: Backend,
    pub binary: PathBuf,
    pub urls: ServiceUrls,
    /// Users created by the load (one `user.created` event each).
    pub changes: usize,
    /// Creates per second.
    pub rate: f64,
    /// How long RabbitMQ stays down.
    pub outage: Duration,
    /// Pause between two faults (the load keeps running).
    pub gap: Duration,
    /// Api processes and worker processes (each), sharing the services (embedded: one
    /// `roster run`).
    pub instances: usize,
    pub keep: bool,
}

impl Options {
    /// Api processes (and as many workers) the run starts: the embedded default is one
    /// `roster run`.
    pub fn processes(&self) -> usize {
        match self.backend {
            Backend::Services => self.instances.max(1),
            Backend::Embedded => 1,
        }
    }
}

/// The apis and the workers, as separate processes; api `n` always listens on `listens[n]`.
/// Embedded: one `roster run` (api and worker) in `apis[0]`, no workers.
struct Processes<'a> {
    deployment: &'a Deployment,
    http: reqwest::Client,
    listens: Vec<String>,
    apis: Vec<Option<Roster>>,
    workers: Vec<Option<Roster>>,
}

impl Processes<'_> {
    async fn start_api(&mut self, n: usize) -> Result<()> {
        let role = match self.deployment.backend {
            Backend::Services => "serve",
            Backend::Embedded => "run",
        };
        self.apis[n] = Some(
            self.deployment
                .start_role_at(&self.http, role, &self.listens[n])
                .await?,
        );
        Ok(())
    }

    fn start_worker(&mut self, n: usize) -> Result<()> {
        self.workers[n] = Some(self.deployment.spawn("worker")?);
        Ok(())
    }

    /// `None` when every process still runs; else which one exited, and how.
    fn exited(&mut self) -> Option<String> {
        let apis = self
            .apis
            .iter_mut()
            .enumerate()
            .map(|(n, p)| (format!("api {n}"), p));
        let workers = self
            .workers
            .iter_mut()
            .enumerate()
            .map(|(n, p)| (format!("worker {n}"), p));
        for (name, process) in apis.chain(workers) {
            if let Some(status) = process.as_mut().and_then(Roster::exited) {
                return Some(format!("{name} exited ({status})"));
            }
        }
        None
    }

    async fn stop(&mut self) {
        let all = self.apis.iter_mut().chain(self.workers.iter_mut());
        for process in all.filter_map(Option::take).collect::<Vec<_>>() {
            let _ = process.stop().await;
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    KillWorker,
    StopRabbitmq,
    RestartPostgres,
    RestartRedis,
    FlakyReceiver,
    KillApi,
    KillRun,
}

const FAULTS: [Fault; 6] = [
    Fault::KillWorker,
    Fault::StopRabbitmq,
    Fault::RestartPostgres,
    Fault::RestartRedis,
    Fault::FlakyReceiver,
    Fault::KillApi,
];

/// The embedded default has no services to stop: its one process is killed, early and late.
const EMBEDDED_FAULTS: [Fault; 3] = [Fault::KillRun, Fault::FlakyReceiver, Fault::KillRun];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::KillWorker => "a worker SIGKILLed, restarted 2 s later",
            Fault::StopRabbitmq => "RabbitMQ stopped, then started",
            Fault::RestartPostgres => "PostgreSQL restarted",
            Fault::RestartRedis => "Redis restarted (empty)",
            Fault::FlakyReceiver => "receiver answers 50% with 503 for 15 s",
            Fault::KillApi => "an api SIGKILLed mid-request, restarted",
            Fault::KillRun => "`roster run` (api + worker) SIGKILLed mid-request, restarted",
        }
    }
}

async fn inject(
    fault: Fault,
    procs: &mut Processes<'_>,
    rx: &FaultReceiver,
    opts: &Options,
) -> Result<()> {
    match fault {
        Fault::KillWorker => {
            procs.workers[0].take().context("the worker")?.kill()?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            procs.start_worker(0)
        }
        Fault::StopRabbitmq => inject::rabbitmq_outage(opts.outage).await,
        Fault::RestartPostgres => inject::restart_postgres().await,
        Fault::RestartRedis => inject::restart_redis().await,
        Fault::FlakyReceiver => {
            rx.set_flaky(true);
            tokio::time::sleep(Duration::from_secs(15)).await;
            rx.set_flaky(false);
            Ok(())
        }
        Fault::KillApi | Fault::KillRun => {
            procs.apis[0].take().context("the api")?.kill()?;
            procs.start_api(0).await
        }
    }
}

/// Waits until deliveries flow again after a fault: the receiver's count grows.
async fn resumed(rx: &FaultReceiver, limit: Duration) -> Option<f64> {
    let (start, before) = (Instant::now(), rx.count());
    while start.elapsed() < limit {
        if rx.count() > before {
            return Some(start.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

pub async fn run(opts: &Options, stamp: &str) -> (FaultReport, Result<()>) {
    let mut report = FaultReport::new(opts);
    let db_stamp: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let mut deployment =
        match Deployment::new(opts.backend, opts.binary.clone(), &opts.urls, &db_stamp) {
            Ok(d) => d,
            Err(err) => return (report, Err(err)),
        };
    deployment.env.extend([
        (
            "ROSTER_WEBHOOK__ALLOWED_NETWORKS".to_string(),
            r#"["127.0.0.1/32"]"#.to_string(),
        ),
        // Short retries, so a run recovers from the receiver's 503s within it.
        (
            "ROSTER_WEBHOOK__RETRY_SCHEDULE_SECS".into(),
            "[1,2,4,8,15,30,60]".into(),
        ),
        ("ROSTER_LOG_LEVEL".into(), "info".into()),
        (
            "ROSTER_LIMITS__API_REQUESTS_PER_SEC".into(),
            instances::API_RATE_LIMIT.to_string(),
        ),
    ]);
    let admin = match create_database(&opts.urls, &deployment).await {
        Ok(admin) => admin.map(|(admin, _, _)| admin),
        Err(err) => return (report, Err(err)),
    };
    let http = match http_client(64) {
        Ok(h) => h,
        Err(err) => return (report, Err(err)),
    };
    let instances = opts.processes();
    let mut listens = vec![
        deployment
            .base_url
            .trim_start_matches("http://")
            .to_string(),
    ];
    for _ in 1..instances {
        match crate::server::free_port() {
            Ok(port) => listens.push(format!("127.0.0.1:{port}")),
            Err(err) => return (report, Err(err)),
        }
    }
    let mut procs = Processes {
        deployment: &deployment,
        http: http.clone(),
        listens,
        apis: (0..instances).map(|_| None).collect(),
        workers: (0..instances).map(|_| None).collect(),
    };
    let result = faults(opts, &mut procs, &mut report).await;
    if let Err(err) = &result {
        report.notes.push(format!("run aborted: {err:#}"));
    }
    procs.stop().await;
    let ok = result.is_ok() && report.passed();
    cleanup(opts.keep, &opts.urls.amqp, &deployment, admin, ok).await;
    let result = result.and_then(|()| {
        if report.passed() {
            Ok(())
        } else {
            bail!("the ledger does not hold: {}", report.verdict())
        }
    });
    (report, result)
}

async fn faults(opts: &Options, procs: &mut Processes<'_>, report: &mut FaultReport) -> Result<()> {
    for n in 0..procs.listens.len() {
        procs.start_api(n).await?;
        if procs.deployment.backend == Backend::Services {
            procs.start_worker(n)?;
        }
    }
    let deployment = procs.deployment;
    let (connection_id, base, token) = deployment.provision("Faults")?;
    let rx = FaultReceiver::start()?;
    let created = deployment.cli(&["endpoint", "create", "--url", &rx.url])?;
    rx.set_secret(
        created["secret"]
            .as_str()
            .context("the endpoint's secret")?,
    );
    let key = deployment.cli(&[
        "api-key",
        "create",
        "--name",
        "ledger",
        "--scope",
        "read-only",
    ])?;
    let records = RosterRecords {
        http: procs.http.clone(),
        base_url: deployment.base_url.clone(),
        api_key: key["secret"].as_str().context("the API key")?.to_string(),
        connection_id: connection_id.clone(),
        endpoint_id: created["id"].as_str().context("the endpoint's id")?.into(),
    };

    let started = Instant::now();
    // The load goes round-robin to every api, as behind a load balancer.
    let first = deployment.base_url.clone();
    let clients = procs
        .listens
        .iter()
        .map(|listen| {
            Scim::new(
                procs.http.clone(),
                base.replace(&first, &format!("http://{listen}")),
                &token,
            )
        })
        .collect();
    let load = tokio::spawn(load::run(clients, opts.changes, opts.rate));
    let plan: &[Fault] = match deployment.backend {
        Backend::Services => &FAULTS,
        Backend::Embedded => &EMBEDDED_FAULTS,
    };
    for &fault in plan {
        tokio::time::sleep(opts.gap).await;
        eprintln!("== fault: {}", fault.name());
        let at = started.elapsed().as_secs_f64();
        let outcome = inject(fault, procs, &rx, opts).await;
        let ended = started.elapsed().as_secs_f64();
        let resumed_after_s = resumed(&rx, Duration::from_secs(120)).await;
        report.faults.push(FaultRecord {
            fault: fault.name().into(),
            at_s: at,
            lasted_s: ended - at,
            deliveries_resumed_after_s: resumed_after_s,
            error: outcome.err().map(|e| format!("{e:#}")),
        });
        if let Some(exit) = procs.exited() {
            bail!("{exit} after the fault “{}”", fault.name());
        }
    }
    let last_fault_end = started.elapsed();
    let writes = load.await.context("the load task")?;
    eprintln!(
        "== load done: {} committed, {} gave up",
        writes.committed.len(),
        writes.gave_up.len()
    );
    let ledger = Ledger::collect(&records, &writes, &rx, started, last_fault_end).await?;
    report.receiver_refused = rx.refused();
    report.ledger = Some(ledger);
    if procs.listens.len() > 1 {
        eprintln!("== revocation and rate limits across the apis");
        let checks = instances::check(&procs.http, &procs.listens, deployment, &connection_id);
        report.across_instances = Some(checks.await?);
    }
    report.total_s = started.elapsed().as_secs_f64();
    if let Some(exit) = procs.exited() {
        report.notes.push(format!("{exit} before the end"));
        report.stuck = true;
    }
    rx.stop().await;
    Ok(())
}
