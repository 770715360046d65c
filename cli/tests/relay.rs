//! The relay between the outbox and the bus, seen from outside.

mod support;

use reqwest::Method;
use roster_domain::ids::EventId;
use roster_domain::services::NewEndpoint;
use roster_worker::relay;
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::scim::connect;
use support::{Backend, Options, Receiver, TestApp, backend, wait_for};

/// A worker in another process is not reached by the api's in-process signal. On Postgres the
/// commit's NOTIFY must wake it long before its (here: one minute) poll; SQLite has no
/// cross-process signal, so there the relay's polling (200 ms here) is what delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_worker_is_woken_by_the_commit() {
    let poll_ms = match backend() {
        Backend::Services => 60_000,
        Backend::Embedded => 200,
    };
    let app = TestApp::start_with(Options {
        separate_worker_poll_ms: Some(poll_ms),
        ..Default::default()
    })
    .await;
    if backend() == Backend::Services {
        // The worker's relay LISTENs before its first pass; the fixtures below take long enough
        // for that pass to end, so the commit can only reach it through NOTIFY.
        wait_for("the relay to LISTEN", Duration::from_secs(10), || async {
            let row = app
                .svc
                .db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(*)::bigint AS n FROM pg_stat_activity \
                     WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
                ))
                .await
                .unwrap()
                .unwrap();
            (row.try_get::<i64>("", "n").unwrap() > 0).then_some(())
        })
        .await;
    }
    let receiver = Receiver::start();
    let svc = &app.svc;
    let tenant = svc.create_tenant("Initech", None).await.unwrap();
    let conn = svc
        .create_connection(tenant.id, "", "generic")
        .await
        .unwrap();
    let token = svc.issue_scim_token(conn.id, None).await.unwrap();
    svc.create_endpoint(NewEndpoint {
        url: receiver.url.clone(),
        description: String::new(),
        event_types: vec!["user.created".into()],
        tenant_id: Some(tenant.id),
        ..Default::default()
    })
    .await
    .unwrap();
    let res = app
        .http
        .post(format!(
            "{}/Users",
            conn.scim_base_url
                .replace("http://127.0.0.1:8080", &app.base_url)
        ))
        .bearer_auth(&token.token)
        .json(&json!({"userName": "peter@initech.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let hook = wait_for("the webhook", Duration::from_secs(10), || async {
        receiver.received().into_iter().next()
    })
    .await;
    assert_eq!(hook.json()["data"]["user_name"], "peter@initech.test");

    receiver.stop().await;
    app.stop().await;
}

/// Under writes that never pause, every sequencer pass finds a few new events. The relay must
/// still publish in between: webhooks arrive while the writers are running, not only once they
/// stop (a relay that sequenced until nothing was left never got to publish).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_flow_while_writes_never_pause() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    app.svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            description: String::new(),
            event_types: vec!["user.created".into()],
            tenant_id: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let scims = [
        connect(&app, "Writer A", "okta").await,
        connect(&app, "Writer B", "okta").await,
        connect(&app, "Writer C", "okta").await,
        connect(&app, "Writer D", "okta").await,
    ];
    let stop = AtomicBool::new(false);
    // Four writers per connection keep commits coming back to back.
    let write = |w: usize| {
        let (scim, stop) = (&scims[w % scims.len()], &stop);
        async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let user = json!({"userName": format!("writer{w}.user{n}@load.test")});
                scim.ok(Method::POST, "/Users", Some(user)).await;
                n += 1;
            }
            n
        }
    };
    let watch = async {
        wait_for(
            "50 webhooks while the writers are still writing",
            Duration::from_secs(30),
            || async { (receiver.received().len() >= 50).then_some(()) },
        )
        .await;
        stop.store(true, Ordering::Relaxed);
    };
    let (written, ()) = tokio::join!(futures::future::join_all((0..16).map(write)), watch);
    let written: usize = written.into_iter().sum();
    wait_for("every webhook", Duration::from_secs(30), || async {
        (receiver.received().len() >= written).then_some(())
    })
    .await;
    assert_eq!(receiver.received().len(), written);

    receiver.stop().await;
    app.stop().await;
}

/// A worker can get a message while the relay that published it has not committed yet. Its
/// delivery rows reference the event, and the foreign-key check locks the event's row: the
/// relay's claim must be a lock that check does not wait for (`FOR NO KEY UPDATE`, not `FOR
/// UPDATE`), or every delivery waits for the relay's commit. And the claim's scan reads the
/// unpublished rows through an index scan, never a bitmap scan that would visit every dead
/// row version of already published events on every pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_do_not_wait_for_the_relay_to_commit() {
    if backend() != Backend::Services {
        return; // SQLite: one relay, no row locks, statements outside a transaction.
    }
    let (_isolation, svc, _clock, ctx) = support::bare().await;
    let created = support::create_user_event(&svc, &ctx, "ada").await;
    let endpoint = support::catch_all_endpoint(&svc, "http://127.0.0.1:9/hook").await;

    // A relay between its claim and its commit (publishing, say).
    let relay_txn = svc.begin_outbox_pass().await.unwrap();
    let claimed = relay::claim(&relay_txn, &svc, true).await.unwrap();
    assert!(claimed.iter().any(|e| e.id == created.id));
    let began = tokio::time::timeout(
        Duration::from_secs(5),
        svc.begin_deliveries(EventId(created.id), &[endpoint], &[]),
    )
    .await
    .expect("the delivery row waited for the relay's commit")
    .unwrap();
    assert_eq!(began.len(), 1);
    relay_txn.commit().await.unwrap();

    // The claim's plan: an index scan in a pass; the planner's own choice for the same
    // query is a bitmap scan (it expects a few hundred of the table's rows).
    let claim = relay::claim_query(&svc, true).build(DbBackend::Postgres);
    let explain = |txn: sea_orm::DatabaseTransaction| {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("EXPLAIN {}", claim.sql),
            claim.values.clone().map(|v| v.0).unwrap_or_default(),
        );
        async move {
            let plan: Vec<String> = txn
                .query_all_raw(statement)
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).unwrap())
                .collect();
            txn.rollback().await.unwrap();
            plan.join("\n")
        }
    };
    let unguided = explain(svc.begin_write().await.unwrap()).await;
    let pass = explain(svc.begin_outbox_pass().await.unwrap()).await;
    assert!(unguided.contains("Bitmap"), "{unguided}");
    assert!(
        pass.contains("Index Scan") && !pass.contains("Bitmap"),
        "{pass}"
    );
}

/// A commit wakes the relays of other processes (`NOTIFY`) only when its own process runs no
/// relay: one that does publishes the commit itself, so a `NOTIFY` would only send the others
/// looking for work it does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_notify_other_processes_only_without_a_local_relay() {
    use roster_domain::events::OUTBOX_CHANNEL;
    use support::{bare, create_user_event};
    if backend() != Backend::Services {
        return;
    }
    let (isolation, svc, _clock, ctx) = bare().await;
    let mut listener =
        sqlx::postgres::PgListener::connect_with(svc.db.get_postgres_connection_pool())
            .await
            .unwrap();
    listener.listen(OUTBOX_CHANNEL).await.unwrap();
    let mut heard = async |within: Duration| {
        let first = tokio::time::timeout(within, listener.recv()).await.is_ok();
        // Drain what the same commits sent, until the channel has been quiet a moment.
        while tokio::time::timeout(Duration::from_millis(300), listener.recv())
            .await
            .is_ok()
        {}
        first
    };

    create_user_event(&svc, &ctx, "ada").await;
    assert!(
        heard(Duration::from_secs(10)).await,
        "no relay here: NOTIFY"
    );
    let local = svc.local_relay();
    create_user_event(&svc, &ctx, "bob").await;
    assert!(
        !heard(Duration::from_secs(1)).await,
        "a relay here: no NOTIFY"
    );
    drop(local);
    create_user_event(&svc, &ctx, "cy").await;
    assert!(
        heard(Duration::from_secs(10)).await,
        "the relay stopped: NOTIFY"
    );
    drop(listener);
    isolation.cleanup().await;
}
