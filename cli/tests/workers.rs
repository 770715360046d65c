//! Two worker instances (own `Services`, own bus connection, like two `roster worker`
//! processes) on one database and one queue: every event is delivered exactly once, and every
//! retry is made by exactly one of them (claims under `SKIP LOCKED` with a lease).

mod support;

use chrono::Duration as ChronoDuration;
use roster_domain::entities::{delivery, delivery_attempt};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use std::time::Duration;
use support::receiver::count_by_webhook_id;
use support::scim::{Method, connect};
use support::webhooks::{endpoint, event_ids, every_event_received};
use support::{Backend, Options, Receiver, TestApp, backend, wait_for};

fn services_only() -> bool {
    let services = backend() == Backend::Services;
    if !services {
        eprintln!(
            "skipped: services backend only (ROSTER_TEST_BACKEND=services); the embedded \
             backend runs a single worker in process"
        );
    }
    services
}

/// The app's worker on its own `Services`, plus one more worker. (A delivery deferred
/// because its endpoint is busy is due at once, so the manual clock need not move for it.)
async fn two_workers(manual_clock: bool) -> TestApp {
    let app = TestApp::start_with(Options {
        separate_worker_poll_ms: Some(200),
        extra_workers: 1,
        manual_clock,
        ..Default::default()
    })
    .await;
    wait_for(
        "both workers to consume",
        Duration::from_secs(10),
        || async { (app.queue_consumers().await >= 2).then_some(()) },
    )
    .await;
    app
}

/// Every delivery once it is settled in `status` after `attempts` attempts.
async fn deliveries_settled(app: &TestApp, expected: usize, status: &str, attempts: i32) {
    wait_for(
        &format!("{expected} deliveries {status} after {attempts} attempt(s)"),
        Duration::from_secs(60),
        || async {
            let rows = delivery::Entity::find().all(&app.svc.db).await.unwrap();
            (rows.len() == expected
                && rows
                    .iter()
                    .all(|d| d.status == status && d.attempts == attempts))
            .then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_deliver_every_event_exactly_once() {
    if !services_only() {
        return;
    }
    let app = two_workers(false).await;
    let receiver = Receiver::start();
    let s = connect(&app, "Competing Co", "okta").await;
    let (_, secret) = endpoint(&app, &receiver, &["*"]).await;
    const USERS: usize = 150;
    for i in 0..USERS {
        let user = s
            .ok(
                Method::POST,
                "/Users",
                Some(json!({"userName": format!("u{i}@two.test")})),
            )
            .await;
        let ops = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": format!("User {i}")}]
        });
        let path = format!("/Users/{}", user["id"].as_str().unwrap());
        s.ok(Method::PATCH, &path, Some(ops)).await;
    }
    let events = event_ids(&app).await;
    assert_eq!(events.len(), 1 + 2 * USERS);

    let hooks = every_event_received(&app, &receiver, Duration::from_secs(60)).await;
    deliveries_settled(&app, events.len(), "succeeded", 1).await;
    let counts = count_by_webhook_id(&receiver.received());
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "sent more than once: {repeated:?}");
    assert_eq!(counts.len(), events.len());
    for hook in &hooks {
        assert_eq!(hook.verify(&secret), Ok(()));
    }
    let handled = wait_for("the workers' counts", Duration::from_secs(10), || {
        let handled = app.handled_per_worker();
        let all = handled.iter().sum::<usize>() == events.len();
        async move { all.then_some(handled) }
    })
    .await;
    eprintln!("bus messages handled per worker: {handled:?}");
    assert!(
        handled.iter().all(|&n| n > 0),
        "both workers took part: {handled:?}"
    );

    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_retry_each_failed_delivery_exactly_once() {
    if !services_only() {
        return;
    }
    let app = two_workers(true).await;
    // More failures than one claim takes (100), so both retry loops find work.
    const USERS: usize = 150;
    let receiver = Receiver::scripted(&[(500, None); USERS]);
    let s = connect(&app, "Retrying Co", "entra").await;
    endpoint(&app, &receiver, &["user.created"]).await;
    for i in 0..USERS {
        let user = json!({"userName": format!("r{i}@two.test")});
        s.ok(Method::POST, "/Users", Some(user)).await;
    }
    deliveries_settled(&app, USERS, "retrying", 1).await;
    let first = count_by_webhook_id(&receiver.received());
    assert_eq!(first.len(), USERS);
    assert!(first.values().all(|&n| n == 1), "one first attempt each");

    // The first retry is due after 5 s ± 10%.
    app.advance(ChronoDuration::seconds(6));
    deliveries_settled(&app, USERS, "succeeded", 2).await;
    let counts = count_by_webhook_id(&receiver.received());
    assert_eq!(counts.len(), USERS);
    let wrong: Vec<_> = counts.iter().filter(|(_, n)| **n != 2).collect();
    assert!(
        wrong.is_empty(),
        "each event: one failed attempt, one retry: {wrong:?}"
    );
    let attempts = delivery_attempt::Entity::find()
        .count(&app.svc.db)
        .await
        .unwrap();
    assert_eq!(attempts, 2 * USERS as u64);
    eprintln!(
        "first attempts per worker (bus messages): {:?}",
        app.handled_per_worker()
    );

    receiver.stop().await;
    app.stop().await;
}
