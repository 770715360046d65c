//! The fault run's report (`<stamp>-faults.json` and `.md`; `-faults-embedded` on the
//! embedded default).

use super::Options;
use super::instances::InstanceChecks;
use super::ledger::Ledger;
use crate::report::{Machine, write_files};
use crate::server::{Backend, roster_version};
use anyhow::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

#[derive(Debug, Serialize)]
pub struct FaultReport {
    pub date: String,
    pub backend: Backend,
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
    /// Revocation and rate limits across the apis (two or more apis).
    pub across_instances: Option<InstanceChecks>,
    /// A process exited or delivery did not resume by itself.
    pub stuck: bool,
    pub total_s: f64,
    pub notes: Vec<String>,
}

impl FaultReport {
    pub fn new(opts: &Options) -> FaultReport {
        FaultReport {
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            backend: opts.backend,
            machine: Machine::detect(),
            roster_version: roster_version(&opts.binary),
            changes: opts.changes,
            rate: opts.rate,
            rabbitmq_outage_s: opts.outage.as_secs(),
            instances: opts.processes(),
            faults: Vec::new(),
            receiver_refused: 0,
            ledger: None,
            across_instances: None,
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
        if let Some(checks) = &self.across_instances {
            problems.extend(checks.problems());
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
        let deployment = match self.backend {
            Backend::Services => format!(
                "on PostgreSQL + RabbitMQ + Redis, {n} × `roster serve` and {n} × `roster worker` \
                 as separate processes",
                n = self.instances
            ),
            Backend::Embedded => {
                "on the embedded default (SQLite, in-process bus), one `roster run`".to_string()
            }
        };
        let mut md = format!(
            "## Fault run {}\n\n{} on {} cores ({}). {} creates at {:.0}/s {deployment}. \
             Verdict: **{}**.\n\n\
             | fault | at (s) | lasted (s) | deliveries resumed after (s) | error |\n|---|---:|---:|---:|---|\n",
            self.date,
            self.roster_version,
            self.machine.cpus,
            self.machine.cpu_model,
            self.changes,
            self.rate,
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
        if let Some(checks) = &self.across_instances {
            md.push_str(&checks.markdown());
        }
        for note in &self.notes {
            let _ = writeln!(md, "\n- {note}");
        }
        md
    }

    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        let name = match self.backend {
            Backend::Services => format!("{stamp}-faults"),
            Backend::Embedded => format!("{stamp}-faults-embedded"),
        };
        write_files(out, &name, self, &self.markdown())
    }
}
