//! Which SQL statements a delivery costs: the statements Roster's worker sent while statement
//! logging was on (read back from PostgreSQL's log), grouped by their text with the bind
//! parameter numbers folded, counted and timed per delivery.

use crate::scenarios::plan::Captured;
use serde::Serialize;
use std::collections::HashMap;

/// Longest statement text kept in the report.
const SQL_CHARS: usize = 220;

#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub sql: String,
    pub count: usize,
    pub per_delivery: f64,
    /// Server-side time as logged (`duration:`), summed.
    pub total_ms: f64,
    pub mean_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementProfile {
    pub deliveries: usize,
    pub events: usize,
    pub statements: usize,
    pub per_delivery: f64,
    /// Server-side time of every statement, per delivery.
    pub db_ms_per_delivery: f64,
    pub commits_per_delivery: f64,
    pub rows: Vec<StatementRow>,
}

/// `$12` → `$n`, and a list `$n, $n, $n` → `$n`; whitespace collapsed.
pub fn normalise(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push_str("$n");
        } else if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    while out.contains("$n, $n") {
        out = out.replace("$n, $n", "$n");
    }
    fold_lists(out.trim())
}

/// Column lists are long and say little: `SELECT a, b, c FROM` → `SELECT … FROM`, and the
/// same for `RETURNING a, b, c`.
fn fold_lists(sql: &str) -> String {
    let mut out = sql.to_string();
    if let Some(rest) = out.strip_prefix("SELECT ")
        && let Some(from) = rest.find(" FROM ")
        && from > 40
    {
        out = format!("SELECT …{}", &rest[from..]);
    }
    if let Some(at) = out.find(" RETURNING ") {
        out.truncate(at);
        out.push_str(" RETURNING …");
    }
    out
}

/// The harness's own queries, which are not Roster's cost.
fn is_harness(sql: &str) -> bool {
    sql.contains("pg_stat_") || sql.contains("FROM delivery_attempts a JOIN")
}

/// Groups `captured` (from the log) per statement text; `deliveries` and `events` divide.
pub fn profile(captured: &[Captured], deliveries: usize, events: usize) -> StatementProfile {
    let mut groups: HashMap<String, (usize, f64)> = HashMap::new();
    for c in captured.iter().filter(|c| !is_harness(&c.sql)) {
        let entry = groups.entry(normalise(&c.sql)).or_default();
        entry.0 += 1;
        entry.1 += c.duration_ms;
    }
    let per = |n: f64| n / deliveries.max(1) as f64;
    let statements: usize = groups.values().map(|(n, _)| n).sum();
    let total_ms: f64 = groups.values().map(|(_, ms)| ms).sum();
    let commits = groups
        .iter()
        .filter(|(sql, _)| sql.eq_ignore_ascii_case("COMMIT"))
        .map(|(_, (n, _))| *n)
        .sum::<usize>();
    let mut rows: Vec<StatementRow> = groups
        .into_iter()
        .map(|(sql, (count, ms))| StatementRow {
            sql: sql.chars().take(SQL_CHARS).collect(),
            count,
            per_delivery: per(count as f64),
            total_ms: ms,
            mean_ms: ms / count.max(1) as f64,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.sql.cmp(&b.sql)));
    StatementProfile {
        deliveries,
        events,
        statements,
        per_delivery: per(statements as f64),
        db_ms_per_delivery: per(total_ms),
        commits_per_delivery: per(commits as f64),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(sql: &str, ms: f64) -> Captured {
        Captured {
            sql: sql.into(),
            params: Vec::new(),
            duration_ms: ms,
        }
    }

    #[test]
    fn parameter_numbers_and_lists_fold() {
        assert_eq!(
            normalise("SELECT a FROM t WHERE id IN ($1, $2, $3) AND b = $4"),
            "SELECT a FROM t WHERE id IN ($n) AND b = $n"
        );
        assert_eq!(
            normalise("INSERT INTO t (a, b)\n  VALUES ($1, $2), ($3, $4)"),
            "INSERT INTO t (a, b) VALUES ($n), ($n)"
        );
    }

    #[test]
    fn long_column_lists_fold() {
        let sql = "SELECT \"d\".\"id\", \"d\".\"event_id\", \"d\".\"endpoint_id\", \"d\".\"status\" \
                   FROM \"d\" WHERE \"d\".\"id\" = $1 LIMIT $2";
        assert_eq!(
            normalise(sql),
            "SELECT … FROM \"d\" WHERE \"d\".\"id\" = $n LIMIT $n"
        );
        assert_eq!(
            normalise("INSERT INTO t (a) VALUES ($1) RETURNING \"a\", \"b\""),
            "INSERT INTO t (a) VALUES ($n) RETURNING …"
        );
    }

    #[test]
    fn statements_are_counted_per_delivery() {
        let log = [
            captured("BEGIN", 0.01),
            captured("SELECT * FROM d WHERE id = $1", 0.1),
            captured("COMMIT", 1.0),
            captured("BEGIN", 0.01),
            captured("SELECT * FROM d WHERE id = $2", 0.3),
            captured("COMMIT", 1.0),
            captured("SELECT 'commits', x FROM pg_stat_database", 0.1),
        ];
        let p = profile(&log, 2, 1);
        assert_eq!((p.statements, p.per_delivery), (6, 3.0));
        assert_eq!(p.commits_per_delivery, 1.0);
        assert_eq!(p.rows.len(), 3);
        let select = p.rows.iter().find(|r| r.sql.starts_with("SELECT")).unwrap();
        assert_eq!(select.count, 2);
        assert!((select.mean_ms - 0.2).abs() < 1e-9);
    }
}
