//! Everything one run measured, the machine it ran on, and its Markdown rendering; written to
//! `<out>/<UTC date-time>-scim-<backend>.{json,md}`.

use crate::postgres::SeedReport;
use crate::scenarios::creates::CreatesResult;
use crate::scenarios::group::GroupResult;
use crate::scenarios::lookups::LookupResult;
use crate::scenarios::paging::{PagingResult, SampledPage};
use crate::scenarios::plan::{LOOKUP_INDEX, QueryPlan};
use crate::stats::Summary;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    pub kernel: String,
    /// `/proc/loadavg` when the run started (other work on the machine skews the figures).
    pub load_at_start: String,
}

/// `/proc/loadavg` now.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn proc_field(file: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(file).ok()?.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

impl Machine {
    pub fn detect() -> Machine {
        let kib: f64 = proc_field("/proc/meminfo", "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: proc_field("/proc/cpuinfo", "model name").unwrap_or_default(),
            memory_gib: (kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
            load_at_start: loadavg(),
        }
    }
}

/// What was asked for, and how Roster was configured.
#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    pub backend: String,
    pub users: usize,
    pub big: u64,
    pub create_levels: Vec<(usize, usize)>,
    pub lookups: usize,
    pub lookup_misses: usize,
    pub lookup_concurrency: usize,
    pub page_sizes: Vec<u64>,
    pub group_members: usize,
    pub group_batch: usize,
    pub group_singles: usize,
    pub roster_env: Vec<(String, String)>,
}

/// Scenario E: the big connection.
#[derive(Debug, Clone, Serialize)]
pub struct BigResult {
    pub seeded_via: String,
    pub seed: SeedReport,
    pub lookups: LookupResult,
    /// Single pages (count=100) at the start, middle and end of the big connection.
    pub pages: Vec<SampledPage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub date: String,
    pub machine: Machine,
    pub roster_version: String,
    pub postgres_version: Option<String>,
    pub postgres_settings: Vec<(String, String)>,
    pub config: RunConfig,
    pub creates: Option<CreatesResult>,
    pub lookups: Option<LookupResult>,
    pub paging: Vec<PagingResult>,
    pub group: Option<GroupResult>,
    pub big: Option<BigResult>,
    pub plans: Vec<QueryPlan>,
    pub notes: Vec<String>,
    pub total_s: f64,
}

pub fn summary_row(label: &str, s: &Summary) -> String {
    format!(
        "| {label} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
        s.requests, s.errors, s.per_s, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms
    )
}

pub const SUMMARY_HEAD: &str = "| phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";

fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(
            md,
            "## SCIM benchmark — {} backend, {}\n",
            self.config.backend, self.date
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
            let settings: Vec<String> = self
                .postgres_settings
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(md, "- postgres settings: {}", settings.join(", "));
        }
        let _ = writeln!(
            md,
            "- config: {} users, big connection {} users, lookups {} hits + {} misses at concurrency {}, \
             client + server + databases on the same machine; total run {:.0} s\n",
            self.config.users,
            self.config.big,
            self.config.lookups,
            self.config.lookup_misses,
            self.config.lookup_concurrency,
            self.total_s
        );
        if let Some(c) = &self.creates {
            let _ = writeln!(
                md,
                "### A. Creates (POST /Users)\n\n{} users created in {:.1} s ({:.0}/s overall), {} errors.\n",
                c.created, c.wall_s, c.per_s, c.errors
            );
            md.push_str(SUMMARY_HEAD);
            for l in &c.levels {
                md.push_str(&summary_row(
                    &format!(
                        "concurrency {} ({} users, {} connection{})",
                        l.concurrency,
                        l.users,
                        l.connections,
                        if l.connections == 1 { "" } else { "s" }
                    ),
                    &l.summary,
                ));
            }
            for e in &c.error_samples {
                let _ = writeln!(md, "\n- error: {e}");
            }
            md.push('\n');
        }
        if let Some(l) = &self.lookups {
            md.push_str("### B. `userName eq` lookups\n\n");
            md.push_str(SUMMARY_HEAD);
            lookup_rows(&mut md, l);
            if let Some(b) = &self.big {
                lookup_rows(&mut md, &b.lookups);
            }
            md.push('\n');
        }
        if !self.paging.is_empty() {
            md.push_str(
                "### C. Paging through all users (startIndex/count, one page at a time)\n\n",
            );
            md.push_str("| count | pages | total s | page p50 ms | page p99 ms | first 10% p50 ms | last 10% p50 ms | each user once |\n|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for p in &self.paging {
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                    p.count,
                    p.pages,
                    p.total_s,
                    p.per_page.p50_ms,
                    p.per_page.p99_ms,
                    p.first_tenth_p50_ms,
                    p.last_tenth_p50_ms,
                    if p.exactly_once {
                        format!("yes ({} seen)", p.seen)
                    } else {
                        format!(
                            "NO: {} seen, {} duplicates, {} missing, {} unexpected",
                            p.seen, p.duplicates, p.missing, p.unexpected
                        )
                    }
                );
            }
            md.push('\n');
        }
        if let Some(g) = &self.group {
            group_section(&mut md, g);
        }
        if let Some(b) = &self.big {
            let _ = writeln!(
                md,
                "### E. Big connection\n\n{} users seeded {} in {:.1} s ({:.0} rows/s, ANALYZE {:.1} s); \
                 scim_users is now {} + {} of indexes. Its lookups are in table B.\n",
                b.seed.rows,
                b.seeded_via,
                b.seed.seconds,
                b.seed.rows_per_s,
                b.seed.analyze_seconds,
                b.seed.table_size,
                b.seed.index_size
            );
            if !b.pages.is_empty() {
                md.push_str("Single pages of the big connection (as an import would fetch them):\n\n| startIndex | count | ms | users returned |\n|---:|---:|---:|---:|\n");
                for p in &b.pages {
                    let _ = writeln!(
                        md,
                        "| {} | {} | {:.0} | {} |",
                        p.start_index, p.count, p.ms, p.returned
                    );
                }
                md.push('\n');
            }
        }
        if !self.plans.is_empty() {
            let _ = writeln!(
                md,
                "### Query plans (EXPLAIN (ANALYZE, BUFFERS) of the statements Roster sent)\n\nIndex `{LOOKUP_INDEX}` used by every statement that filters on `user_name_lower`: **{}**.\n",
                if self.plans_use_index() { "yes" } else { "NO" }
            );
            for p in &self.plans {
                let _ = writeln!(
                    md,
                    "#### {} ({} SQL)\n\n```sql\n{}\n```\n\n```\n{}\n```\n",
                    p.label, p.source, p.sql, p.plan
                );
            }
        }
        if !self.notes.is_empty() {
            md.push_str("### Notes\n\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {n}");
            }
        }
        md
    }

    /// Whether every captured statement on `scim_users` filtered by userName uses the index.
    pub fn plans_use_index(&self) -> bool {
        let relevant: Vec<&QueryPlan> = self
            .plans
            .iter()
            .filter(|p| p.sql.contains("user_name_lower\" ="))
            .collect();
        !relevant.is_empty() && relevant.iter().all(|p| p.uses_lookup_index)
    }

    /// Writes `<stamp>-scim-<backend>.json` and `.md` under `out`.
    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        let name = format!("{stamp}-scim-{}", self.config.backend);
        write_files(out, &name, self, &self.markdown())
    }
}

/// Writes `<out>/<name>.json` (every figure) and `<out>/<name>.md`.
pub fn write_files<T: Serialize>(
    out: &Path,
    name: &str,
    report: &T,
    markdown: &str,
) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let base = out.join(name);
    let json = base.with_extension("json");
    let md = base.with_extension("md");
    std::fs::write(&json, serde_json::to_string_pretty(report)?)?;
    std::fs::write(&md, markdown)?;
    Ok((json, md))
}

fn lookup_rows(md: &mut String, l: &LookupResult) {
    md.push_str(&summary_row(
        &format!("hits, {} users", l.connection_users),
        &l.hits,
    ));
    md.push_str(&summary_row(
        &format!("misses, {} users", l.connection_users),
        &l.misses,
    ));
    for e in &l.error_samples {
        let _ = writeln!(md, "\n- error: {e}\n");
    }
}

fn group_section(md: &mut String, g: &GroupResult) {
    let _ = writeln!(
        md,
        "### D. Large group ({} members)\n\nPATCH add members, {} per request (answer includes every member, as for Okta):\n",
        g.members, g.batch_size
    );
    md.push_str("| members after | ms | response |\n|---:|---:|---:|\n");
    for b in &g.batches {
        let _ = writeln!(
            md,
            "| {} | {:.0} | {} |",
            b.members_after,
            b.ms,
            kib(b.response_bytes)
        );
    }
    md.push('\n');
    md.push_str(SUMMARY_HEAD);
    md.push_str(&summary_row(
        "single add/remove, excludedAttributes=members",
        &g.single,
    ));
    md.push_str(&summary_row(
        &format!(
            "single add/remove, full answer ({})",
            kib(g.single_full_response_bytes)
        ),
        &g.single_full_response,
    ));
    let _ = writeln!(
        md,
        "\nGET of the whole group: {:.0} ms, {} ({} members).\n",
        g.get_ms,
        kib(g.get_bytes),
        g.get_members
    );
}
