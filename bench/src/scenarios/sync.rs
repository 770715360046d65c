//! Delivery scenario "sync": an Okta-style initial sync into an empty connection. For every user
//! Okta first looks the userName up (`GET /Users?filter=userName eq "…"`, expecting none), then
//! creates it (`POST /Users`), with a fixed number of requests in flight. Then it pushes groups:
//! each is created empty (`POST /Groups`) and its members follow in one `PATCH add members`.
//! One webhook endpoint receives everything; the scenario reports the total time, how long
//! after the last write the last `user.created` webhook arrived, and what the server used.

use crate::client::{print_errors, run_pool, users_query};
use crate::delivery::Ctx;
use crate::procfs::{Meter, Usage};
use crate::receiver::{Receiver, first_arrivals};
use crate::scenarios::group::add;
use crate::stats::Summary;
use crate::users::{identity, okta_group, okta_user, user_name_eq};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct SyncPlan {
    pub users: usize,
    pub groups: usize,
    pub members_per_group: usize,
    /// Requests in flight (Okta's default import/push concurrency is in this range).
    pub concurrency: usize,
    /// The first user number (userNames differ between scenarios).
    pub first_user: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncResult {
    pub users: usize,
    pub groups: usize,
    pub members_per_group: usize,
    pub concurrency: usize,
    /// The `GET filter` of each user (every one must find nothing).
    pub lookups: Summary,
    /// The `POST /Users` that follows it.
    pub creates: Summary,
    pub group_creates: Summary,
    pub group_patches: Summary,
    pub errors: usize,
    pub error_samples: Vec<String>,
    /// From the first request to the last user's create answered.
    pub users_s: f64,
    /// From the first request to the last write answered (groups included).
    pub total_s: f64,
    /// `user.created` webhooks received (first arrivals) and repeats of any event.
    pub user_created_received: usize,
    pub duplicates: usize,
    /// `group.user_added` webhooks received (first arrivals).
    pub member_events_received: usize,
    /// From the first request to the last `user.created` webhook.
    pub last_user_created_s: f64,
    /// The last `user.created` webhook's arrival minus the last write's answer (negative: it
    /// arrived while groups were still being written).
    pub user_webhooks_after_last_write_s: f64,
    /// The last `user.created` webhook minus the last user's create answer.
    pub user_webhooks_after_last_user_s: f64,
    /// Every webhook (memberships included) after the last write.
    pub all_webhooks_after_last_write_s: f64,
    pub usage: Usage,
}

/// Lookup then create, for user `i`: returns the new id and both latencies.
async fn lookup_and_create(
    scim: &crate::client::Scim,
    i: usize,
) -> Result<(String, Duration, Duration)> {
    let name = identity(i).2;
    let t = Instant::now();
    let found = scim
        .get(&users_query(&[("filter", &user_name_eq(&name))]))
        .await?
        .expect(200, "GET /Users?filter")?;
    if found.json["totalResults"] != 0 {
        bail!("{name} exists already: {}", found.json);
    }
    let lookup = t.elapsed();
    let t = Instant::now();
    let created = scim
        .post("/Users", &okta_user(i))
        .await?
        .expect(201, "POST /Users")?;
    let id = created.json["id"]
        .as_str()
        .context("no id in the created user")?;
    Ok((id.to_string(), lookup, t.elapsed()))
}

fn samples(phase: &str, errors: &[(usize, String)], out: &mut Vec<String>) {
    print_errors(phase, errors);
    out.extend(
        errors
            .iter()
            .take(3)
            .map(|(i, e)| format!("#{i} ({phase}): {e}")),
    );
}

pub async fn run(ctx: &mut Ctx<'_>, plan: &SyncPlan) -> Result<SyncResult> {
    let pid = ctx.restart_pid("run").await?;
    let (tenant, scims) = ctx.tenant_with_connections("Bench sync", 1)?;
    let receiver = Receiver::start("sync", 1, &[])?;
    let endpoints = ctx.create_endpoints(&tenant, receiver.urls(), None)?;
    let scim = scims[0].clone();
    let mut error_samples = Vec::new();

    let meter = Meter::start(pid);
    let started = Instant::now();
    let client = scim.clone();
    let first = plan.first_user;
    let users = run_pool(first..first + plan.users, plan.concurrency, move |i| {
        let client = client.clone();
        async move { lookup_and_create(&client, i).await }
    })
    .await;
    let users_s = started.elapsed().as_secs_f64();
    samples("initial sync: users", &users.errors, &mut error_samples);
    let wall = users.wall;
    let lookups = Summary::of(
        users.outputs.iter().map(|(_, o)| o.1).collect(),
        users.errors.len(),
        wall,
    );
    let creates = Summary::of(users.outputs.iter().map(|(_, o)| o.2).collect(), 0, wall);
    let ids: Arc<Vec<String>> = Arc::new(users.outputs.into_iter().map(|(_, o)| o.0).collect());
    eprintln!(
        "   -> {} users in {users_s:.1} s; lookup p50 {:.1} ms p99 {:.1} ms; create p50 {:.1} ms p99 {:.1} ms",
        ids.len(),
        lookups.p50_ms,
        lookups.p99_ms,
        creates.p50_ms,
        creates.p99_ms
    );

    let (client, members) = (scim.clone(), plan.members_per_group);
    let members_of = move |g: usize, ids: &[String]| -> Vec<String> {
        (0..members.min(ids.len()))
            .map(|k| ids[(g * members + k) % ids.len()].clone())
            .collect()
    };
    let timings = Arc::new(std::sync::Mutex::new((Vec::new(), Vec::new())));
    let (t2, ids2) = (timings.clone(), ids.clone());
    let groups = run_pool(0..plan.groups, plan.concurrency, move |g| {
        let (client, timings, ids) = (client.clone(), t2.clone(), ids2.clone());
        let wanted = members_of(g, &ids);
        async move {
            let t = Instant::now();
            let created = client
                .post("/Groups", &okta_group(&format!("Bench sync group {g}")))
                .await?
                .expect(201, "POST /Groups")?;
            let created_in = t.elapsed();
            let id = created.json["id"]
                .as_str()
                .context("no id in the created group")?;
            let t = Instant::now();
            let patched = client
                .patch(
                    &format!("/Groups/{id}?excludedAttributes=members"),
                    &add(&wanted),
                )
                .await?;
            if !matches!(patched.status, 200 | 204) {
                bail!("PATCH /Groups: HTTP {}: {}", patched.status, patched.json);
            }
            let mut lock = timings.lock().expect("timings lock");
            lock.0.push(created_in);
            lock.1.push(t.elapsed());
            Ok(())
        }
    })
    .await;
    let total_s = started.elapsed().as_secs_f64();
    let last_write = Instant::now();
    samples("initial sync: groups", &groups.errors, &mut error_samples);
    let (group_creates, group_patches) = {
        let lock = timings.lock().expect("timings lock");
        (
            Summary::of(lock.0.clone(), groups.errors.len(), groups.wall),
            Summary::of(lock.1.clone(), 0, groups.wall),
        )
    };
    let memberships = groups.outputs.len() * members.min(ids.len());
    eprintln!(
        "   -> {} groups with {memberships} memberships; all writes done after {total_s:.1} s; waiting for the webhooks",
        groups.outputs.len()
    );

    // Every user.created and every group.user_added must arrive.
    let (want_users, want_members) = (ids.len(), memberships);
    receiver
        .wait_until(
            |r| r.user_events() >= want_users && r.member_events() >= want_members,
            Duration::from_secs(60),
            Duration::from_secs(600),
        )
        .await;
    let usage = meter.finish(pid);
    let arrivals = receiver.arrivals();
    let (first_of, duplicates) = first_arrivals(&arrivals);
    let of_kind = |kind: &'static str| first_of.values().filter(move |a| a.kind == kind);
    let user_created: Vec<Instant> = of_kind("user.created").map(|a| a.at).collect();
    let last_user = user_created.iter().max().copied();
    let last_any = first_of.values().map(|a| a.at).max();
    let since = |t: Option<Instant>, base: Instant| -> f64 {
        t.map_or(f64::NAN, |t| {
            if t >= base {
                t.duration_since(base).as_secs_f64()
            } else {
                -base.duration_since(t).as_secs_f64()
            }
        })
    };
    let last_user_answer = started + Duration::from_secs_f64(users_s);
    let result = SyncResult {
        users: ids.len(),
        groups: groups.outputs.len(),
        members_per_group: members,
        concurrency: plan.concurrency,
        lookups,
        creates,
        group_creates,
        group_patches,
        errors: users.errors.len() + groups.errors.len(),
        error_samples,
        users_s,
        total_s,
        user_created_received: user_created.len(),
        duplicates,
        member_events_received: of_kind("group.user_added").count(),
        last_user_created_s: since(last_user, started),
        user_webhooks_after_last_write_s: since(last_user, last_write),
        user_webhooks_after_last_user_s: since(last_user, last_user_answer),
        all_webhooks_after_last_write_s: since(last_any, last_write),
        usage,
    };
    ctx.stop().await?;
    ctx.disable_endpoints(&endpoints)?;
    receiver.stop().await;
    Ok(result)
}
