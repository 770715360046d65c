//! Scenario B: `GET /Users?filter=userName eq "…"` — hits on random existing users in random
//! casing (exactly one result, the same userName ignoring case) and misses on random GUIDs
//! (200 with `totalResults` 0).

use crate::client::{Scim, print_errors, run_pool, users_query};
use crate::stats::Summary;
use crate::users::{random_case, user_name_eq};
use anyhow::{Result, bail};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
pub struct LookupResult {
    /// Users in the connection looked up.
    pub connection_users: u64,
    pub concurrency: usize,
    pub hits: Summary,
    pub misses: Summary,
    pub error_samples: Vec<String>,
}

/// Picks the `n`-th of the connection's userNames from a random number.
pub type Picker = Arc<dyn Fn(u64) -> String + Send + Sync>;

async fn lookup(scim: &Scim, name: &str) -> Result<serde_json::Value> {
    let path = users_query(&[("filter", &user_name_eq(name))]);
    Ok(scim
        .get(&path)
        .await?
        .expect(200, "GET /Users?filter")?
        .json)
}

pub async fn run(
    scim: &Scim,
    connection_users: u64,
    pick: Picker,
    hits: usize,
    misses: usize,
    concurrency: usize,
) -> LookupResult {
    let client = scim.clone();
    let hit_run = run_pool(0..hits, concurrency, move |_| {
        let client = client.clone();
        let pick = pick.clone();
        async move {
            let wanted = random_case(&pick(rand::random()), rand::random());
            let body = lookup(&client, &wanted).await?;
            let found = body["Resources"][0]["userName"].as_str().unwrap_or("");
            if body["totalResults"] != 1 || !found.eq_ignore_ascii_case(&wanted) {
                bail!("lookup of {wanted}: {body}");
            }
            Ok(())
        }
    })
    .await;
    print_errors("lookup hits", &hit_run.errors);
    let client = scim.clone();
    let miss_run = run_pool(0..misses, concurrency, move |_| {
        let client = client.clone();
        async move {
            let wanted = format!(
                "{}@acme-bench.example",
                uuid::Uuid::from_u128(rand::random())
            );
            let body = lookup(&client, &wanted).await?;
            if body["totalResults"] != 0 {
                bail!("lookup of {wanted} (absent): {body}");
            }
            Ok(())
        }
    })
    .await;
    print_errors("lookup misses", &miss_run.errors);
    let error_samples = hit_run
        .errors
        .iter()
        .chain(&miss_run.errors)
        .take(5)
        .map(|(i, e)| format!("#{i}: {e}"))
        .collect();
    LookupResult {
        connection_users,
        concurrency,
        hits: hit_run.summary(),
        misses: miss_run.summary(),
        error_samples,
    }
}
