//! One benchmark run: isolated resources, Roster as a subprocess, the scenarios in order, and
//! the clean-up (which happens whether the scenarios succeed or not).

use crate::client::{Scim, http_client};
use crate::postgres::{Admin, BenchDb, delete_broker_topology};
use crate::report::{BigResult, Machine, Report, RunConfig, loadavg};
use crate::scenarios::lookups::Picker;
use crate::scenarios::plan::{Ask, Probe, explain_lookups};
use crate::scenarios::{creates, group, lookups, paging};
use crate::server::{Backend, Deployment, Roster, ServiceUrls, roster_version};
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LOOKUP_CONCURRENCY: usize = 8;
const PAGE_SIZES: [u64; 2] = [100, 1000];
const GROUP_BATCH: usize = 1_000;
const GROUP_SINGLES: usize = 200;
const GROUP_FULL_SINGLES: usize = 20;

pub struct Options {
    pub backend: Backend,
    pub users: usize,
    pub big: u64,
    pub lookups: usize,
    pub misses: usize,
    pub group_members: usize,
    /// Connections of the extra create level spread over several IdPs (0: none).
    pub spread_connections: usize,
    pub binary: PathBuf,
    pub urls: ServiceUrls,
    /// The PostgreSQL server log, to capture the SQL Roster sends (`None`: reconstruct it).
    pub pg_log: Option<PathBuf>,
    /// Keep the bench database and scratch directory.
    pub keep: bool,
}

/// Runs everything; the report is returned even when a scenario failed (with the error).
pub async fn run(opts: &Options, stamp: &str) -> (Report, Result<()>) {
    let db_stamp: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let mut report = Report {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        machine: Machine::detect(),
        roster_version: roster_version(&opts.binary),
        postgres_version: None,
        postgres_settings: Vec::new(),
        config: RunConfig {
            backend: opts.backend.name().into(),
            users: opts.users,
            big: if opts.backend == Backend::Services {
                opts.big
            } else {
                0
            },
            create_levels: creates::levels(opts.users),
            lookups: opts.lookups,
            lookup_misses: opts.misses,
            lookup_concurrency: LOOKUP_CONCURRENCY,
            page_sizes: PAGE_SIZES.to_vec(),
            group_members: opts.group_members,
            group_batch: GROUP_BATCH,
            group_singles: GROUP_SINGLES,
            roster_env: Vec::new(),
        },
        creates: None,
        lookups: None,
        paging: Vec::new(),
        group: None,
        big: None,
        plans: Vec::new(),
        notes: Vec::new(),
        total_s: 0.0,
    };
    let started = Instant::now();
    let deployment = match Deployment::new(opts.backend, opts.binary.clone(), &opts.urls, &db_stamp)
    {
        Ok(d) => d,
        Err(err) => return (report, Err(err)),
    };
    report.config.roster_env = redacted_env(&deployment);
    let mut roster = None;
    let mut admin = None;
    let result = scenarios(opts, &deployment, &mut admin, &mut roster, &mut report).await;
    if let Err(err) = &result {
        report.notes.push(format!("run aborted: {err:#}"));
    }
    if let Some(r) = roster.take() {
        let _ = r.stop().await;
    }
    cleanup(
        opts.keep,
        &opts.urls.amqp,
        &deployment,
        admin,
        result.is_ok(),
    )
    .await;
    report.total_s = started.elapsed().as_secs_f64();
    report
        .notes
        .push(format!("load average at the end: {}", loadavg()));
    (report, result)
}

/// The server's environment for the report, without the broker password.
pub fn redacted_env(deployment: &Deployment) -> Vec<(String, String)> {
    deployment
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.replace("guest:guest@", "guest:***@")))
        .collect()
}

/// Services: connects as the PostgreSQL superuser, reads the version and settings for the
/// report, and creates the bench database. `None` on `embedded`.
pub async fn create_database(
    urls: &ServiceUrls,
    deployment: &Deployment,
) -> Result<Option<(Admin, String, Vec<(String, String)>)>> {
    let Some((name, _)) = &deployment.database else {
        return Ok(None);
    };
    let admin = Admin::connect(&urls.postgres_admin).await?;
    let version = admin.version().await?;
    let settings = admin.settings().await?;
    admin.create_database(name).await?;
    eprintln!("== database {name} created");
    Ok(Some((admin, version, settings)))
}

/// Drops the bench database, the broker topology and (after a success) the scratch directory,
/// unless `keep`.
pub async fn cleanup(
    keep: bool,
    amqp_url: &str,
    deployment: &Deployment,
    admin: Option<Admin>,
    ok: bool,
) {
    if keep {
        eprintln!(
            "== kept: database {:?}, scratch {}",
            deployment.database.as_ref().map(|d| &d.0),
            deployment.scratch.display()
        );
        return;
    }
    if let (Some(admin), Some((name, _))) = (admin, &deployment.database) {
        if let Err(err) = admin.drop_database(name).await {
            eprintln!("!! {err:#}");
        }
        admin.close().await;
    }
    if deployment.backend == Backend::Services
        && let Err(err) = delete_broker_topology(amqp_url, &deployment.queue_prefix).await
    {
        eprintln!("!! deleting the RabbitMQ queue and exchange: {err:#}");
    }
    if ok {
        deployment.remove_scratch();
    } else {
        eprintln!(
            "== kept the scratch directory (Roster's log): {}",
            deployment.scratch.display()
        );
    }
}

/// Notes the load average after `phase` (other work on the machine skews the figures); fails
/// when Roster is no longer running (a phase's errors would otherwise all be "connection
/// refused").
fn alive(roster: &mut Option<Roster>, phase: &str, report: &mut Report) -> Result<()> {
    report
        .notes
        .push(format!("load average after {phase}: {}", loadavg()));
    still_running(roster, phase)
}

/// Fails when Roster is no longer running.
pub fn still_running(roster: &mut Option<Roster>, phase: &str) -> Result<()> {
    let Some(r) = roster.as_mut() else {
        return Ok(());
    };
    match r.exited() {
        None => Ok(()),
        Some(status) => anyhow::bail!(
            "roster run exited during {phase} ({status}); its log: {}",
            r.log.display()
        ),
    }
}

async fn scenarios(
    opts: &Options,
    deployment: &Deployment,
    admin_slot: &mut Option<Admin>,
    roster: &mut Option<Roster>,
    report: &mut Report,
) -> Result<()> {
    let mut bench_db = None;
    if let Some((admin, version, settings)) = create_database(&opts.urls, deployment).await? {
        report.postgres_version = Some(version);
        report.postgres_settings = settings;
        *admin_slot = Some(admin);
        bench_db = deployment.database.clone();
    }
    let http = http_client(64)?;
    eprintln!("== starting {} run", deployment.binary.display());
    *roster = Some(deployment.start(&http).await?);
    let (conn_id, base, token) = deployment.provision("Bench Acme")?;
    let scim = Scim::new(http.clone(), base.clone(), &token);
    let db = match &bench_db {
        Some((_, url)) => Some(BenchDb::connect(url).await?),
        None => None,
    };

    eprintln!("== A. creates: {} users", opts.users);
    let spread = (0..opts.spread_connections)
        .map(|k| {
            let (_, base, token) = deployment.provision(&format!("Bench IdP {k}"))?;
            Ok(Scim::new(http.clone(), base, &token))
        })
        .collect::<Result<Vec<_>>>()?;
    let (created_result, created) = creates::run(&scim, opts.users, &spread).await;
    report.creates = Some(created_result);
    alive(roster, "the creates", report)?;
    drain(db.as_ref(), report, "creates").await?;

    eprintln!("== B. lookups on {} users", created.len());
    let names: Arc<Vec<String>> = Arc::new(created.iter().map(|u| u.user_name.clone()).collect());
    let pick: Picker = Arc::new(move |r| names[(r % names.len() as u64) as usize].clone());
    let l = lookups::run(
        &scim,
        created.len() as u64,
        pick,
        opts.lookups,
        opts.misses,
        LOOKUP_CONCURRENCY,
    )
    .await;
    eprintln!(
        "   -> hits p50 {:.2} ms p99 {:.2} ms ({:.0}/s)",
        l.hits.p50_ms, l.hits.p99_ms, l.hits.per_s
    );
    report.lookups = Some(l);
    alive(roster, "the lookups", report)?;

    let expected: HashSet<String> = created.iter().map(|u| u.id.clone()).collect();
    for count in PAGE_SIZES {
        eprintln!("== C. paging, count={count}");
        let p = paging::run(&scim, &expected, count).await?;
        eprintln!(
            "   -> {} pages in {:.1} s (first tenth p50 {:.1} ms, last tenth p50 {:.1} ms), each once: {}",
            p.pages, p.total_s, p.first_tenth_p50_ms, p.last_tenth_p50_ms, p.exactly_once
        );
        report.paging.push(p);
        alive(roster, &format!("paging (count={count})"), report)?;
    }

    eprintln!("== D. large group: {} members", opts.group_members);
    let ids: Vec<String> = created.iter().map(|u| u.id.clone()).collect();
    let g = group::run(
        &scim,
        &ids,
        opts.group_members,
        GROUP_BATCH,
        GROUP_SINGLES,
        GROUP_FULL_SINGLES,
    )
    .await?;
    eprintln!(
        "   -> single PATCH p50 {:.1} ms p99 {:.1} ms; GET {:.0} ms",
        g.single.p50_ms, g.single.p99_ms, g.get_ms
    );
    report.group = Some(g);
    alive(roster, "the group", report)?;
    drain(db.as_ref(), report, "the group").await?;

    let (Some(db), Some((db_name, _))) = (db, bench_db) else {
        report.notes.push(
            "embedded backend: no PostgreSQL query plans and no big connection (both need the services backend)"
                .into(),
        );
        return Ok(());
    };
    let mut big_probe = None;
    if opts.big > 0 {
        eprintln!("== E. big connection: seeding {} users in SQL", opts.big);
        let (big_conn, big_base, big_token) = deployment.provision("Bench Big Corp")?;
        let seed = db.seed_users(&big_conn, opts.big).await?;
        eprintln!(
            "   -> {:.0} s ({:.0} rows/s)",
            seed.seconds, seed.rows_per_s
        );
        let big_scim = Scim::new(http.clone(), big_base.clone(), &big_token);
        let n = opts.big;
        let pick: Picker = Arc::new(move |r| format!("Big.User{}@BigCorp.example", r % n + 1));
        eprintln!("== E. lookups on {n} users");
        let l = lookups::run(
            &big_scim,
            n,
            pick,
            opts.lookups,
            opts.misses,
            LOOKUP_CONCURRENCY,
        )
        .await;
        eprintln!(
            "   -> hits p50 {:.2} ms p99 {:.2} ms ({:.0}/s)",
            l.hits.p50_ms, l.hits.p99_ms, l.hits.per_s
        );
        let starts = [1, n / 2 + 1, n.saturating_sub(99).max(1)];
        let pages = paging::sample(&big_scim, &starts, 100).await?;
        for p in &pages {
            eprintln!("   page at startIndex={}: {:.0} ms", p.start_index, p.ms);
        }
        report.big = Some(BigResult {
            seeded_via:
                "directly in PostgreSQL (INSERT … SELECT generate_series, bypassing the API: \
                         no events, no request log)"
                    .into(),
            seed,
            lookups: l,
            pages,
        });
        alive(roster, "the big connection's lookups", report)?;
        big_probe = Some((big_conn, big_base, big_token));
    }

    eprintln!("== query plans: restarting Roster with statement logging on {db_name}");
    let admin = admin_slot.as_ref().context("the admin connection")?;
    if let Some(r) = roster.take() {
        r.stop().await?;
    }
    admin.log_all_statements(&db_name, true).await?;
    let plans = async {
        let http = http_client(4)?;
        *roster = Some(deployment.start(&http).await?);
        let main = Scim::new(http.clone(), base, &token);
        let main_user = created
            .first()
            .map(|u| u.user_name.clone())
            .unwrap_or_default();
        let last_page = (created.len() as u64).saturating_sub(99).max(1);
        let mut probes = vec![
            Probe {
                label: format!("{} users, hit", created.len()),
                scim: main.clone(),
                connection_id: conn_id.clone(),
                ask: Ask::Lookup(main_user.to_uppercase()),
            },
            Probe {
                label: format!("{} users, first page (count=100)", created.len()),
                scim: main.clone(),
                connection_id: conn_id.clone(),
                ask: Ask::Page(1, 100),
            },
            Probe {
                label: format!(
                    "{} users, last page (startIndex={last_page}, count=100)",
                    created.len()
                ),
                scim: main.clone(),
                connection_id: conn_id.clone(),
                ask: Ask::Page(last_page, 100),
            },
        ];
        if let Some((big_conn, big_base, big_token)) = &big_probe {
            let big = Scim::new(http.clone(), big_base.clone(), big_token);
            probes.push(Probe {
                label: format!("{} users, hit", opts.big),
                scim: big.clone(),
                connection_id: big_conn.clone(),
                ask: Ask::Lookup(format!("big.user{}@bigcorp.example", opts.big / 2)),
            });
            probes.push(Probe {
                label: format!(
                    "{} users, last page (startIndex={}, count=100)",
                    opts.big,
                    opts.big.saturating_sub(99).max(1)
                ),
                scim: big.clone(),
                connection_id: big_conn.clone(),
                ask: Ask::Page(opts.big.saturating_sub(99).max(1), 100),
            });
            probes.push(Probe {
                label: format!("{} users, miss", opts.big),
                scim: big,
                connection_id: big_conn.clone(),
                ask: Ask::Lookup(format!(
                    "{}@bigcorp.example",
                    uuid::Uuid::from_u128(rand::random())
                )),
            });
        }
        explain_lookups(&db, &db_name, opts.pg_log.as_deref(), &probes).await
    }
    .await;
    admin.log_all_statements(&db_name, false).await?;
    report.plans = plans?;
    eprintln!(
        "   -> {} plans; lookup index used: {}",
        report.plans.len(),
        report.plans_use_index()
    );
    db.close().await;
    Ok(())
}

/// Waits for the relay to publish the events of `after` (services only) and notes the backlog.
async fn drain(db: Option<&BenchDb>, report: &mut Report, after: &str) -> Result<()> {
    let Some(db) = db else { return Ok(()) };
    let (backlog, seconds) = db.drain_outbox(Duration::from_secs(300)).await?;
    let left = db.outbox_backlog().await?;
    eprintln!(
        "   outbox after {after}: {backlog} unpublished, drained in {seconds:.1} s ({left} left)"
    );
    report.notes.push(format!(
        "outbox after {after}: {backlog} events not yet published when the phase ended; the relay \
         caught up {seconds:.1} s later ({left} left) before the next phase started"
    ));
    Ok(())
}
