//! Retries on a schedule kept in the database, on a manual clock (nothing is slept through):
//! failures are retried until success or the end of the schedule, Retry-After is honoured,
//! 410 disables the endpoint.

mod support;

use chrono::Duration;
use roster_domain::entities::{delivery, delivery_attempt, webhook_endpoint};
use roster_domain::services::NewEndpoint;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use std::time::Duration as StdDuration;
use support::{Options, Receiver, TestApp, catch_all, wait_for};

async fn start(configure: Option<fn(&mut roster_domain::Config)>) -> TestApp {
    TestApp::start_with(Options {
        manual_clock: true,
        configure,
        ..Default::default()
    })
    .await
}

/// A connection, a token and an endpoint on `receiver`; then one user created over SCIM.
async fn one_user_created(app: &TestApp, receiver: &Receiver) {
    let svc = &app.svc;
    let tenant = svc.create_tenant("Acme", None).await.unwrap();
    let conn = svc.create_connection(tenant.id, "", "okta").await.unwrap();
    let token = svc.issue_scim_token(conn.id, None).await.unwrap();
    svc.create_endpoint(NewEndpoint {
        url: receiver.url.clone(),
        description: String::new(),
        event_types: vec!["user.created".into()],
        tenant_id: None,
        ..Default::default()
    })
    .await
    .unwrap();
    let res = app
        .http
        .post(format!("{}/scim/v2/{}/Users", app.base_url, conn.id))
        .bearer_auth(&token.token)
        .json(&json!({"userName": "ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

/// The single delivery once it has made `attempts` attempts.
async fn delivery_after(app: &TestApp, attempts: i32) -> delivery::Model {
    wait_for(
        &format!("attempt {attempts}"),
        StdDuration::from_secs(20),
        || async {
            delivery::Entity::find()
                .one(&app.svc.db)
                .await
                .unwrap()
                .filter(|d| d.attempts == attempts && d.status != "pending")
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_on_schedule_until_delivered() {
    let app = start(None).await;
    let receiver = Receiver::scripted(&[(500, None), (503, None)]);
    one_user_created(&app, &receiver).await;

    let first = delivery_after(&app, 1).await;
    assert_eq!(first.status, "retrying");
    let wait = first.next_attempt_at.unwrap() - app.now();
    assert!(
        wait >= Duration::milliseconds(4400) && wait <= Duration::milliseconds(5600),
        "{wait}"
    );
    // Not due yet: nothing to claim.
    app.advance(Duration::seconds(4));
    assert!(
        app.svc
            .claim_due_deliveries(10, &[])
            .await
            .unwrap()
            .is_empty()
    );

    app.advance(Duration::seconds(2));
    let second = delivery_after(&app, 2).await;
    assert_eq!(second.status, "retrying");
    let wait = second.next_attempt_at.unwrap() - app.now();
    assert!(
        wait >= Duration::seconds(269) && wait <= Duration::seconds(331),
        "second retry after ~5 min: {wait}"
    );

    app.advance(Duration::seconds(331));
    let third = delivery_after(&app, 3).await;
    assert_eq!(third.status, "succeeded");
    assert_eq!(third.next_attempt_at, None);

    let attempts = delivery_attempt::Entity::find()
        .order_by_asc(delivery_attempt::Column::AttemptedAt)
        .all(&app.svc.db)
        .await
        .unwrap();
    let codes: Vec<Option<i32>> = attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(503), Some(204)]);
    assert_eq!(attempts[0].error_class.as_deref(), Some("http_status"));
    let hooks = receiver.received();
    assert_eq!(hooks.len(), 3);
    let ids: Vec<_> = hooks
        .iter()
        .map(|h| h.headers["webhook-id"].clone())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "every attempt carries the same webhook-id"
    );
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_the_schedule_ends() {
    fn short(config: &mut roster_domain::Config) {
        config.webhook.retry_schedule_secs = vec![10];
    }
    let app = start(Some(short)).await;
    let receiver = Receiver::scripted(&[(429, Some("120")), (500, None)]);
    one_user_created(&app, &receiver).await;

    let first = delivery_after(&app, 1).await;
    let wait = first.next_attempt_at.unwrap() - app.now();
    assert!(
        wait >= Duration::seconds(108) && wait <= Duration::seconds(132),
        "Retry-After 120: {wait}"
    );
    app.advance(Duration::seconds(133));
    let last = delivery_after(&app, 2).await;
    assert_eq!(
        last.status, "failed",
        "one retry in the schedule, then failed"
    );
    assert_eq!(last.next_attempt_at, None);
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_disables_the_endpoint_without_retrying() {
    let app = start(None).await;
    let receiver = Receiver::scripted(&[(410, None)]);
    one_user_created(&app, &receiver).await;

    let d = delivery_after(&app, 1).await;
    assert_eq!(d.status, "failed");
    let endpoint = webhook_endpoint::Entity::find()
        .one(&app.svc.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!endpoint.enabled);
    assert!(endpoint.disabled_reason.unwrap().contains("410"));
    app.advance(Duration::hours(24));
    assert!(
        app.svc
            .claim_due_deliveries(10, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(receiver.received().len(), 1);
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_targets_are_refused_at_creation_and_at_send_time() {
    let app = start(None).await;
    let svc = &app.svc;
    for url in [
        "http://10.0.0.1/hook",
        "http://[::1]:9/hook",
        "http://2130706434/",
        "http://169.254.169.254/",
    ] {
        let err = svc.create_endpoint(catch_all(url)).await.unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{url}: {err}");
    }
    // An endpoint whose stored URL now points at a forbidden address (as after a DNS change)
    // is refused when sending.
    let receiver = Receiver::start();
    one_user_created(&app, &receiver).await;
    let first = delivery_after(&app, 1).await;
    assert_eq!(first.status, "succeeded");
    let endpoint = webhook_endpoint::Entity::find()
        .one(&svc.db)
        .await
        .unwrap()
        .unwrap();
    let mut moved: webhook_endpoint::ActiveModel = endpoint.clone().into();
    moved.url = sea_orm::Set(endpoint.url.replace("127.0.0.1", "127.0.0.2"));
    sea_orm::ActiveModelTrait::update(moved, &svc.db)
        .await
        .unwrap();
    let conn = roster_domain::entities::connection::Entity::find()
        .one(&svc.db)
        .await
        .unwrap()
        .unwrap();
    let ctx = roster_domain::ids::ConnectionCtx {
        tenant_id: conn.tenant_id.into(),
        tenant_external_id: None,
        connection_id: conn.id.into(),
    };
    svc.create_user(
        &ctx,
        roster_scim::parse_user(&json!({"userName": "bob"})).unwrap(),
    )
    .await
    .unwrap();
    let attempt = wait_for(
        "the refused attempt",
        StdDuration::from_secs(20),
        || async {
            delivery_attempt::Entity::find()
                .filter(delivery_attempt::Column::ErrorClass.eq("ssrf"))
                .one(&app.svc.db)
                .await
                .unwrap()
        },
    )
    .await;
    assert!(attempt.error.unwrap().contains("127.0.0.2"));
    assert_eq!(
        receiver.received().len(),
        1,
        "nothing was sent to the forbidden address"
    );
    receiver.stop().await;
    app.stop().await;
}
