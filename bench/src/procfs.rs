//! What a process and the machine used during a phase, from `/proc`: the server's CPU time
//! (`/proc/<pid>/stat` utime + stime) and peak resident memory (`VmHWM` in
//! `/proc/<pid>/status`, reset at the start of each phase through `/proc/<pid>/clear_refs`),
//! and how busy all CPUs were (`/proc/stat`). Optionally `perf record` over the phase.

use serde::Serialize;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, usually 100).
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User + system CPU seconds of `pid` so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// `VmHWM` (peak resident set) of `pid`, in MiB.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// Busy and total jiffies of all CPUs (`/proc/stat`, first line).
fn machine_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let values: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3)? + values.get(4).unwrap_or(&0);
    Some((total - idle, total))
}

/// What the server and the machine used during one phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub wall_s: f64,
    /// The server's user + system CPU seconds during the phase.
    pub roster_cpu_s: f64,
    /// Its CPU seconds per wall second (1.0 = one core busy).
    pub roster_cores: f64,
    /// Its peak resident memory: since the phase started when the peak could be reset,
    /// otherwise since the process started (`peak_rss_since_start`).
    pub roster_peak_rss_mib: f64,
    pub peak_rss_since_start: bool,
    /// How busy all CPUs were (every process, other engineers' included), in percent.
    pub machine_busy_pct: f64,
    pub load_at_start: String,
    pub load_at_end: String,
}

/// Started at the beginning of a phase; [`Meter::finish`] at its end.
pub struct Meter {
    started: Instant,
    cpu: f64,
    jiffies: (u64, u64),
    reset: bool,
    load: String,
}

impl Meter {
    pub fn start(pid: u32) -> Meter {
        // "5" resets the peak RSS (VmHWM) to the current RSS.
        let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        Meter {
            started: Instant::now(),
            cpu: cpu_seconds(pid).unwrap_or(0.0),
            jiffies: machine_jiffies().unwrap_or((0, 0)),
            reset,
            load: crate::report::loadavg(),
        }
    }

    /// For a server about to start: its whole CPU time and peak memory count.
    pub fn before_spawn() -> Meter {
        Meter {
            started: Instant::now(),
            cpu: 0.0,
            jiffies: machine_jiffies().unwrap_or((0, 0)),
            reset: false,
            load: crate::report::loadavg(),
        }
    }

    pub fn finish(&self, pid: u32) -> Usage {
        let wall_s = self.started.elapsed().as_secs_f64();
        let cpu = cpu_seconds(pid).unwrap_or(self.cpu) - self.cpu;
        let (busy, total) = machine_jiffies().unwrap_or(self.jiffies);
        let d_total = total.saturating_sub(self.jiffies.1).max(1) as f64;
        Usage {
            wall_s,
            roster_cpu_s: cpu,
            roster_cores: cpu / wall_s.max(f64::EPSILON),
            roster_peak_rss_mib: peak_rss_mib(pid).unwrap_or(0.0),
            peak_rss_since_start: !self.reset,
            machine_busy_pct: busy.saturating_sub(self.jiffies.0) as f64 / d_total * 100.0,
            load_at_start: self.load.clone(),
            load_at_end: crate::report::loadavg(),
        }
    }
}

/// `perf record` of every CPU (`-a`) while a phase runs, summarised by process and, for the
/// server, by symbol (self time).
pub struct Perf {
    child: Child,
    data: std::path::PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct PerfSummary {
    pub phase: String,
    /// `perf report --sort comm`: share of CPU samples per process name.
    pub by_process: String,
    /// The server's samples by library (kernel, libc, the binary), relative to its own.
    pub roster_dsos: String,
    /// The server's hottest functions (self time), relative to its own samples.
    pub roster_symbols: String,
    /// PostgreSQL's hottest functions, relative to its own samples.
    pub postgres_symbols: String,
}

impl Perf {
    /// Starts sampling at 499 Hz; `None` when perf is missing or refuses.
    pub fn start(data: std::path::PathBuf) -> Option<Perf> {
        let child = Command::new("perf")
            .args(["record", "-a", "-F", "499", "-q", "-o"])
            .arg(&data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        Some(Perf { child, data })
    }

    /// Stops sampling (SIGINT, as perf expects) and summarises; `roster_pid` is the server.
    pub fn finish(mut self, phase: &str, roster_pid: u32) -> Option<PerfSummary> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let _ = self.child.wait();
        let report = |extra: &[&str]| -> String {
            Command::new("perf")
                .args(["report", "--stdio", "--no-children", "-i"])
                .arg(&self.data)
                .args(extra)
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                        .take(30)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        };
        // Thread names: the server's are tokio's (`tokio-rt-worker`), the harness's
        // `roster-bench` and actix's.
        let by_process = report(&["--sort", "comm", "--percent-limit", "0.5"]);
        let pid = roster_pid.to_string();
        let relative = ["--percentage", "relative", "--percent-limit", "0.8"];
        let roster_dsos = report(&[&["--pid", &pid, "--sort", "dso"][..], &relative].concat());
        let roster_symbols = report(&[&["--pid", &pid, "--sort", "sym"][..], &relative].concat());
        let postgres_symbols =
            report(&[&["--comms", "postgres", "--sort", "sym"][..], &relative].concat());
        let _ = std::fs::remove_file(&self.data);
        Some(PerfSummary {
            phase: phase.into(),
            by_process,
            roster_dsos,
            roster_symbols,
            postgres_symbols,
        })
    }
}
