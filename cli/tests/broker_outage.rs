//! RabbitMQ unreachable while identity providers keep writing: nothing is lost. The api never
//! talks to the broker, the outbox keeps every event, and the relay and the consumer reconnect
//! by themselves once the broker answers again. The shared broker is not stopped: the app
//! reaches it through a `Proxy` that the test takes down.

mod support;

use serde_json::json;
use std::time::Duration;
use support::receiver::count_by_webhook_id;
use support::scim::{Method, connect};
use support::webhooks::{endpoint, event_ids, every_event_received, unpublished_events};
use support::{Backend, Options, Receiver, TestApp, backend, wait_for};

const WRITES: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_a_broker_outage_are_delivered_after_it() {
    if backend() != Backend::Services {
        eprintln!(
            "skipped: services backend only (ROSTER_TEST_BACKEND=services); the embedded \
             backend's in-process bus has no broker to lose"
        );
        return;
    }
    let app = TestApp::start_with(Options {
        broker_proxy: true,
        ..Default::default()
    })
    .await;
    let broker = app.broker.as_ref().expect("a proxy in front of RabbitMQ");
    let receiver = Receiver::start();
    let s = connect(&app, "Outage Ltd", "okta").await;
    let (_, secret) = endpoint(&app, &receiver, &["*"]).await;
    wait_for("the worker to consume", Duration::from_secs(10), || async {
        (app.queue_consumers().await >= 1).then_some(())
    })
    .await;

    broker.down();
    for i in 0..WRITES {
        let user = json!({"userName": format!("user{i}@outage.test")});
        let created = s.ok(Method::POST, "/Users", Some(user)).await;
        if i % 4 == 0 {
            let path = format!("/Users/{}", created["id"].as_str().unwrap());
            let ops = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": "Engineer"}]
            });
            s.ok(Method::PATCH, &path, Some(ops)).await;
        }
    }
    let events = event_ids(&app).await;
    // connection.activated, one user.created per user, one user.updated per fourth user.
    assert_eq!(events.len(), 1 + WRITES + WRITES / 4);
    // The app keeps trying the broker meanwhile (relay and consumer), and is refused.
    let refused_before = broker.refused();
    wait_for(
        "the app to retry the broker",
        Duration::from_secs(30),
        || {
            let refused = broker.refused();
            async move { (refused >= refused_before + 2).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        unpublished_events(&app).await,
        events.len() as u64,
        "the outbox holds every event while the broker is away"
    );
    assert!(receiver.received().is_empty());

    broker.up();
    let hooks = every_event_received(&app, &receiver, Duration::from_secs(60)).await;
    let counts = count_by_webhook_id(&hooks);
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!(
        "{} events, {} deliveries received, {duplicates} duplicates (at-least-once)",
        counts.len(),
        hooks.len()
    );
    assert_eq!(counts.len(), events.len());
    for hook in &hooks {
        assert_eq!(hook.verify(&secret), Ok(()), "{}", hook.webhook_id());
    }
    wait_for(
        "the outbox to be published",
        Duration::from_secs(10),
        || async { (unpublished_events(&app).await == 0).then_some(()) },
    )
    .await;

    receiver.stop().await;
    app.stop().await;
}

/// The broker cut three times while events flow: messages the consumer held unacknowledged
/// and batches awaiting confirms are redelivered or republished; every event still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_cuts_in_mid_traffic_lose_nothing() {
    if backend() != Backend::Services {
        eprintln!("skipped: services backend only (ROSTER_TEST_BACKEND=services)");
        return;
    }
    let app = TestApp::start_with(Options {
        broker_proxy: true,
        ..Default::default()
    })
    .await;
    let broker = app.broker.as_ref().expect("a proxy in front of RabbitMQ");
    let receiver = Receiver::start();
    let s = connect(&app, "Flaky Network plc", "entra").await;
    let (_, secret) = endpoint(&app, &receiver, &["*"]).await;
    const USERS: usize = 120;
    let writes = async {
        for i in 0..USERS {
            let user = json!({"userName": format!("flow{i}@outage.test")});
            s.ok(Method::POST, "/Users", Some(user)).await;
        }
    };
    let cuts = async {
        for round in 1..=3 {
            wait_for("deliveries to flow", Duration::from_secs(60), || {
                let flowing = receiver.received().len() >= round * 25;
                async move { flowing.then_some(()) }
            })
            .await;
            let refused = broker.refused();
            broker.down();
            wait_for(
                "the app to retry the broker",
                Duration::from_secs(30),
                || {
                    let retried = broker.refused() > refused;
                    async move { retried.then_some(()) }
                },
            )
            .await;
            broker.up();
        }
    };
    tokio::join!(writes, cuts);

    let hooks = every_event_received(&app, &receiver, Duration::from_secs(60)).await;
    let counts = count_by_webhook_id(&hooks);
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!(
        "{} events, {} deliveries received, {duplicates} duplicates (at-least-once)",
        counts.len(),
        hooks.len()
    );
    assert_eq!(counts.len(), 1 + USERS);
    for hook in &hooks {
        assert_eq!(hook.verify(&secret), Ok(()), "{}", hook.webhook_id());
    }
    receiver.stop().await;
    app.stop().await;
}
