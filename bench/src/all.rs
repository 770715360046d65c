//! `roster-bench all`: the full run behind BENCHMARKS.md. On PostgreSQL + RabbitMQ + Redis it
//! first measures the machine's ceiling (`pgbench`, same server, same run), then the SCIM
//! benchmark (creates at 1, 8 and 32 in flight, lookups on a 1M-user connection) and the delivery
//! benchmark (initial sync, end-to-end latency, fan-out, isolation); then the same on the
//! embedded default. Each part writes its own full report; this module writes the summary,
//! every figure against its target and, where the ceiling applies, as a ratio to it.

use crate::ceiling::{self, Ceiling};
use crate::delivery::{self, Scenario, SyncSize};
use crate::delivery_report::{DeliveryReport, TARGET_LOSS_PCT, TARGET_PER_S};
use crate::postgres::Admin;
use crate::report::{Machine, Report, write_files};
use crate::run;
use crate::server::{Backend, ServiceUrls, roster_version};
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The targets (the harness reports them; it asserts nothing).
const CREATES_RATIO: f64 = 0.6;
const LOOKUP_P99_MS: f64 = 5.0;
const SYNC_S: f64 = 60.0;
const SYNC_WEBHOOKS_S: f64 = 5.0;
const E2E_P50_MS: f64 = 10.0;
const E2E_P99_MS: f64 = 50.0;
const RSS_MIB: f64 = 100.0;

pub struct Options {
    pub backends: Vec<Backend>,
    pub binary: PathBuf,
    pub urls: ServiceUrls,
    pub pg_log: Option<PathBuf>,
    pub out: PathBuf,
    pub keep: bool,
    /// SCIM creates (2,000 at 1 in flight, 10,000 at 8, the rest at 32).
    pub creates: usize,
    /// Users seeded for the lookup connection (services).
    pub big: u64,
    pub sync: SyncSize,
    /// Scenario 4's rate and length.
    pub rate: f64,
    pub seconds: u64,
    /// Scenarios 5 and 6: events × endpoints.
    pub fanout_events: usize,
    pub endpoints: usize,
    pub pgbench_seconds: u64,
}

/// One backend's part of the run.
#[derive(Debug, Clone, Serialize)]
pub struct BackendRun {
    pub backend: String,
    pub scim_report: Option<String>,
    pub delivery_report: Option<String>,
    pub scim: Option<Report>,
    pub delivery: Option<DeliveryReport>,
    pub errors: Vec<String>,
    pub total_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AllReport {
    pub date: String,
    pub machine: Machine,
    pub roster_version: String,
    pub ceiling: Option<Ceiling>,
    pub ceiling_error: Option<String>,
    pub runs: Vec<BackendRun>,
    pub total_s: f64,
}

/// Runs everything; `Err` when any part failed (the report is written either way).
pub async fn run(opts: &Options, stamp: &str) -> (AllReport, Result<()>) {
    let started = Instant::now();
    let mut report = AllReport {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        machine: Machine::detect(),
        roster_version: roster_version(&opts.binary),
        ceiling: None,
        ceiling_error: None,
        runs: Vec::new(),
        total_s: 0.0,
    };
    let mut failed = false;
    if opts.backends.contains(&Backend::Services) {
        eprintln!("== ceiling: pgbench against the same PostgreSQL");
        match measure_ceiling(opts, stamp).await {
            Ok(c) => report.ceiling = Some(c),
            Err(err) => {
                eprintln!("!! ceiling: {err:#}");
                report.ceiling_error = Some(format!("{err:#}"));
                failed = true;
            }
        }
    }
    for &backend in &opts.backends {
        let part = backend_run(opts, backend).await;
        failed |= !part.errors.is_empty();
        report.runs.push(part);
    }
    report.total_s = started.elapsed().as_secs_f64();
    let result = if failed {
        Err(anyhow::anyhow!("a part of the run failed (see the report)"))
    } else {
        Ok(())
    };
    (report, result)
}

async fn measure_ceiling(opts: &Options, stamp: &str) -> Result<Ceiling> {
    let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let name = format!("roster_bench_{digits}_ceiling");
    let base = opts
        .urls
        .postgres_admin
        .rsplit_once('/')
        .context("--postgres-url must end with /<database>")?
        .0;
    let admin = Admin::connect(&opts.urls.postgres_admin).await?;
    admin.create_database(&name).await?;
    let scratch = std::env::temp_dir().join(format!("roster-bench-{digits}-ceiling"));
    std::fs::create_dir_all(&scratch)?;
    let measured = ceiling::measure(
        &opts.urls.postgres_admin,
        &name,
        &format!("{base}/{name}"),
        &scratch,
        &[1, 8, 32],
        opts.pgbench_seconds,
    )
    .await;
    if !opts.keep {
        let _ = admin.drop_database(&name).await;
        let _ = std::fs::remove_dir_all(&scratch);
    }
    admin.close().await;
    measured
}

fn new_stamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string()
}

async fn backend_run(opts: &Options, backend: Backend) -> BackendRun {
    let started = Instant::now();
    let mut part = BackendRun {
        backend: backend.name().into(),
        scim_report: None,
        delivery_report: None,
        scim: None,
        delivery: None,
        errors: Vec::new(),
        total_s: 0.0,
    };
    eprintln!("== SCIM benchmark, {}", backend.name());
    let scim_opts = run::Options {
        backend,
        users: opts.creates,
        big: if backend == Backend::Services {
            opts.big
        } else {
            0
        },
        lookups: 5_000,
        misses: 500,
        group_members: 10_000,
        spread_connections: 8,
        binary: opts.binary.clone(),
        urls: opts.urls.clone(),
        pg_log: opts.pg_log.clone(),
        keep: opts.keep,
    };
    let stamp = new_stamp();
    let (scim, result) = run::run(&scim_opts, &stamp).await;
    if let Err(err) = result {
        part.errors.push(format!("scim: {err:#}"));
    }
    part.scim_report = written(scim.write(&opts.out, &stamp));
    part.scim = Some(scim);

    eprintln!("== delivery benchmark, {}", backend.name());
    let delivery_opts = delivery::Options {
        backend,
        binary: opts.binary.clone(),
        urls: opts.urls.clone(),
        pg_log: opts.pg_log.clone(),
        keep: opts.keep,
        scenarios: vec![
            Scenario::Sync,
            Scenario::Latency,
            Scenario::Fanout,
            Scenario::Baseline,
            Scenario::Isolation,
        ],
        rate: opts.rate,
        seconds: opts.seconds,
        connections: 4,
        users: opts.fanout_events,
        endpoints: opts.endpoints,
        max_concurrency: None,
        statement_users: 0,
        timeout_ms: 5_000,
        perf: false,
        sync: opts.sync,
    };
    let stamp = new_stamp();
    let (delivery, result) = delivery::run(&delivery_opts, &stamp).await;
    if let Err(err) = result {
        part.errors.push(format!("delivery: {err:#}"));
    }
    part.delivery_report = written(delivery.write(&opts.out, &stamp));
    part.delivery = Some(delivery);
    part.total_s = started.elapsed().as_secs_f64();
    part
}

/// The Markdown file's name, once written.
fn written(w: Result<(PathBuf, PathBuf)>) -> Option<String> {
    match w {
        Ok((_, md)) => md.file_name().map(|n| n.to_string_lossy().into_owned()),
        Err(err) => {
            eprintln!("!! writing a report: {err:#}");
            None
        }
    }
}

/// One line of the summary: the figure, its value, the target, and whether it was met.
struct Row {
    scenario: &'static str,
    figure: String,
    value: String,
    target: String,
    ratio: String,
    met: Option<bool>,
}

fn row(scenario: &'static str, figure: impl Into<String>, value: String) -> Row {
    Row {
        scenario,
        figure: figure.into(),
        value,
        target: String::new(),
        ratio: String::new(),
        met: None,
    }
}

impl Row {
    fn target(mut self, target: String, met: bool) -> Row {
        self.target = target;
        self.met = Some(met);
        self
    }

    fn ratio(mut self, ratio: Option<f64>) -> Row {
        self.ratio = ratio.map_or(String::new(), |r| format!("{r:.2}"));
        self
    }
}

fn rows(part: &BackendRun, ceiling: Option<&Ceiling>) -> Vec<Row> {
    let mut out = Vec::new();
    if let Some(c) = part.scim.as_ref().and_then(|s| s.creates.as_ref()) {
        for level in &c.levels {
            let s = &level.summary;
            let pg = ceiling.and_then(|c| c.insert_tps(level.concurrency));
            let ratio = pg.map(|pg| s.per_s / pg);
            let figure = format!(
                "creates/s at {} in flight, {} (p50 / p99 ms)",
                level.concurrency,
                if level.connections == 1 {
                    "one connection".to_string()
                } else {
                    format!("{} connections", level.connections)
                }
            );
            let value = format!("{:.0} ({:.1} / {:.1})", s.per_s, s.p50_ms, s.p99_ms);
            let r = row("1. SCIM creates", figure, value).ratio(ratio);
            out.push(match ratio {
                Some(x) => r.target(
                    format!(
                        "≥ {CREATES_RATIO} × pgbench insert ({:.0}/s)",
                        pg.unwrap_or(0.0)
                    ),
                    x >= CREATES_RATIO,
                ),
                None => r,
            });
        }
    }
    if let Some(s) = part.scim.as_ref() {
        let (label, lookups) = match (&s.big, &s.lookups) {
            (Some(b), _) => ("1M-user", Some(&b.lookups)),
            (None, l) => ("API-created", l.as_ref()),
        };
        if let Some(l) = lookups {
            let h = &l.hits;
            let ratio = ceiling
                .and_then(|c| c.select_tps(l.concurrency))
                .map(|pg| h.per_s / pg);
            out.push(
                row(
                    "2. Lookups",
                    format!(
                        "`userName eq` on the {label} connection ({} users): p50 / p99 ms, req/s",
                        l.connection_users
                    ),
                    format!("{:.2} / {:.2}, {:.0}/s", h.p50_ms, h.p99_ms, h.per_s),
                )
                .ratio(ratio)
                .target(
                    format!("p99 ≤ {LOOKUP_P99_MS} ms"),
                    h.p99_ms <= LOOKUP_P99_MS,
                ),
            );
        }
    }
    let Some(d) = part.delivery.as_ref() else {
        return out;
    };
    if let Some(s) = &d.sync {
        out.push(
            row(
                "3. Initial sync",
                format!(
                    "{} users (lookup + create) + {} groups × {} members, {} in flight: total",
                    s.users, s.groups, s.members_per_group, s.concurrency
                ),
                format!("{:.1} s (users alone {:.1} s)", s.total_s, s.users_s),
            )
            .target(format!("≤ {SYNC_S} s"), s.total_s <= SYNC_S),
        );
        out.push(
            row(
                "3. Initial sync",
                "last `user.created` webhook after the last write",
                format!("{:.2} s", s.user_webhooks_after_last_write_s),
            )
            .target(
                format!("≤ {SYNC_WEBHOOKS_S} s"),
                s.user_webhooks_after_last_write_s <= SYNC_WEBHOOKS_S,
            ),
        );
    }
    if let Some(l) = &d.latency {
        let e = &l.end_to_end;
        out.push(
            row(
                "4. End-to-end",
                format!(
                    "write → webhook at {:.0}/s sent: p50 / p95 / p99 / max ms",
                    l.achieved_rate
                ),
                format!(
                    "{:.1} / {:.1} / {:.1} / {:.0}",
                    e.p50_ms, e.p95_ms, e.p99_ms, e.max_ms
                ),
            )
            .target(
                format!("p50 ≤ {E2E_P50_MS}, p99 ≤ {E2E_P99_MS}"),
                e.p50_ms <= E2E_P50_MS && e.p99_ms <= E2E_P99_MS,
            ),
        );
    }
    if let Some(f) = &d.fanout {
        out.push(
            row(
                "5. Fan-out",
                format!(
                    "deliveries/s to {} endpoints, attempts recorded",
                    f.endpoints
                ),
                format!("{:.0}", f.deliveries_per_s),
            )
            .target(
                format!("≥ {TARGET_PER_S:.0}"),
                f.deliveries_per_s >= TARGET_PER_S,
            ),
        );
    }
    if let Some(i) = &d.isolation {
        let bases = [("5.", d.fanout.as_ref()), ("baseline", d.baseline.as_ref())];
        for (name, base) in bases {
            let Some(b) = base else { continue };
            let loss = (1.0 - i.deliveries_per_s / b.deliveries_per_s.max(f64::EPSILON)) * 100.0;
            out.push(
                row(
                    "6. Isolation",
                    format!(
                        "{} answering endpoints while one hangs, vs {name} ({} endpoints, none \
                         hanging): deliveries/s, drain p99",
                        i.endpoints - 1,
                        b.endpoints
                    ),
                    format!(
                        "{:.0}/s vs {:.0}/s, {:.1} s vs {:.1} s: loss {loss:.0}%",
                        i.deliveries_per_s,
                        b.deliveries_per_s,
                        i.since_first.p99_ms / 1000.0,
                        b.since_first.p99_ms / 1000.0
                    ),
                )
                .target(format!("loss < {TARGET_LOSS_PCT}%"), loss < TARGET_LOSS_PCT),
            );
        }
    }
    let usages = [
        ("3", d.sync.as_ref().map(|s| &s.usage)),
        ("4", d.latency.as_ref().map(|s| &s.usage)),
        ("5", d.fanout.as_ref().map(|s| &s.usage)),
    ];
    let mut peak: f64 = 0.0;
    let mut parts = Vec::new();
    for (n, u) in usages {
        if let Some(u) = u {
            peak = peak.max(u.roster_peak_rss_mib);
            parts.push(format!(
                "{n}: {:.0} MiB, {:.2} cores",
                u.roster_peak_rss_mib, u.roster_cores
            ));
        }
    }
    if !parts.is_empty() {
        out.push(
            row(
                "7. Resources",
                "peak RSS and CPU of api + worker (`roster run`, one process) per scenario",
                parts.join("; "),
            )
            .target(format!("RSS ≤ {RSS_MIB:.0} MB"), peak <= RSS_MIB),
        );
    }
    let first = d.startups.iter().find(|s| s.first);
    let again: Vec<f64> = d
        .startups
        .iter()
        .filter(|s| !s.first && s.role == "run")
        .map(|s| s.ready_s)
        .collect();
    if let Some(first) = first {
        let median = median(again);
        out.push(row(
            "7. Resources",
            "start-up to ready: empty database (migrations) / restart (median)",
            format!("{:.2} s / {:.2} s", first.ready_s, median),
        ));
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl AllReport {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(md, "## Full benchmark run — {}\n", self.date);
        let _ = writeln!(
            md,
            "- machine: {} CPUs ({}), {} GiB RAM, Linux {}; load average at start: {}",
            m.cpus, m.cpu_model, m.memory_gib, m.kernel, m.load_at_start
        );
        let _ = writeln!(md, "- roster: {}", self.roster_version);
        let _ = writeln!(md, "- whole run: {:.0} s\n", self.total_s);
        if let Some(c) = &self.ceiling {
            let _ = writeln!(
                md,
                "### Ceiling: pgbench against the same PostgreSQL ({}; {})\n\n\
                 | script | clients | transactions/s | latency avg ms |\n|---|---:|---:|---:|",
                c.pgbench_version, c.connection
            );
            for r in &c.runs {
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.0} | {:.2} |",
                    if r.script == "insert" {
                        "single-row INSERT (autocommit)"
                    } else {
                        "SELECT by primary key (1M rows)"
                    },
                    r.clients,
                    r.tps,
                    r.latency_avg_ms
                );
            }
            md.push('\n');
        }
        if let Some(e) = &self.ceiling_error {
            let _ = writeln!(md, "Ceiling not measured: {e}\n");
        }
        for part in &self.runs {
            let ceiling = (part.backend == "services")
                .then_some(self.ceiling.as_ref())
                .flatten();
            let _ = writeln!(
                md,
                "### {} backend ({:.0} s; full reports: {}, {})\n\n\
                 | scenario | figure | value | ratio to pgbench | target | met |\n\
                 |---|---|---|---:|---|---|",
                part.backend,
                part.total_s,
                part.scim_report.as_deref().unwrap_or("not written"),
                part.delivery_report.as_deref().unwrap_or("not written"),
            );
            for r in rows(part, ceiling) {
                let met = match r.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {met} |",
                    r.scenario, r.figure, r.value, r.ratio, r.target
                );
            }
            for e in &part.errors {
                let _ = writeln!(md, "\n- error: {e}");
            }
            md.push('\n');
        }
        md
    }

    /// Writes `<stamp>.json` and `<stamp>.md` under `out`.
    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        write_files(out, stamp, self, &self.markdown())
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_starts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert!(median(Vec::new()).is_nan());
    }
}
