//! The delivery benchmarks' figures and their Markdown, written to
//! `<out>/<UTC date-time>-delivery-<backend>.{json,md}` by the shared report writer.

use crate::delivery::{Options, Scenario, Startup, SyncSize};
use crate::procfs::Usage;
use crate::report::{Machine, SUMMARY_HEAD, summary_row, write_files};
use crate::scenarios::fanout::FanoutResult;
use crate::scenarios::steady::SteadyResult;
use crate::scenarios::sync::SyncResult;
use anyhow::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The throughput the fan-out is compared with.
pub const TARGET_PER_S: f64 = 5_000.0;
/// The most the answering endpoints may lose to a hanging one.
pub const TARGET_LOSS_PCT: f64 = 10.0;

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryConfig {
    pub backend: String,
    pub scenarios: Vec<Scenario>,
    pub rate: f64,
    pub seconds: u64,
    pub connections: usize,
    pub users: usize,
    pub endpoints: usize,
    pub max_concurrency: Option<u32>,
    pub statement_users: usize,
    pub timeout_ms: u64,
    pub sync: SyncSize,
    pub roster_env: Vec<(String, String)>,
}

impl DeliveryConfig {
    pub fn of(o: &Options) -> DeliveryConfig {
        DeliveryConfig {
            backend: o.backend.name().into(),
            scenarios: o.scenarios.clone(),
            rate: o.rate,
            seconds: o.seconds,
            connections: o.connections,
            users: o.users,
            endpoints: o.endpoints,
            max_concurrency: o.max_concurrency,
            statement_users: o.statement_users,
            timeout_ms: o.timeout_ms,
            sync: o.sync,
            roster_env: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub date: String,
    pub machine: Machine,
    pub roster_version: String,
    pub postgres_version: Option<String>,
    pub postgres_settings: Vec<(String, String)>,
    pub config: DeliveryConfig,
    pub sync: Option<SyncResult>,
    pub latency: Option<SteadyResult>,
    pub fanout: Option<FanoutResult>,
    pub isolation: Option<FanoutResult>,
    pub baseline: Option<FanoutResult>,
    pub statements: Option<FanoutResult>,
    /// Every start of the server in the run, and how long it took to be ready.
    pub startups: Vec<Startup>,
    pub notes: Vec<String>,
    pub total_s: f64,
}

fn usage_line(md: &mut String, u: &Usage) {
    let _ = writeln!(
        md,
        "Roster process: {:.1} s CPU in {:.1} s ({:.2} cores), peak RSS {:.0} MiB{}; all CPUs {:.0}% busy; \
         load average {} → {}.\n",
        u.roster_cpu_s,
        u.wall_s,
        u.roster_cores,
        u.roster_peak_rss_mib,
        if u.peak_rss_since_start {
            " (since the process started)"
        } else {
            ""
        },
        u.machine_busy_pct,
        u.load_at_start,
        u.load_at_end
    );
}

impl DeliveryReport {
    pub fn new(machine: Machine, roster_version: String, config: DeliveryConfig) -> Self {
        DeliveryReport {
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            machine,
            roster_version,
            postgres_version: None,
            postgres_settings: Vec::new(),
            config,
            sync: None,
            latency: None,
            fanout: None,
            isolation: None,
            baseline: None,
            statements: None,
            startups: Vec::new(),
            notes: Vec::new(),
            total_s: 0.0,
        }
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let c = &self.config;
        let _ = writeln!(
            md,
            "## Delivery benchmark — {} backend, {}\n",
            c.backend, self.date
        );
        let _ = writeln!(
            md,
            "- machine: {} CPUs ({}), {} GiB RAM, Linux {}; load average at start: {}",
            m.cpus, m.cpu_model, m.memory_gib, m.kernel, m.load_at_start
        );
        let _ = writeln!(md, "- roster: {}", self.roster_version);
        if let Some(v) = &self.postgres_version {
            let _ = writeln!(md, "- postgres: {v}");
        }
        if !self.postgres_settings.is_empty() {
            let s: Vec<String> = self
                .postgres_settings
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(md, "- postgres settings: {}", s.join(", "));
        }
        let _ = writeln!(
            md,
            "- config: {} creates/s for {} s over {} connections; fan-out {} events × {} endpoints \
             (endpoint max concurrency: {}); webhook timeout {} ms; receiver, Roster and its \
             services on the same machine; total run {:.0} s\n",
            c.rate,
            c.seconds,
            c.connections,
            c.users,
            c.endpoints,
            c.max_concurrency
                .map_or("server default".to_string(), |n| n.to_string()),
            c.timeout_ms,
            self.total_s
        );
        if let Some(r) = &self.sync {
            sync_section(&mut md, r);
        }
        if let Some(r) = &self.latency {
            latency_section(&mut md, r);
        }
        if let Some(r) = &self.fanout {
            fanout_section(&mut md, "2. Delivery throughput (fan-out)", r, &[]);
        }
        if let Some(r) = &self.baseline {
            let title = "Baseline for 3: fan-out to one endpoint fewer";
            fanout_section(&mut md, title, r, &[]);
        }
        if let Some(r) = &self.isolation {
            let bases: Vec<&FanoutResult> =
                self.fanout.iter().chain(self.baseline.iter()).collect();
            fanout_section(&mut md, "3. Isolation (one endpoint hangs)", r, &bases);
        }
        if let Some(r) = &self.statements {
            fanout_section(&mut md, "SQL per delivery (statement log on)", r, &[]);
        }
        startup_section(&mut md, &self.startups);
        if !self.notes.is_empty() {
            md.push_str("### Notes\n\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {n}");
            }
        }
        md
    }

    /// Writes `<stamp>-delivery-<backend>.json` and `.md` under `out`.
    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        let name = format!("{stamp}-delivery-{}", self.config.backend);
        write_files(out, &name, self, &self.markdown())
    }
}

fn sync_section(md: &mut String, r: &SyncResult) {
    let _ = writeln!(
        md,
        "### Initial sync (Okta-style)\n\n\
         {} users, each `GET /Users?filter=userName eq` (finding none) then `POST /Users`, then \
         {} groups each created empty and given {} members in one `PATCH`; {} requests in flight, \
         one connection, one webhook endpoint. {} errors.\n",
        r.users, r.groups, r.members_per_group, r.concurrency, r.errors
    );
    md.push_str(SUMMARY_HEAD);
    md.push_str(&summary_row(
        "GET filter (lookup before create)",
        &r.lookups,
    ));
    md.push_str(&summary_row("POST /Users", &r.creates));
    md.push_str(&summary_row("POST /Groups", &r.group_creates));
    md.push_str(&summary_row("PATCH /Groups add members", &r.group_patches));
    let _ = writeln!(
        md,
        "\n| figure | value |\n|---|---:|\n\
         | users written (first request → last user answered) | {:.1} s |\n\
         | everything written (groups included) | {:.1} s |\n\
         | last `user.created` webhook, from the first request | {:.1} s |\n\
         | last `user.created` webhook − last write answered | {:.2} s |\n\
         | last `user.created` webhook − last user answered | {:.2} s |\n\
         | last webhook of any kind − last write answered | {:.2} s |\n\
         | `user.created` received / users | {} / {} |\n\
         | `group.user_added` received / memberships | {} / {} |\n\
         | repeated webhooks | {} |\n",
        r.users_s,
        r.total_s,
        r.last_user_created_s,
        r.user_webhooks_after_last_write_s,
        r.user_webhooks_after_last_user_s,
        r.all_webhooks_after_last_write_s,
        r.user_created_received,
        r.users,
        r.member_events_received,
        r.groups * r.members_per_group.min(r.users),
        r.duplicates
    );
    usage_line(md, &r.usage);
    for e in &r.error_samples {
        let _ = writeln!(md, "- error: {e}");
    }
}

fn startup_section(md: &mut String, startups: &[Startup]) {
    if startups.is_empty() {
        return;
    }
    md.push_str(
        "### Start-up time (spawn → `/readyz` 200)\n\n| start | role | seconds |\n|---|---|---:|\n",
    );
    for (i, s) in startups.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {}{} | {} | {:.2} |",
            i + 1,
            if s.first {
                " (empty database: every migration)"
            } else {
                ""
            },
            s.role,
            s.ready_s
        );
    }
    md.push('\n');
}

fn latency_section(md: &mut String, r: &SteadyResult) {
    let _ = writeln!(
        md,
        "### 1. End-to-end latency at a steady rate\n\n\
         Open loop: {:.0} creates/s asked for {:.0} s, round-robin over {} connections \
         (writes to one connection serialise on its `event_seq` counter's row lock); {} sent at \
         {:.0}/s ({} started > 10 ms late). One endpoint.\n",
        r.target_rate, r.duration_s, r.connections, r.sent, r.achieved_rate, r.late_starts
    );
    md.push_str(SUMMARY_HEAD);
    md.push_str(&summary_row("POST /Users (SCIM answer)", &r.creates));
    md.push_str(&summary_row(
        "webhook arrival − request sent",
        &r.end_to_end,
    ));
    let _ = writeln!(
        md,
        "\nDelivered {} of {} created users' events: **{} missing, {} duplicated**; the last \
         webhook came {:.2} s after the last request.\n",
        r.delivered,
        r.delivered + r.missing,
        r.missing,
        r.duplicates,
        r.drain_s
    );
    let tenths = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let _ = writeln!(
        md,
        "End-to-end by tenth of the run (send order), p50 ms: {}; p99 ms: {}.\n",
        tenths(&r.by_tenth_p50_ms),
        tenths(&r.by_tenth_p99_ms)
    );
    for e in &r.create_error_samples {
        let _ = writeln!(md, "- create error: {e}");
    }
    usage_line(md, &r.usage);
}

fn fanout_section(md: &mut String, title: &str, r: &FanoutResult, bases: &[&FanoutResult]) {
    let answering = r.endpoints - usize::from(r.hanging.is_some());
    let _ = writeln!(
        md,
        "### {title}\n\n{} events pre-loaded with `roster serve` ({:.0} creates/s, {} errors), \
         then released to {} endpoints{} by `roster run`.\n",
        r.users,
        r.preload.per_s,
        r.preload.errors,
        r.endpoints,
        match r.hanging {
            Some(i) => format!(" (endpoint {i} hangs: {} requests held)", r.hung_requests),
            None => String::new(),
        }
    );
    let _ = writeln!(
        md,
        "**{:.0} deliveries/s** to the {answering} answering endpoints: {} of {} delivered in \
         {:.2} s (first to last webhook){}; {} duplicates. Attempts recorded for them: {} ({} \
         2xx) for {} webhooks received{}. Target {TARGET_PER_S:.0}/s: {:.0}%.\n",
        r.deliveries_per_s,
        r.delivered,
        r.expected,
        r.window_s,
        if r.complete { "" } else { " (INCOMPLETE)" },
        r.duplicates,
        r.attempts_recorded,
        r.attempts_2xx,
        r.arrivals,
        if r.attempts_recorded == r.arrivals as i64 {
            " (equal)"
        } else {
            " (DIFFERENT)"
        },
        r.deliveries_per_s / TARGET_PER_S * 100.0
    );
    md.push_str("| delivery landed after the first webhook | ms |\n|---|---:|\n");
    let s = &r.since_first;
    for (k, v) in [
        ("p50", s.p50_ms),
        ("p95", s.p95_ms),
        ("p99", s.p99_ms),
        ("max", s.max_ms),
    ] {
        let _ = writeln!(md, "| {k} | {v:.0} |");
    }
    md.push('\n');
    for b in bases {
        let loss = (1.0 - r.deliveries_per_s / b.deliveries_per_s.max(f64::EPSILON)) * 100.0;
        let _ = writeln!(
            md,
            "Versus the fan-out to {} answering endpoints: throughput {:.0}/s vs {:.0}/s \
             (**{loss:.0}% loss**, target < {TARGET_LOSS_PCT:.0}%); p99 {:.0} ms vs {:.0} ms.\n",
            b.endpoints, r.deliveries_per_s, b.deliveries_per_s, s.p99_ms, b.since_first.p99_ms
        );
    }
    md.push_str("| endpoint | received | duplicates | last at s | attempts | 2xx | deliveries by status |\n|---:|---:|---:|---:|---:|---:|---|\n");
    for e in &r.per_endpoint {
        let statuses: Vec<String> = e
            .recorded
            .deliveries
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(
            md,
            "| {}{} | {} | {} | {:.2} | {} | {} | {} |",
            e.index,
            if e.hanging { " (hangs)" } else { "" },
            e.received,
            e.duplicates,
            e.last_s,
            e.recorded.attempts,
            e.recorded.attempts_2xx,
            statuses.join(", ")
        );
    }
    md.push('\n');
    usage_line(md, &r.usage);
    if !r.db_counters.is_empty() {
        md.push_str("PostgreSQL activity during delivery:\n\n| counter | change | per delivery |\n|---|---:|---:|\n");
        for (k, change, per) in &r.db_counters {
            let _ = writeln!(md, "| {k} | {change} | {per:.2} |");
        }
        md.push('\n');
    }
    if let Some(p) = &r.statements {
        let _ = writeln!(
            md,
            "Statements Roster sent while {} deliveries of {} events were made: **{:.1} per \
             delivery** ({} in all), {:.2} commits per delivery, {:.3} ms of server time per \
             delivery.\n\n| statement | count | per delivery | mean ms | total ms |\n|---|---:|---:|---:|---:|",
            p.deliveries,
            p.events,
            p.per_delivery,
            p.statements,
            p.commits_per_delivery,
            p.db_ms_per_delivery
        );
        for row in &p.rows {
            let _ = writeln!(
                md,
                "| `{}` | {} | {:.2} | {:.3} | {:.0} |",
                row.sql.replace('|', "\\|"),
                row.count,
                row.per_delivery,
                row.mean_ms,
                row.total_ms
            );
        }
        md.push('\n');
    }
    if let Some(p) = &r.perf {
        let _ = writeln!(
            md,
            "`perf record -a` during delivery, CPU samples by thread name (every process on \
             the machine):\n\n```\n{}\n```\n\nRoster's samples by library, and its hottest \
             functions (self time, % of Roster's samples):\n\n```\n{}\n```\n\n```\n{}\n```\n\n\
             PostgreSQL's hottest functions (% of its samples):\n\n```\n{}\n```\n",
            p.by_process, p.roster_dsos, p.roster_symbols, p.postgres_symbols
        );
    }
}
