//! Per-endpoint limits and ordering: a hung endpoint holds only its own concurrency, a rate
//! limit spreads attempts over seconds, and an ordered endpoint gets each connection's events
//! strictly in sequence, a failing event holding back only its own connection.

mod support;

use chrono::Duration;
use roster_domain::entities::delivery;
use roster_domain::ids::EndpointId;
use roster_domain::services::NewEndpoint;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration as StdDuration;
use support::receiver::Received;
use support::scim::{Method, Scim, connect};
use support::{Options, Receiver, TestApp, wait_for};

async fn endpoint(app: &TestApp, receiver: &Receiver, new: NewEndpoint) -> EndpointId {
    let new = NewEndpoint {
        url: receiver.url.clone(),
        event_types: vec!["user.created".into()],
        ..new
    };
    app.svc.create_endpoint(new).await.unwrap().0.id
}

async fn create_users(scim: &Scim<'_>, names: &[&str]) {
    for name in names {
        let (status, body) = scim
            .send(Method::POST, "/Users", Some(json!({"userName": name})))
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

async fn received(receiver: &Receiver, n: usize) -> Vec<Received> {
    wait_for(
        &format!("{n} webhooks"),
        StdDuration::from_secs(30),
        || async {
            let got = receiver.received();
            (got.len() >= n).then_some(got)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_endpoint_holds_only_its_own_concurrency() {
    let app = TestApp::start().await;
    let hung = Receiver::gated();
    let fast = Receiver::start();
    let limited = NewEndpoint {
        max_concurrency: Some(2),
        ..Default::default()
    };
    endpoint(&app, &hung, limited).await;
    endpoint(&app, &fast, NewEndpoint::default()).await;
    let scim = connect(&app, "Acme", "okta").await;
    let names: Vec<String> = (0..8).map(|i| format!("user{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    create_users(&scim, &names).await;

    // The fast endpoint gets everything while the hung one holds requests open.
    received(&fast, 8).await;
    wait_for("two held requests", StdDuration::from_secs(20), || async {
        (hung.held().0 == 2).then_some(())
    })
    .await;
    assert_eq!(hung.held().1, 2, "never more than max_concurrency at once");

    // Once it answers again, the deferred deliveries follow.
    hung.release();
    let got = received(&hung, 8).await;
    let mut ids: Vec<_> = got
        .iter()
        .map(|h| h.headers["webhook-id"].clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8);
    assert!(hung.held().1 <= 2);
    hung.stop().await;
    fast.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_spreads_attempts_over_seconds() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let limited = NewEndpoint {
        rate_limit_per_sec: Some(2),
        ..Default::default()
    };
    endpoint(&app, &receiver, limited).await;
    let scim = connect(&app, "Acme", "okta").await;
    create_users(&scim, &["a", "b", "c", "d", "e", "f"]).await;
    let got = received(&receiver, 6).await;
    // The signature timestamp is the second the attempt was made in.
    let mut per_second: HashMap<String, usize> = HashMap::new();
    for hook in &got {
        let second = hook.headers["webhook-timestamp"]
            .to_str()
            .unwrap()
            .to_string();
        *per_second.entry(second).or_default() += 1;
    }
    assert!(
        per_second.values().all(|n| *n <= 2),
        "at most two per second: {per_second:?}"
    );
    assert!(per_second.len() >= 3);
    receiver.stop().await;
    app.stop().await;
}

fn sequence_of(hook: &Received) -> (String, i64) {
    let body = hook.json();
    (
        body["connection_id"].as_str().unwrap().to_string(),
        body["sequence"].as_i64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_endpoint_holds_a_connection_behind_its_failing_event() {
    let app = TestApp::start_with(Options {
        manual_clock: true,
        ..Default::default()
    })
    .await;
    let ordered = Receiver::scripted(&[(500, None)]);
    let witness = Receiver::start();
    let ordered_id = endpoint(
        &app,
        &ordered,
        NewEndpoint {
            ordered: true,
            ..Default::default()
        },
    )
    .await;
    endpoint(&app, &witness, NewEndpoint::default()).await;
    let a = connect(&app, "Acme", "okta").await;
    create_users(&a, &["a1", "a2", "a3", "a4"]).await;

    // Every event was handled (the unordered witness has them all) but the ordered endpoint
    // got only the first, which failed: the rest wait, not even a delivery exists for them.
    received(&witness, 4).await;
    wait_for(
        "the first attempt recorded",
        StdDuration::from_secs(20),
        || async {
            let d = delivery::Entity::find()
                .filter(delivery::Column::EndpointId.eq(ordered_id.0))
                .one(&app.svc.db)
                .await
                .unwrap()?;
            (d.status == "retrying").then_some(())
        },
    )
    .await;
    let count = delivery::Entity::find()
        .filter(delivery::Column::EndpointId.eq(ordered_id.0))
        .count(&app.svc.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(ordered.received().len(), 1);

    // Another connection is not held back.
    let b = connect(&app, "Globex", "entra").await;
    create_users(&b, &["b1"]).await;
    let got = received(&ordered, 2).await;
    // (The connection's first event is `connection.activated`, which this endpoint skips.)
    let (conn_a, first) = sequence_of(&got[0]);
    assert_ne!(sequence_of(&got[1]).0, conn_a);

    // The retry succeeds; then the rest of the connection follows, in order.
    app.advance(Duration::seconds(6));
    let got = received(&ordered, 6).await;
    let of_a: Vec<i64> = got
        .iter()
        .map(sequence_of)
        .filter(|(c, _)| *c == conn_a)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(of_a, [first, first, first + 1, first + 2, first + 3]);
    ordered.stop().await;
    witness.stop().await;
    app.stop().await;
}
