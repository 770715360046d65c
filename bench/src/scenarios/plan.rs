//! The lookup's query plans on PostgreSQL. The SQL is the one Roster actually sends: Roster
//! runs with `log_min_duration_statement = 0` on the bench database, one lookup is made, and
//! the statements it executed are read back from the server log (with their parameters). Each
//! is then run again under `EXPLAIN (ANALYZE, BUFFERS)` with the parameters inlined. If the log
//! cannot be read, the statements are reconstructed from `filter_sql.rs` + `listing.rs` and the
//! report says so.

use crate::client::{Scim, users_query};
use crate::postgres::BenchDb;
use crate::users::user_name_eq;
use anyhow::Result;
use serde::Serialize;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

/// The index a `userName eq` lookup must use.
pub const LOOKUP_INDEX: &str = "ix_scim_users_connection_id_user_name_lower";

#[derive(Debug, Clone, Serialize)]
pub struct QueryPlan {
    pub label: String,
    /// `captured` (from the Postgres log) or `reconstructed`.
    pub source: String,
    pub sql: String,
    pub plan: String,
    pub uses_lookup_index: bool,
}

/// One executed statement with its bind parameters (`None` = NULL) and its logged duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub sql: String,
    pub params: Vec<Option<String>>,
    pub duration_ms: f64,
}

/// The size of the log now (where to start reading after the next request).
pub fn log_offset(log: &Path) -> u64 {
    std::fs::metadata(log).map(|m| m.len()).unwrap_or(0)
}

pub fn read_from(log: &Path, offset: u64) -> std::io::Result<String> {
    let mut file = std::fs::File::open(log)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `$1 = 'a', $2 = NULL, $3 = 'it''s'` → values by position.
fn parse_params(text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find(" = ") {
        rest = &rest[eq + 3..];
        if let Some(quoted) = rest.strip_prefix('\'') {
            let mut value = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if matches!(chars.peek(), Some((_, '\''))) {
                        chars.next();
                        value.push('\'');
                        continue;
                    }
                    end = i + 1;
                    break;
                }
                value.push(c);
            }
            out.push(Some(value));
            rest = &quoted[end..];
        } else {
            let end = rest.find(", $").unwrap_or(rest.len());
            let raw = rest[..end].trim();
            out.push((raw != "NULL").then(|| raw.to_string()));
            rest = &rest[end..];
        }
    }
    out
}

/// Statements the sessions of database `db` executed, in log order: prepared statements
/// (`execute <name>: …`, with their parameters) and simple-protocol ones (`statement: BEGIN`).
pub fn parse_log(text: &str, db: &str) -> Vec<Captured> {
    let tag = format!("@{db} ");
    let mut out: Vec<Captured> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        if let Some(cont) = line.strip_prefix('\t') {
            if open && let Some(last) = out.last_mut() {
                last.sql.push('\n');
                last.sql.push_str(cont);
            }
            continue;
        }
        let Some(at) = line.find(&tag) else {
            open = false;
            continue;
        };
        let rest = &line[at + tag.len()..];
        if let Some(params) = rest.strip_prefix("DETAIL:  parameters: ") {
            if open && let Some(last) = out.last_mut() {
                last.params = parse_params(params);
            }
            open = false;
            continue;
        }
        open = false;
        let Some((ms, stmt)) = rest
            .strip_prefix("LOG:  duration: ")
            .and_then(|r| r.split_once(" ms  "))
            .and_then(|(ms, r)| {
                let sql = match r.strip_prefix("execute ") {
                    Some(named) => named.split_once(": ")?.1,
                    None => r.strip_prefix("statement: ")?,
                };
                Some((ms.parse().unwrap_or(0.0), sql))
            })
        else {
            continue;
        };
        out.push(Captured {
            sql: stmt.to_string(),
            params: Vec::new(),
            duration_ms: ms,
        });
        open = true;
    }
    out
}

/// The statement with its parameters inlined as literals.
pub fn inline(c: &Captured) -> String {
    let mut sql = c.sql.clone();
    for (n, value) in c.params.iter().enumerate().rev() {
        let literal = match value {
            Some(v) => format!("'{}'", v.replace('\'', "''")),
            None => "NULL".into(),
        };
        sql = sql.replace(&format!("${}", n + 1), &literal);
    }
    sql
}

/// The statement of a `userName eq` lookup as `listing.rs` builds it, when the log is not
/// available: the page SELECT (a page with fewer rows than `count` needs no COUNT).
fn reconstructed(connection_id: &str, user_name_lower: &str) -> Vec<String> {
    let name = user_name_lower.replace('\'', "''");
    let cols = "\"scim_users\".\"id\", \"scim_users\".\"connection_id\", \
        \"scim_users\".\"user_name\", \"scim_users\".\"user_name_lower\", \
        \"scim_users\".\"external_id\", \"scim_users\".\"display_name\", \
        \"scim_users\".\"given_name\", \"scim_users\".\"family_name\", \
        \"scim_users\".\"email_lower\", \"scim_users\".\"active\", \"scim_users\".\"resource\", \
        \"scim_users\".\"version\", \"scim_users\".\"created_at\", \"scim_users\".\"updated_at\"";
    vec![format!(
        "SELECT {cols} FROM \"scim_users\" WHERE \"scim_users\".\"connection_id\" = '{connection_id}' \
         AND \"scim_users\".\"user_name_lower\" = '{name}' \
         ORDER BY \"scim_users\".\"created_at\" ASC, \"scim_users\".\"id\" ASC LIMIT 1000 OFFSET 0"
    )]
}

/// What a probe asks for.
pub enum Ask {
    /// `filter=userName eq "…"`.
    Lookup(String),
    /// One page of an unfiltered list: `(startIndex, count)`.
    Page(u64, u64),
}

/// One request to capture, and how to label its plans.
pub struct Probe {
    pub label: String,
    pub scim: Scim,
    pub connection_id: String,
    pub ask: Ask,
}

/// Makes each probe's request while statement logging is on (`pg_log` is the server's log file,
/// `None` to reconstruct lookups), then EXPLAINs the statements that touch users or memberships.
pub async fn explain_lookups(
    db: &BenchDb,
    db_name: &str,
    pg_log: Option<&Path>,
    probes: &[Probe],
) -> Result<Vec<QueryPlan>> {
    let mut plans = Vec::new();
    for probe in probes {
        let offset = pg_log.map(log_offset).unwrap_or(0);
        let path = match &probe.ask {
            Ask::Lookup(name) => users_query(&[("filter", &user_name_eq(name))]),
            Ask::Page(start, count) => format!("/Users?startIndex={start}&count={count}"),
        };
        probe.scim.get(&path).await?.expect(200, "probe request")?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let captured: Vec<String> = match pg_log.map(|p| read_from(p, offset)) {
            Some(Ok(text)) => parse_log(&text, db_name)
                .iter()
                .filter(|c| {
                    c.sql
                        .trim_start()
                        .to_ascii_uppercase()
                        .starts_with("SELECT")
                        && (c.sql.contains("scim_users") || c.sql.contains("scim_group_members"))
                })
                .map(inline)
                .collect(),
            Some(Err(err)) => {
                eprintln!("!! cannot read the Postgres log ({err}); reconstructing the SQL");
                Vec::new()
            }
            None => Vec::new(),
        };
        let (source, statements) = match (&probe.ask, captured.is_empty()) {
            (_, false) => ("captured", captured),
            (Ask::Lookup(name), true) => (
                "reconstructed",
                reconstructed(&probe.connection_id, &name.to_lowercase()),
            ),
            (Ask::Page(..), true) => continue,
        };
        for (n, sql) in statements.into_iter().enumerate() {
            let plan = db.explain(&sql).await?;
            let uses_lookup_index = plan.contains(LOOKUP_INDEX);
            plans.push(QueryPlan {
                label: format!("{} — statement {}", probe.label, n + 1),
                source: source.into(),
                sql,
                plan,
                uses_lookup_index,
            });
        }
    }
    Ok(plans)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-01-01 10:00:00.000 UTC [42] postgres@roster_bench_x LOG:  duration: 0.120 ms  execute sqlx_s_3: SELECT COUNT(*) FROM \"scim_users\" WHERE \"connection_id\" = $1 AND \"user_name_lower\" = $2\n\
2026-01-01 10:00:00.000 UTC [42] postgres@roster_bench_x DETAIL:  parameters: $1 = '0190-abc', $2 = 'o''brien@x.example'\n\
2026-01-01 10:00:00.001 UTC [43] postgres@other_db LOG:  duration: 0.1 ms  execute s: SELECT 1\n\
2026-01-01 10:00:00.001 UTC [42] postgres@roster_bench_x LOG:  duration: 0.050 ms  parse s: SELECT 2\n\
2026-01-01 10:00:00.001 UTC [42] postgres@roster_bench_x LOG:  duration: 0.010 ms  statement: BEGIN\n\
2026-01-01 10:00:00.002 UTC [42] postgres@roster_bench_x LOG:  duration: 0.2 ms  execute <unnamed>: SELECT * FROM t\n\
\tWHERE a = $1 LIMIT $2\n\
2026-01-01 10:00:00.002 UTC [42] postgres@roster_bench_x DETAIL:  parameters: $1 = NULL, $2 = '100'\n";

    #[test]
    fn statements_and_parameters_are_read_from_the_log() {
        let got = parse_log(LOG, "roster_bench_x");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].duration_ms, 0.12);
        assert_eq!((got[1].sql.as_str(), got[1].duration_ms), ("BEGIN", 0.01));
        assert_eq!(
            got[0].params,
            vec![Some("0190-abc".into()), Some("o'brien@x.example".into())]
        );
        assert_eq!(
            inline(&got[0]),
            "SELECT COUNT(*) FROM \"scim_users\" WHERE \"connection_id\" = '0190-abc' AND \"user_name_lower\" = 'o''brien@x.example'"
        );
        assert_eq!(
            inline(&got[2]),
            "SELECT * FROM t\nWHERE a = NULL LIMIT '100'"
        );
    }
}
