//! Scenario C: an import the way Okta runs one — `GET /Users?startIndex=…&count=…` page after
//! page, one at a time, until `totalResults`; every user must be seen exactly once.

use crate::client::Scim;
use crate::stats::Summary;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct PagingResult {
    pub count: u64,
    pub pages: usize,
    pub total_s: f64,
    pub per_page: Summary,
    /// Median page time over the first and the last tenth of the pages (OFFSET paging gets
    /// slower with depth).
    pub first_tenth_p50_ms: f64,
    pub last_tenth_p50_ms: f64,
    pub total_results: u64,
    pub seen: usize,
    pub duplicates: usize,
    pub missing: usize,
    pub unexpected: usize,
    pub exactly_once: bool,
}

fn p50(samples: &[Duration]) -> f64 {
    Summary::of(samples.to_vec(), 0, Duration::ZERO).p50_ms
}

pub async fn run(scim: &Scim, expected: &HashSet<String>, count: u64) -> Result<PagingResult> {
    let mut seen = HashSet::with_capacity(expected.len());
    let mut duplicates = 0;
    let mut unexpected = 0;
    let mut latencies = Vec::new();
    let mut start = 1u64;
    let mut total_results;
    let started = Instant::now();
    loop {
        let path = format!("/Users?startIndex={start}&count={count}");
        let t = Instant::now();
        let reply = scim.get(&path).await?.expect(200, "GET /Users (page)")?;
        latencies.push(t.elapsed());
        let body = reply.json;
        total_results = body["totalResults"]
            .as_u64()
            .context("totalResults in a page")?;
        let resources = body["Resources"].as_array().cloned().unwrap_or_default();
        for user in &resources {
            let id = user["id"]
                .as_str()
                .context("a user without id")?
                .to_string();
            if !expected.contains(&id) {
                unexpected += 1;
            }
            if !seen.insert(id) {
                duplicates += 1;
            }
        }
        if resources.is_empty() && start <= total_results {
            bail!("empty page at startIndex={start} of {total_results}");
        }
        start += count;
        if start > total_results {
            break;
        }
    }
    let total_s = started.elapsed().as_secs_f64();
    let tenth = (latencies.len() / 10).max(1);
    let missing = expected.iter().filter(|id| !seen.contains(*id)).count();
    Ok(PagingResult {
        count,
        pages: latencies.len(),
        total_s,
        first_tenth_p50_ms: p50(&latencies[..tenth]),
        last_tenth_p50_ms: p50(&latencies[latencies.len() - tenth..]),
        per_page: Summary::of(latencies, 0, Duration::from_secs_f64(total_s)),
        total_results,
        seen: seen.len(),
        duplicates,
        missing,
        unexpected,
        exactly_once: duplicates == 0 && missing == 0 && unexpected == 0,
    })
}

/// One page fetched on its own, to show how page time grows with depth.
#[derive(Debug, Clone, Serialize)]
pub struct SampledPage {
    pub start_index: u64,
    pub count: u64,
    pub ms: f64,
    pub returned: usize,
}

/// Fetches single pages at the given `startIndex`es (first, middle, last of a large connection).
pub async fn sample(scim: &Scim, starts: &[u64], count: u64) -> Result<Vec<SampledPage>> {
    let mut out = Vec::new();
    for &start in starts {
        let t = Instant::now();
        let reply = scim
            .get(&format!("/Users?startIndex={start}&count={count}"))
            .await?
            .expect(200, "GET /Users (sampled page)")?;
        out.push(SampledPage {
            start_index: start,
            count,
            ms: t.elapsed().as_secs_f64() * 1000.0,
            returned: reply.json["Resources"].as_array().map_or(0, Vec::len),
        });
    }
    Ok(out)
}
