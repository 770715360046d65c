//! Delivery scenario 1: end-to-end latency at a steady rate. `POST /Users` is sent open-loop
//! (request `i` starts at `i / rate` whatever the answers do), round-robin over several
//! connections, and one webhook endpoint receives every `user.created`. Latency is the
//! webhook's arrival at the receiver minus the moment its SCIM request was sent, matched by
//! `data.user_name`.

use crate::client::Scim;
use crate::procfs::{Meter, Usage};
use crate::receiver::{Receiver, first_arrivals};
use crate::stats::Summary;
use crate::users::{identity, okta_user};
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A request that started this much after its scheduled time counts as late.
const LATE: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, Serialize)]
pub struct SteadyResult {
    pub target_rate: f64,
    pub duration_s: f64,
    pub connections: usize,
    pub sent: usize,
    /// Requests started more than 10 ms after their scheduled time (the harness fell behind).
    pub late_starts: usize,
    /// Requests started per second over the sending window.
    pub achieved_rate: f64,
    /// `POST /Users` answers (201 expected).
    pub creates: Summary,
    pub create_error_samples: Vec<String>,
    /// Webhook arrival − SCIM request sent; `per_s` is deliveries per second from the first
    /// request to the last arrival.
    pub end_to_end: Summary,
    /// End-to-end p50 / p99 of each tenth of the run, in send order (to show drift).
    pub by_tenth_p50_ms: Vec<f64>,
    pub by_tenth_p99_ms: Vec<f64>,
    pub delivered: usize,
    /// Created users whose webhook never arrived.
    pub missing: usize,
    /// Webhooks received again for an event already received.
    pub duplicates: usize,
    /// Seconds from the last request sent to the last webhook received.
    pub drain_s: f64,
    pub usage: Usage,
}

/// Sends `rate × duration` creates to `scims` (round-robin), user numbers from `first_user`,
/// and measures their webhooks at `receiver`, endpoint 0. `pid` is the server's.
pub async fn run(
    scims: &[Scim],
    receiver: &Receiver,
    rate: f64,
    duration: Duration,
    first_user: usize,
    pid: u32,
) -> SteadyResult {
    let total = (rate * duration.as_secs_f64()).round() as usize;
    let meter = Meter::start(pid);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(total);
    let mut late_starts = 0;
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        if tokio::time::Instant::now() - due > LATE {
            late_starts += 1;
        }
        let scim = scims[i % scims.len()].clone();
        let body = okta_user(first_user + i);
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let result = match scim.post("/Users", &body).await {
                Ok(reply) => reply.expect(201, "POST /Users").map(|_| ()),
                Err(err) => Err(err),
            };
            (sent, sent.elapsed(), result.map_err(|e| format!("{e:#}")))
        }));
    }
    let send_window = start.elapsed();
    let mut sent_at: HashMap<String, Instant> = HashMap::with_capacity(total);
    let mut create_latencies = Vec::with_capacity(total);
    let mut errors = Vec::new();
    let mut first_sent: Option<Instant> = None;
    let mut last_sent: Option<Instant> = None;
    for (i, task) in tasks.into_iter().enumerate() {
        let (sent, took, result) = task.await.expect("a create task panicked");
        first_sent = Some(first_sent.map_or(sent, |f| f.min(sent)));
        last_sent = Some(last_sent.map_or(sent, |l| l.max(sent)));
        match result {
            Ok(()) => {
                create_latencies.push(took);
                sent_at.insert(identity(first_user + i).2, sent);
            }
            Err(err) => errors.push(format!("#{i}: {err}")),
        }
    }
    let created = sent_at.len();
    eprintln!(
        "   sent {total} creates ({} errors, {late_starts} late); waiting for the webhooks",
        errors.len()
    );
    let complete = receiver
        .wait(created, Duration::from_secs(20), Duration::from_secs(180))
        .await;
    let usage = meter.finish(pid);
    if !complete {
        eprintln!("!! not every webhook arrived (stalled 20 s or 180 s passed)");
    }
    let arrivals = receiver.arrivals();
    let (first, duplicates) = first_arrivals(&arrivals);
    let mut seen: HashMap<&str, Instant> = HashMap::with_capacity(first.len());
    for a in first.values() {
        if let Some(name) = &a.user_name {
            seen.insert(name.as_str(), a.at);
        }
    }
    // Latencies in send order, for the per-tenth drift figures.
    let mut ordered: Vec<(Instant, Duration)> = sent_at
        .iter()
        .filter_map(|(name, sent)| seen.get(name.as_str()).map(|at| (*sent, *at - *sent)))
        .collect();
    ordered.sort_by_key(|(sent, _)| *sent);
    let last_arrival = seen.values().max().copied();
    let e2e_wall = match (first_sent, last_arrival) {
        (Some(f), Some(l)) => l - f,
        _ => Duration::ZERO,
    };
    let missing = created - ordered.len();
    let tenths: Vec<Summary> = ordered
        .chunks(ordered.len().div_ceil(10).max(1))
        .map(|c| Summary::of(c.iter().map(|(_, d)| *d).collect(), 0, Duration::ZERO))
        .collect();
    let window = match (first_sent, last_sent) {
        (Some(f), Some(l)) if l > f => l - f,
        _ => send_window,
    };
    SteadyResult {
        target_rate: rate,
        duration_s: duration.as_secs_f64(),
        connections: scims.len(),
        sent: total,
        late_starts,
        achieved_rate: total as f64 / window.as_secs_f64().max(f64::EPSILON),
        creates: Summary::of(create_latencies, errors.len(), window),
        create_error_samples: errors.into_iter().take(5).collect(),
        end_to_end: Summary::of(ordered.iter().map(|(_, d)| *d).collect(), missing, e2e_wall),
        by_tenth_p50_ms: tenths.iter().map(|s| s.p50_ms).collect(),
        by_tenth_p99_ms: tenths.iter().map(|s| s.p99_ms).collect(),
        delivered: ordered.len(),
        missing,
        duplicates,
        drain_s: match (last_sent, last_arrival) {
            (Some(s), Some(a)) if a > s => (a - s).as_secs_f64(),
            _ => 0.0,
        },
        usage,
    }
}
