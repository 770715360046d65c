//! The ledger: every committed change against what the receiver got. It reads what Roster
//! recorded through Roster's own management API (the Events API and the endpoint's deliveries,
//! with a read-only API key), so it is the same on PostgreSQL and on the embedded default.

use super::load::Writes;
use super::receiver::{FaultReceiver, Hook};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

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
    pub unsettled_deliveries: usize,
    /// Webhooks received per 5 s from the start of the load (stalls show as zeros).
    pub received_per_5s: Vec<usize>,
}

/// What the ledger reads from Roster's management API.
pub struct RosterRecords {
    pub http: reqwest::Client,
    /// `http://host:port` of an api.
    pub base_url: String,
    /// A read-only API key.
    pub api_key: String,
    pub connection_id: String,
    pub endpoint_id: String,
}

/// The statuses of a delivery that has not (yet) succeeded.
const UNSETTLED: [&str; 3] = ["pending", "retrying", "failed"];
const PAGE: usize = 1000;

impl RosterRecords {
    async fn get(&self, path_and_query: &str) -> Result<Value> {
        let url = format!("{}/api/v1{path_and_query}", self.base_url);
        let reply = self
            .http
            .get(&url)
            .bearer_auth(&self.api_key)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = reply.status();
        let body: Value = reply.json().await.with_context(|| format!("GET {url}"))?;
        if !status.is_success() {
            bail!("GET {url}: HTTP {status}: {body}");
        }
        Ok(body)
    }

    /// The connection's `user.created` events after `cursor` (event id → userName), and the
    /// cursor to read on from. Events enter the feed moments after they commit, so the ledger
    /// reads on until it closes.
    async fn user_events_after(
        &self,
        cursor: Option<&str>,
    ) -> Result<(HashMap<String, Option<String>>, Option<String>)> {
        let mut events = HashMap::new();
        let mut cursor = cursor.map(str::to_string);
        loop {
            let after = cursor
                .as_deref()
                .map(|c| format!("&after={c}"))
                .unwrap_or_default();
            let page = self
                .get(&format!(
                    "/events?types=user.created&connection_id={}&limit={PAGE}{after}",
                    self.connection_id
                ))
                .await?;
            let data = page["data"].as_array().context("the events page's data")?;
            for event in data {
                let id = event["id"].as_str().context("an event's id")?;
                let user_name = event["data"]["user_name"].as_str().map(str::to_string);
                events.insert(id.to_string(), user_name);
            }
            cursor = page["next_cursor"].as_str().map(str::to_string).or(cursor);
            if data.len() < PAGE {
                return Ok((events, cursor));
            }
        }
    }

    /// Deliveries to the endpoint that have not succeeded (counted up to a page per status).
    async fn unsettled(&self) -> Result<usize> {
        let mut count = 0;
        for status in UNSETTLED {
            let page = self
                .get(&format!(
                    "/endpoints/{}/deliveries?status={status}&limit={PAGE}",
                    self.endpoint_id
                ))
                .await?;
            count += page["data"].as_array().map_or(0, Vec::len);
        }
        Ok(count)
    }
}

impl Ledger {
    /// Waits until every committed write has its event, the receiver has every event and every
    /// delivery has settled (so re-sends after a lost outcome are counted), or until nothing
    /// moved for 150 s (past the claim lease), then counts.
    pub async fn collect(
        records: &RosterRecords,
        writes: &Writes,
        rx: &FaultReceiver,
        started: Instant,
        last_fault_end: Duration,
    ) -> Result<Ledger> {
        let load_end = Instant::now();
        let mut events: HashMap<String, Option<String>> = HashMap::new();
        let mut cursor: Option<String> = None;
        let (mut last_count, mut last_progress) = (rx.count(), Instant::now());
        let unsettled_deliveries = loop {
            let (more, next) = records.user_events_after(cursor.as_deref()).await?;
            events.extend(more);
            cursor = next;
            let hooks = rx.hooks();
            let got: HashSet<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
            let named: HashSet<&str> = events.values().flatten().map(String::as_str).collect();
            let left = records.unsettled().await?;
            let all_recorded = writes.committed.iter().all(|n| named.contains(n.as_str()));
            let all_in = events.keys().all(|id| got.contains(id.as_str()));
            if (all_recorded && all_in && left == 0)
                || last_progress.elapsed() > Duration::from_secs(150)
            {
                break left;
            }
            if hooks.len() + events.len() > last_count {
                (last_count, last_progress) = (hooks.len() + events.len(), Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
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

fn per_5s(hooks: &[Hook], started: Instant) -> Vec<usize> {
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
