//! What an operator does with deliveries: rotate a secret (both sign during the overlap),
//! replay one delivery, recover failed ones, re-enable a disabled endpoint, send a test event;
//! and what the worker does on its own: disable an endpoint failing for too long, and pick up
//! deliveries a crashed process left behind.

mod support;

use chrono::Duration;
use roster_domain::entities::{delivery, event};
use roster_domain::ids::EndpointId;
use roster_domain::services::{DeliveryStatus, NewEndpoint};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::time::Duration as StdDuration;
use support::scim::{Method, Scim, connect};
use support::{Options, Receiver, TestApp, wait_for};

async fn endpoint(app: &TestApp, receiver: &Receiver) -> (EndpointId, String) {
    let (view, secret) = app
        .svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            event_types: vec!["user.*".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    (view.id, secret)
}

async fn create_user(scim: &Scim<'_>, name: &str) {
    let (status, body) = scim
        .send(Method::POST, "/Users", Some(json!({"userName": name})))
        .await;
    assert_eq!(status, 201, "{body}");
}

async fn received(receiver: &Receiver, n: usize) -> Vec<support::receiver::Received> {
    wait_for(
        &format!("{n} webhooks"),
        StdDuration::from_secs(20),
        || async {
            let got = receiver.received();
            (got.len() >= n).then_some(got)
        },
    )
    .await
}

async fn statuses(app: &TestApp, endpoint: EndpointId) -> Vec<String> {
    let page = app
        .svc
        .list_deliveries(endpoint, None, None, None, 100)
        .await
        .unwrap();
    page.items.into_iter().map(|d| d.status).collect()
}

async fn settled(app: &TestApp, endpoint: EndpointId, n: usize, status: &str) {
    wait_for(
        &format!("{n} deliveries {status}"),
        StdDuration::from_secs(20),
        || async {
            let all = statuses(app, endpoint).await;
            (all.len() == n && all.iter().all(|s| s == status)).then_some(())
        },
    )
    .await
}

fn verify(secret: &str, hook: &support::receiver::Received) -> bool {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&hook.body, &hook.headers)
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_a_rotation_old_and_new_secrets_both_verify() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let (id, old) = endpoint(&app, &receiver).await;
    let scim = connect(&app, "Acme", "okta").await;

    let new = app
        .svc
        .rotate_endpoint_secret(id, None, Some(24))
        .await
        .unwrap();
    assert_ne!(new, old);
    let shown = app.svc.endpoint_secrets(id, None).await.unwrap();
    assert_eq!(shown.current, new);
    assert_eq!(shown.previous.len(), 1);
    assert!(shown.previous[0].expires_at.is_some());
    create_user(&scim, "ada").await;
    let hooks = received(&receiver, 1).await;
    let signature = hooks[0].headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    assert!(
        verify(&old, &hooks[0]),
        "receivers on the old secret keep verifying"
    );
    assert!(
        verify(&new, &hooks[0]),
        "receivers on the new secret verify"
    );

    // A rotation with no overlap ends every earlier secret at once.
    let newest = app
        .svc
        .rotate_endpoint_secret(id, None, Some(0))
        .await
        .unwrap();
    create_user(&scim, "grace").await;
    let hooks = received(&receiver, 2).await;
    let signature = hooks[1].headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.split(' ').count(), 1);
    assert!(verify(&newest, &hooks[1]));
    assert!(!verify(&new, &hooks[1]) && !verify(&old, &hooks[1]));
    assert!(
        app.svc
            .rotate_endpoint_secret(id, None, Some(10_000))
            .await
            .is_err(),
        "an overlap beyond 30 days is refused"
    );
    receiver.stop().await;
    app.stop().await;
}

fn one_retry(config: &mut roster_domain::Config) {
    config.webhook.retry_schedule_secs = vec![5];
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_replayed_and_recovered() {
    let app = TestApp::start_with(Options {
        manual_clock: true,
        configure: Some(one_retry),
        ..Default::default()
    })
    .await;
    let receiver = Receiver::scripted(&[(500, None); 6]);
    let (id, secret) = endpoint(&app, &receiver).await;
    let scim = connect(&app, "Acme", "okta").await;
    let started = app.now();
    for name in ["ada", "grace", "linus"] {
        create_user(&scim, name).await;
    }
    // Recorded before the clock moves (a record after the move would schedule from then).
    settled(&app, id, 3, "retrying").await;
    app.advance(Duration::seconds(6));
    settled(&app, id, 3, "failed").await;
    assert_eq!(receiver.received().len(), 6);

    // Replay one: a single new attempt, which succeeds.
    let failed = app
        .svc
        .list_deliveries(id, None, Some(DeliveryStatus::Failed), None, 10)
        .await
        .unwrap();
    let first = failed.items[0].id;
    app.svc.replay_delivery(first, None).await.unwrap();
    let hooks = received(&receiver, 7).await;
    assert!(verify(&secret, &hooks[6]));
    let detail = wait_for(
        "the replay recorded",
        StdDuration::from_secs(20),
        || async {
            let d = app.svc.get_delivery(first, None).await.unwrap();
            (d.delivery.status == "succeeded").then_some(d)
        },
    )
    .await;
    let codes: Vec<_> = detail.attempts_log.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(204)]);
    assert_eq!(detail.payload["type"], "user.created");

    // Recover the rest since the start.
    let queued = app.svc.recover_deliveries(id, None, started).await.unwrap();
    assert_eq!(queued, 2);
    settled(&app, id, 3, "succeeded").await;
    assert_eq!(receiver.received().len(), 9);

    // The chart's figures: every attempt of the last hour, in 24 buckets of 150 s.
    let stats = app.svc.delivery_stats(id, None, 1).await.unwrap();
    assert_eq!((stats.succeeded, stats.failed), (3, 6));
    assert_eq!((stats.buckets.len(), stats.bucket_seconds), (24, 150));
    let in_buckets: i64 = stats.buckets.iter().map(|b| b.succeeded + b.failed).sum();
    assert_eq!(in_buckets, 9);
    assert_eq!(
        stats.buckets[23].start + Duration::seconds(150),
        stats.until
    );
    assert!(app.svc.delivery_stats(id, None, 0).await.is_err());
    // Another tenant's view of the endpoint does not exist.
    let other = app.svc.create_tenant("Other", None).await.unwrap();
    assert!(
        app.svc
            .delivery_stats(id, Some(other.id), 24)
            .await
            .is_err()
    );
    // Nothing failed since now: nothing to recover.
    let later = app.now() + Duration::seconds(1);
    assert_eq!(
        app.svc.recover_deliveries(id, None, later).await.unwrap(),
        0
    );
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gone_endpoint_is_enabled_again_and_its_deliveries_recovered() {
    let app = TestApp::start().await;
    let receiver = Receiver::scripted(&[(410, None)]);
    let (id, _) = endpoint(&app, &receiver).await;
    let scim = connect(&app, "Acme", "okta").await;
    let started = app.now();
    create_user(&scim, "ada").await;
    settled(&app, id, 1, "failed").await;
    let view = app.svc.get_endpoint(id, None).await.unwrap();
    assert!(!view.enabled);
    assert!(view.disabled_reason.unwrap().contains("410"));
    assert!(view.disabled_at.is_some());

    let failed = app
        .svc
        .list_deliveries(id, None, None, None, 10)
        .await
        .unwrap();
    let err = app.svc.replay_delivery(failed.items[0].id, None).await;
    assert!(err.is_err(), "no replay to a disabled endpoint");
    assert!(app.svc.recover_deliveries(id, None, started).await.is_err());

    let view = app.svc.enable_endpoint(id, None).await.unwrap();
    assert!(view.enabled && view.disabled_reason.is_none());
    assert_eq!(
        app.svc.recover_deliveries(id, None, started).await.unwrap(),
        1
    );
    settled(&app, id, 1, "succeeded").await;
    assert_eq!(receiver.received().len(), 2);
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_event_is_signed_sent_and_reported() {
    let app = TestApp::start().await;
    let receiver = Receiver::scripted(&[(204, None), (503, None)]);
    let (id, secret) = endpoint(&app, &receiver).await;
    let ok = app.svc.send_test_event(id, None).await.unwrap();
    assert!(ok.succeeded);
    assert_eq!(ok.attempt.status_code, Some(204));
    let hooks = received(&receiver, 1).await;
    assert!(verify(&secret, &hooks[0]));
    assert_eq!(hooks[0].json()["type"], "webhook.test");
    assert_eq!(hooks[0].headers["webhook-id"].to_str().unwrap(), ok.msg_id);

    let failing = app.svc.send_test_event(id, None).await.unwrap();
    assert!(!failing.succeeded);
    assert_eq!(failing.attempt.status_code, Some(503));
    assert_eq!(failing.attempt.error_class.as_deref(), Some("http_status"));
    // A test event is not a delivery.
    assert!(statuses(&app, id).await.is_empty());
    receiver.stop().await;
    app.stop().await;
}

fn fail_fast(config: &mut roster_domain::Config) {
    config.webhook.retry_schedule_secs = vec![5, 3600, 3600, 3600];
    config.webhook.disable_after_failing_hours = 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_failing_continuously_is_disabled() {
    let app = TestApp::start_with(Options {
        manual_clock: true,
        configure: Some(fail_fast),
        ..Default::default()
    })
    .await;
    let receiver = Receiver::scripted(&[(500, None); 10]);
    let (id, _) = endpoint(&app, &receiver).await;
    let scim = connect(&app, "Acme", "okta").await;
    create_user(&scim, "ada").await;
    received(&receiver, 1).await;
    let view = wait_for("the failure clock", StdDuration::from_secs(20), || async {
        let v = app.svc.get_endpoint(id, None).await.unwrap();
        v.failing_since.is_some().then_some(v)
    })
    .await;
    assert!(view.enabled);

    // Second failure within the hour: still enabled.
    app.advance(Duration::seconds(6));
    wait_for(
        "the second attempt recorded",
        StdDuration::from_secs(20),
        || async {
            let page = app
                .svc
                .list_deliveries(id, None, None, None, 1)
                .await
                .unwrap();
            (page.items[0].attempts == 2).then_some(())
        },
    )
    .await;
    assert!(app.svc.get_endpoint(id, None).await.unwrap().enabled);
    // Third failure (one hour ±10% later), more than an hour after the first: disabled.
    app.advance(Duration::seconds(4000));
    let view = wait_for(
        "the endpoint disabled",
        StdDuration::from_secs(20),
        || async {
            let v = app.svc.get_endpoint(id, None).await.unwrap();
            (!v.enabled).then_some(v)
        },
    )
    .await;
    assert!(
        view.disabled_reason
            .unwrap()
            .contains("every attempt failed")
    );
    // Enabling restarts the clock.
    let view = app.svc.enable_endpoint(id, None).await.unwrap();
    assert!(view.failing_since.is_none());
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_a_crashed_process_left_behind_are_sent() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let (id, _) = endpoint(&app, &receiver).await;
    let scim = connect(&app, "Acme", "okta").await;
    create_user(&scim, "ada").await;
    settled(&app, id, 1, "succeeded").await;

    // An event the in-process bus held when the process died: published, never dispatched.
    event::Entity::update_many()
        .col_expr(
            event::Column::DispatchedAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .exec(&app.svc.db)
        .await
        .unwrap();
    delivery::Entity::delete_many()
        .exec(&app.svc.db)
        .await
        .unwrap();
    let events = event::Entity::find().count(&app.svc.db).await.unwrap();
    assert_eq!(app.svc.requeue_undispatched().await.unwrap(), events);
    app.svc.outbox.notify_one();
    settled(&app, id, 1, "succeeded").await;
    assert_eq!(received(&receiver, 2).await.len(), 2);

    // A first attempt whose worker died: pending, its lease run out.
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value("pending"))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(
            delivery::Column::NextAttemptAt,
            Expr::value(Some(app.now() - Duration::seconds(1))),
        )
        .filter(delivery::Column::EndpointId.eq(id.0))
        .exec(&app.svc.db)
        .await
        .unwrap();
    app.svc.retry_wake.notify_one();
    let hooks = received(&receiver, 3).await;
    assert_eq!(
        hooks[2].headers["webhook-id"],
        hooks[0].headers["webhook-id"]
    );
    settled(&app, id, 1, "succeeded").await;
    receiver.stop().await;
    app.stop().await;
}
