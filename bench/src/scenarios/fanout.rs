//! Delivery scenarios 2 and 3: throughput of a fan-out to several loopback endpoints, without
//! (2) and with (3) one endpoint that hangs. The events are pre-loaded while only the api runs
//! (`roster serve`: the outbox fills, nothing is published); then `roster run` starts and the
//! whole backlog is delivered. Throughput is counted from the first to the last webhook the
//! answering endpoints received; every delivery is checked against the attempts Roster
//! recorded.

use crate::client::{print_errors, run_pool};
use crate::delivery::Ctx;
use crate::procfs::{Meter, Perf, PerfSummary, Usage};
use crate::receiver::{Receiver, first_arrivals};
use crate::scenarios::plan::{log_offset, parse_log, read_from};
use crate::scenarios::statements::{StatementProfile, profile};
use crate::stats::Summary;
use crate::store::EndpointTally;
use crate::users::okta_user;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Creates in flight while pre-loading (spread over the connections).
const PRELOAD_CONCURRENCY: usize = 16;

pub struct FanoutPlan {
    /// `fan-out`, `isolation`, `statements`: names the tenant and the endpoints' URLs.
    pub label: &'static str,
    pub users: usize,
    pub endpoints: usize,
    /// The endpoint that never answers, if any.
    pub hanging: Option<usize>,
    pub connections: usize,
    /// `--max-concurrency` of every endpoint (None: the server's default).
    pub max_concurrency: Option<u32>,
    /// The first user number (userNames differ between scenarios).
    pub first_user: usize,
    /// Log every statement during delivery and profile them (services only).
    pub log_statements: bool,
    /// `perf record -a` during delivery.
    pub perf: bool,
}

/// One endpoint's figures.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointRow {
    pub index: usize,
    pub hanging: bool,
    /// User events received (first arrival of each).
    pub received: usize,
    pub duplicates: usize,
    /// Seconds from the first webhook of the run to this endpoint's last.
    pub last_s: f64,
    pub recorded: EndpointTally,
}

#[derive(Debug, Clone, Serialize)]
pub struct FanoutResult {
    pub label: String,
    pub users: usize,
    pub endpoints: usize,
    pub hanging: Option<usize>,
    pub max_concurrency: Option<u32>,
    pub preload: Summary,
    /// Every answering endpoint received every event.
    pub complete: bool,
    /// Deliveries the answering endpoints received (first arrivals of user events).
    pub delivered: usize,
    pub expected: usize,
    pub duplicates: usize,
    /// First to last webhook at the answering endpoints.
    pub window_s: f64,
    pub deliveries_per_s: f64,
    /// Time of each delivery after the first webhook of the run (the backlog is released at
    /// once, so this is when in the drain each delivery landed); `per_s` as above.
    pub since_first: Summary,
    /// Attempts Roster recorded for the answering endpoints, and how many were 2xx.
    pub attempts_recorded: i64,
    pub attempts_2xx: i64,
    /// Every webhook received at the answering endpoints: user events, each connection's
    /// `connection.activated` (its token's first use), repeats.
    pub arrivals: usize,
    pub hung_requests: usize,
    pub per_endpoint: Vec<EndpointRow>,
    pub usage: Usage,
    /// PostgreSQL activity during delivery: (counter, change, change per delivery).
    pub db_counters: Vec<(String, i64, f64)>,
    pub statements: Option<StatementProfile>,
    pub perf: Option<PerfSummary>,
}

pub async fn run(ctx: &mut Ctx<'_>, plan: &FanoutPlan) -> Result<FanoutResult> {
    let deployment = ctx.deployment;
    let (tenant, scims) =
        ctx.tenant_with_connections(&format!("Bench {}", plan.label), plan.connections)?;
    let hanging: Vec<usize> = plan.hanging.into_iter().collect();
    let receiver = Receiver::start(plan.label, plan.endpoints, &hanging)?;
    let endpoint_ids = ctx.create_endpoints(&tenant, receiver.urls(), plan.max_concurrency)?;

    eprintln!(
        "   pre-loading {} users with the api alone (roster serve)",
        plan.users
    );
    ctx.restart("serve").await?;
    let first = plan.first_user;
    let pool_scims = scims.clone();
    let preload = run_pool(first..first + plan.users, PRELOAD_CONCURRENCY, move |i| {
        let scim = pool_scims[i % pool_scims.len()].clone();
        async move {
            scim.post("/Users", &okta_user(i))
                .await?
                .expect(201, "POST /Users")?;
            Ok(())
        }
    })
    .await;
    print_errors("pre-load", &preload.errors);
    let created = preload.outputs.len();

    let answering = plan.endpoints - hanging.len();
    let expected = created * answering;
    // A stopped server's database sessions have flushed their statistics.
    ctx.stop().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = match &ctx.db {
        Some(db) => db.counters().await?,
        None => Vec::new(),
    };
    let log = match (plan.log_statements, &ctx.pg_log, &ctx.db_name) {
        (true, Some(log), Some(name)) => {
            ctx.admin()?.log_all_statements(name, true).await?;
            Some((log.clone(), log_offset(log), name.clone()))
        }
        _ => None,
    };
    eprintln!("   releasing {created} events × {answering} answering endpoints (roster run)");
    let meter = Meter::before_spawn();
    let pid = ctx.restart_pid("run").await?;
    let perf = plan
        .perf
        .then(|| Perf::start(deployment.scratch.join(format!("perf-{}.data", plan.label))))
        .flatten();
    let complete = receiver
        .wait(expected, Duration::from_secs(30), Duration::from_secs(900))
        .await;
    let usage = meter.finish(pid);
    let perf = perf.and_then(|p| p.finish(plan.label, pid));
    if let (Some((_, _, name)), Ok(admin)) = (&log, ctx.admin()) {
        admin.log_all_statements(name, false).await?;
    }
    // Attempts are recorded just after the answers arrive; then the server stops, so that
    // its sessions flush their statistics (and a hanging endpoint is no longer retried).
    tokio::time::sleep(Duration::from_millis(500)).await;
    ctx.stop().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = match &ctx.db {
        Some(db) => db.counters().await?,
        None => Vec::new(),
    };
    let tally = ctx.store()?.tally().await?;
    let arrivals = receiver.arrivals();
    let (firsts, duplicates) = first_arrivals(&arrivals);
    let user_firsts: Vec<_> = firsts.values().filter(|a| a.user_name.is_some()).collect();
    let t0 = user_firsts.iter().map(|a| a.at).min();
    let t1 = user_firsts.iter().map(|a| a.at).max();
    let since: Vec<Duration> = match t0 {
        Some(t0) => user_firsts.iter().map(|a| a.at - t0).collect(),
        None => Vec::new(),
    };
    let window = match (t0, t1) {
        (Some(a), Some(b)) => b - a,
        _ => Duration::ZERO,
    };
    let delivered = user_firsts.len();
    let per_endpoint: Vec<EndpointRow> = receiver
        .urls()
        .iter()
        .enumerate()
        .map(|(index, url)| {
            let mine = user_firsts.iter().filter(|a| a.endpoint == index);
            EndpointRow {
                index,
                hanging: hanging.contains(&index),
                received: mine.clone().count(),
                duplicates: arrivals.iter().filter(|a| a.endpoint == index).count()
                    - firsts.keys().filter(|(e, _)| *e == index).count(),
                last_s: match t0 {
                    Some(t0) => mine.map(|a| (a.at - t0).as_secs_f64()).fold(0.0, f64::max),
                    None => 0.0,
                },
                recorded: tally.get(url).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let answering_rows = per_endpoint.iter().filter(|r| !r.hanging);
    let statements = match log {
        Some((path, offset, name)) => {
            let text = read_from(&path, offset).context("reading the PostgreSQL log")?;
            Some(profile(&parse_log(&text, &name), receiver.count(), created))
        }
        None => None,
    };
    let deliveries = delivered.max(1) as f64;
    let result = FanoutResult {
        label: plan.label.into(),
        users: created,
        endpoints: plan.endpoints,
        hanging: plan.hanging,
        max_concurrency: plan.max_concurrency,
        preload: preload.summary(),
        complete,
        delivered,
        expected,
        duplicates,
        window_s: window.as_secs_f64(),
        deliveries_per_s: delivered as f64 / window.as_secs_f64().max(f64::EPSILON),
        since_first: Summary::of(since, expected.saturating_sub(delivered), window),
        attempts_recorded: answering_rows.clone().map(|r| r.recorded.attempts).sum(),
        attempts_2xx: answering_rows.map(|r| r.recorded.attempts_2xx).sum(),
        arrivals: receiver.count(),
        hung_requests: receiver.hung(),
        per_endpoint,
        usage,
        db_counters: counter_changes(&before, &after, deliveries),
        statements,
        perf,
    };
    if receiver.unreadable() > 0 {
        eprintln!(
            "!! {} webhook bodies were not Roster events",
            receiver.unreadable()
        );
    }
    // No delivery to this scenario's endpoints once the next one starts.
    ctx.disable_endpoints(&endpoint_ids)?;
    receiver.stop().await;
    Ok(result)
}

/// `after − before` per counter, and per delivery.
fn counter_changes(
    before: &[(String, i64)],
    after: &[(String, i64)],
    deliveries: f64,
) -> Vec<(String, i64, f64)> {
    let before: BTreeMap<&str, i64> = before.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    after
        .iter()
        .map(|(k, v)| {
            let change = v - before.get(k.as_str()).copied().unwrap_or(0);
            (k.clone(), change, change as f64 / deliveries)
        })
        .filter(|(_, change, _)| *change != 0)
        .collect()
}
