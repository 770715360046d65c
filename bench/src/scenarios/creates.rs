//! Scenario A: `POST /Users` with Okta's body, N unique users, at concurrency 1 (the first
//! 2,000), 8 (the next 10,000) and 32 (the rest), all into one connection (one IdP). Then,
//! optionally, the same 32 in flight spread round-robin over several connections (several
//! IdPs at once): one connection's writes serialise on the row lock of its `event_seq`
//! counter, different connections' do not.

use crate::client::{Scim, print_errors, run_pool};
use crate::stats::Summary;
use crate::users::{identity, okta_user};
use anyhow::Context;
use serde::Serialize;
use std::time::Instant;

/// A user the API created.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: String,
    pub user_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateLevel {
    pub concurrency: usize,
    /// Connections the creates went to, round-robin.
    pub connections: usize,
    pub users: usize,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatesResult {
    pub levels: Vec<CreateLevel>,
    pub created: usize,
    pub wall_s: f64,
    pub per_s: f64,
    pub errors: usize,
    pub error_samples: Vec<String>,
}

/// Requests in flight and users of the level spread over several connections.
pub const SPREAD: (usize, usize) = (32, 10_000);

/// `(concurrency, users)` per level for `total` users.
pub fn levels(total: usize) -> Vec<(usize, usize)> {
    let first = total.min(2_000);
    let second = (total - first).min(10_000);
    let rest = total - first - second;
    [(1, first), (8, second), (32, rest)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Creates `total` users in `scim`'s connection (returned), then, when `spread` is not empty,
/// [`SPREAD`] more over the `spread` connections (not returned).
pub async fn run(scim: &Scim, total: usize, spread: &[Scim]) -> (CreatesResult, Vec<CreatedUser>) {
    let started = Instant::now();
    let mut created = Vec::with_capacity(total);
    let mut result = CreatesResult {
        levels: Vec::new(),
        created: 0,
        wall_s: 0.0,
        per_s: 0.0,
        errors: 0,
        error_samples: Vec::new(),
    };
    let mut next = 0;
    let mut plan: Vec<(usize, usize, Vec<Scim>)> = levels(total)
        .into_iter()
        .map(|(c, n)| (c, n, vec![scim.clone()]))
        .collect();
    if !spread.is_empty() {
        plan.push((SPREAD.0, SPREAD.1, spread.to_vec()));
    }
    for (concurrency, users, targets) in plan {
        let connections = targets.len();
        eprintln!(
            "   {users} creates at concurrency {concurrency} over {connections} connection(s)"
        );
        let targets = std::sync::Arc::new(targets);
        let run = run_pool(next..next + users, concurrency, move |i| {
            let client = targets[i % targets.len()].clone();
            async move {
                let reply = client
                    .post("/Users", &okta_user(i))
                    .await?
                    .expect(201, "POST /Users")?;
                let id = reply.json["id"]
                    .as_str()
                    .context("no id in the created user")?
                    .to_string();
                Ok(id)
            }
        })
        .await;
        let phase = format!("creates at concurrency {concurrency}, {connections} connection(s)");
        print_errors(&phase, &run.errors);
        let summary = run.summary();
        eprintln!(
            "   -> {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            summary.per_s, summary.p50_ms, summary.p99_ms, summary.errors
        );
        result.errors += run.errors.len();
        result.error_samples.extend(
            run.errors
                .iter()
                .take(5)
                .map(|(i, e)| format!("#{i} ({phase}): {e}")),
        );
        if connections == 1 {
            created.extend(run.outputs.into_iter().map(|(i, id)| CreatedUser {
                id,
                user_name: identity(i).2,
            }));
        }
        result.levels.push(CreateLevel {
            concurrency,
            connections,
            users,
            summary,
        });
        next += users;
    }
    result.created = result.levels.iter().map(|l| l.users).sum::<usize>() - result.errors;
    result.wall_s = started.elapsed().as_secs_f64();
    result.per_s = result.created as f64 / result.wall_s.max(f64::EPSILON);
    (result, created)
}

#[cfg(test)]
mod tests {
    use super::levels;

    #[test]
    fn levels_split_the_users() {
        assert_eq!(levels(100_000), vec![(1, 2_000), (8, 10_000), (32, 88_000)]);
        assert_eq!(levels(5_000), vec![(1, 2_000), (8, 3_000)]);
        assert_eq!(levels(500), vec![(1, 500)]);
    }
}
