//! The fault run's ledger and report (`<stamp>-faults.json` and `.md`).

use super::Options;
use super::load::Writes;
use super::receiver::FaultReceiver;
use crate::report::{Machine, write_files};
use crate::server::roster_version;
use anyhow::Result;
use serde::Serialize;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The duplicate rate the run aims under (reported, not enforced).
pub const DUPLICATE_TARGET_PCT: f64 = 0.1;

#[derive(Debug, Serialize)]
pub struct FaultRecord {
    pub fault: String,
    /// Seconds from the start of the load.
    pub at_s: f64,
    pub lasted_s: f64,
    /// After the fault ended, until the receiver got its next webhook (`None`: not in 120 s).
    pub deliveries_resumed_after_s: Option<f64>,
    pub error: Option<String>,
}

/// Committed changes against what the receiver got.
#[derive(Debug, Serialize)]
pub struct Ledger {
    pub writes_committed: usize,
    pub writes_given_up: usize,
    pub write_retries: usize,
    pub writes_committed_unanswered: usize,
    /// `user.created` events recorded for the connection.
    pub events: usize,
    /// Committed writes without their event (the outbox must make this 0).
    pub committed_without_event: usize,
    /// Distinct events received.
    pub delivered: usize,
    /// Events never received: the figure that must be 0.
    pub lost: usize,
    /// Receptions beyond the first of an event.
    pub duplicates: usize,
    pub duplicate_pct: f64,
    pub invalid_signatures: usize,
    /// Webhooks received after the last fault ended (delivery resumed on its own).
    pub delivered_after_last_fault: usize,
    /// From the end of the load to the last webhook.
    pub drain_s: f64,
    /// Deliveries not `succeeded` when the ledger closed (the run waits for them to settle).
    pub unsettled_deliveries: i64,
    /// Webhooks received per 5 s from the start of the load (stalls show as zeros).
    pub received_per_5s: Vec<usize>,
}

impl Ledger {
    /// Waits until the receiver has every event and every delivery has settled (so re-sends
    /// after a lost outcome are counted), or until nothing moved for 150 s (past the claim
    /// lease), then counts.
    pub async fn collect(
        database_url: &str,
        connection_id: &str,
        writes: &Writes,
        rx: &FaultReceiver,
        started: Instant,
        last_fault_end: Duration,
    ) -> Result<Ledger> {
        let pool = crate::postgres::pool(database_url).await?;
        let rows = sqlx::query(
            "SELECT id::text AS id, payload->'data'->>'user_name' AS user_name FROM events \
             WHERE connection_id = $1::uuid AND event_type = 'user.created'",
        )
        .bind(connection_id)
        .fetch_all(&pool)
        .await?;
        let events: HashMap<String, Option<String>> = rows
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>("id"),
                    r.get::<Option<String>, _>("user_name"),
                )
            })
            .collect();
        let load_end = Instant::now();
        let unsettled = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM deliveries WHERE status <> 'succeeded'",
            )
            .fetch_one(&pool)
            .await
        };
        let (mut last_count, mut last_progress) = (rx.count(), Instant::now());
        let unsettled_deliveries = loop {
            let hooks = rx.hooks();
            let got: HashSet<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
            let left = unsettled().await?;
            let all_in = events.keys().all(|id| got.contains(id.as_str()));
            if (all_in && left == 0) || last_progress.elapsed() > Duration::from_secs(150) {
                break left;
            }
            if hooks.len() > last_count {
                (last_count, last_progress) = (hooks.len(), Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        pool.close().await;
        let hooks = rx.hooks();
        let event_names: HashSet<&str> = events.values().flatten().map(String::as_str).collect();
        let distinct: HashSet<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
        let delivered = events
            .keys()
            .filter(|id| distinct.contains(id.as_str()))
            .count();
        let duplicates = hooks.len() - distinct.len();
        let last_at = hooks.iter().map(|h| h.at).max().unwrap_or(load_end);
        Ok(Ledger {
            writes_committed: writes.committed.len(),
            writes_given_up: writes.gave_up.len(),
            write_retries: writes.retries,
            writes_committed_unanswered: writes.committed_unanswered,
            events: events.len(),
            committed_without_event: writes
                .committed
                .iter()
                .filter(|n| !event_names.contains(n.as_str()))
                .count(),
            delivered,
            lost: events.len() - delivered,
            duplicates,
            duplicate_pct: if hooks.is_empty() {
                0.0
            } else {
                duplicates as f64 * 100.0 / hooks.len() as f64
            },
            invalid_signatures: hooks.iter().filter(|h| !h.signature_valid).count(),
            delivered_after_last_fault: hooks
                .iter()
                .filter(|h| h.at > started + last_fault_end)
                .count(),
            drain_s: last_at.saturating_duration_since(load_end).as_secs_f64(),
            unsettled_deliveries,
            received_per_5s: per_5s(&hooks, started),
        })
    }
}

fn per_5s(hooks: &[super::receiver::Hook], started: Instant) -> Vec<usize> {
    let mut buckets = Vec::new();
    for hook in hooks {
        let n = (hook.at.saturating_duration_since(started).as_secs() / 5) as usize;
        if buckets.len() <= n {
            buckets.resize(n + 1, 0);
        }
        buckets[n] += 1;
    }
    buckets
}

#[derive(Debug, Serialize)]
pub struct FaultReport {
    pub date: String,
    pub machine: Machine,
    pub roster_version: String,
    pub changes: usize,
    pub rate: f64,
    pub rabbitmq_outage_s: u64,
    /// Api processes and worker processes (each).
    pub instances: usize,
    pub faults: Vec<FaultRecord>,
    pub receiver_refused: usize,
    pub ledger: Option<Ledger>,
    /// A process exited or delivery did not resume by itself.
    pub stuck: bool,
    pub total_s: f64,
    pub notes: Vec<String>,
}

impl FaultReport {
    pub fn new(opts: &Options) -> FaultReport {
        FaultReport {
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            machine: Machine::detect(),
            roster_version: roster_version(&opts.binary),
            changes: opts.changes,
            rate: opts.rate,
            rabbitmq_outage_s: opts.outage.as_secs(),
            instances: opts.instances.max(1),
            faults: Vec::new(),
            receiver_refused: 0,
            ledger: None,
            stuck: false,
            total_s: 0.0,
            notes: Vec::new(),
        }
    }

    /// What fails the run: a lost event, a bad signature, a committed write without its event,
    /// a fault that could not be injected, or a process that stopped or stalled.
    pub fn verdict(&self) -> String {
        let mut problems = Vec::new();
        match &self.ledger {
            None => problems.push("no ledger".to_string()),
            Some(l) => {
                if l.lost > 0 {
                    problems.push(format!("{} events lost", l.lost));
                }
                if l.invalid_signatures > 0 {
                    problems.push(format!("{} invalid signatures", l.invalid_signatures));
                }
                if l.committed_without_event > 0 {
                    problems.push(format!(
                        "{} committed writes without an event",
                        l.committed_without_event
                    ));
                }
                if l.unsettled_deliveries > 0 {
                    problems.push(format!(
                        "{} deliveries never settled",
                        l.unsettled_deliveries
                    ));
                }
                if l.delivered_after_last_fault == 0 {
                    problems.push("no delivery after the last fault".into());
                }
            }
        }
        for f in &self.faults {
            if let Some(err) = &f.error {
                problems.push(format!("“{}” failed: {err}", f.fault));
            }
            if f.deliveries_resumed_after_s.is_none() {
                problems.push(format!("deliveries did not resume after “{}”", f.fault));
            }
        }
        if self.stuck {
            problems.push("a process stopped".into());
        }
        if problems.is_empty() {
            "passed".into()
        } else {
            problems.join("; ")
        }
    }

    pub fn passed(&self) -> bool {
        self.verdict() == "passed"
    }

    pub fn markdown(&self) -> String {
        let mut md = format!(
            "## Fault run {}\n\n{} on {} cores ({}). {} creates at {:.0}/s on PostgreSQL + RabbitMQ + Redis, \
             {} × `roster serve` and {} × `roster worker` as separate processes. Verdict: **{}**.\n\n\
             | fault | at (s) | lasted (s) | deliveries resumed after (s) | error |\n|---|---:|---:|---:|---|\n",
            self.date,
            self.roster_version,
            self.machine.cpus,
            self.machine.cpu_model,
            self.changes,
            self.rate,
            self.instances,
            self.instances,
            self.verdict()
        );
        for f in &self.faults {
            let resumed = f
                .deliveries_resumed_after_s
                .map_or("not in 120 s".into(), |s| format!("{s:.1}"));
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.1} | {resumed} | {} |",
                f.fault,
                f.at_s,
                f.lasted_s,
                f.error.as_deref().unwrap_or("")
            );
        }
        if let Some(l) = &self.ledger {
            let _ = write!(
                md,
                "\n| ledger | value |\n|---|---:|\n\
                 | writes committed (of which answered 409 on a retry) | {} ({}) |\n| writes given up | {} |\n\
                 | write retries | {} |\n| `user.created` events | {} |\n| committed writes without their event | {} |\n\
                 | events delivered | {} |\n| **events lost** | **{}** |\n\
                 | duplicate receptions | {} ({:.3}%, target < {DUPLICATE_TARGET_PCT}%) |\n\
                 | invalid signatures | {} |\n| 503s answered by the receiver | {} |\n\
                 | webhooks after the last fault | {} |\n| drain after the load (s) | {:.1} |\n\
                 | deliveries unsettled at the end | {} |\n",
                l.writes_committed,
                l.writes_committed_unanswered,
                l.writes_given_up,
                l.write_retries,
                l.events,
                l.committed_without_event,
                l.delivered,
                l.lost,
                l.duplicates,
                l.duplicate_pct,
                l.invalid_signatures,
                self.receiver_refused,
                l.delivered_after_last_fault,
                l.drain_s,
                l.unsettled_deliveries
            );
        }
        if let Some(l) = &self.ledger {
            let counts: Vec<String> = l.received_per_5s.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                md,
                "\nWebhooks received per 5 s from the start: {}",
                counts.join(" ")
            );
        }
        for note in &self.notes {
            let _ = writeln!(md, "\n- {note}");
        }
        md
    }

    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        write_files(out, &format!("{stamp}-faults"), self, &self.markdown())
    }
}
