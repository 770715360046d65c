//! The per-connection SCIM request log: what the IdP sent, what it got, secrets redacted.

mod support;

use chrono::Utc;
use roster_domain::ids::ConnectionId;
use roster_domain::services::RequestLogEntry;
use serde_json::json;
use std::time::Duration;
use support::scim::{Method, connect};
use support::{TestApp, wait_for};

async fn log_of(app: &TestApp, conn: ConnectionId, at_least: usize) -> Vec<RequestLogEntry> {
    wait_for("request log entries", Duration::from_secs(10), || async {
        let log = app
            .svc
            .request_log(conn, None, None, false, 100)
            .await
            .unwrap();
        (log.len() >= at_least).then_some(log)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scim_request_is_logged_redacted_with_its_outcome() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let conn: ConnectionId = s.base.rsplit('/').next().unwrap().parse().unwrap();

    let user = json!({"userName": "ada", "password": "hunter2-secret"});
    assert_eq!(
        s.send(Method::POST, "/Users", Some(user.clone())).await.0,
        201
    );
    assert_eq!(s.send(Method::POST, "/Users", Some(user)).await.0, 409);
    let bad_token = app
        .http
        .get(format!("{}/Users/x", s.base))
        .bearer_auth("scim_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), 401);
    assert_eq!(
        s.send(Method::GET, "/Users/nope?attributes=userName", None)
            .await
            .0,
        404
    );
    // A connection id that does not exist is not logged anywhere.
    let ghost = app
        .http
        .get(format!(
            "{}/scim/v2/{}/Users/x",
            app.base_url,
            uuid::Uuid::now_v7()
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ghost.status(), 401);

    let log = log_of(&app, conn, 4).await;
    assert_eq!(log.len(), 4, "{log:#?}");
    // Newest first.
    let (get, unauth, conflict, created) = (&log[0], &log[1], &log[2], &log[3]);
    assert_eq!((created.method.as_str(), created.status), ("POST", 201));
    assert!(created.path.ends_with("/Users"));
    let excerpt = created.request_excerpt.as_deref().unwrap();
    assert!(
        excerpt.contains("ada") && !excerpt.contains("hunter2"),
        "{excerpt}"
    );
    assert!(created.request_id.is_some());
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.scim_type.as_deref(), Some("uniqueness"));
    assert!(
        conflict
            .error_detail
            .as_deref()
            .unwrap()
            .contains("userName")
    );
    assert_eq!(unauth.status, 401);
    assert_eq!(get.status, 404);
    assert!(get.path.ends_with("/Users/nope?attributes=userName"));

    // Paging back in time.
    let older = app
        .svc
        .request_log(conn, None, Some((log[1].at, log[1].id)), false, 100)
        .await
        .unwrap();
    assert!(older.iter().all(|e| e.at < log[1].at));

    app.stop().await;
}

/// Retention prunes what is older than the configured days, and only that. Runs on services
/// without a worker, whose start-up housekeeping would otherwise race the explicit pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_prunes_only_entries_older_than_the_configured_days() {
    let (_isolation, svc, _clock, ctx) = support::bare().await;
    let days = i64::from(svc.config.scim.request_log_retention_days);
    let log = svc.start_request_log();
    let entry = |age: chrono::Duration| RequestLogEntry {
        id: uuid::Uuid::now_v7(),
        connection_id: ctx.connection_id,
        at: Utc::now() - age,
        method: "GET".into(),
        path: "/Users".into(),
        status: 200,
        scim_type: None,
        duration_ms: 1,
        request_id: None,
        request_excerpt: None,
        error_detail: None,
    };
    log.record(entry(
        chrono::Duration::days(days) + chrono::Duration::hours(1),
    ));
    log.record(entry(
        chrono::Duration::days(days) - chrono::Duration::hours(1),
    ));
    let written = wait_for("both entries written", Duration::from_secs(10), || async {
        let log = svc
            .request_log(ctx.connection_id, None, None, false, 100)
            .await
            .unwrap();
        (log.len() == 2).then_some(log)
    })
    .await;
    assert_eq!(svc.prune_request_log().await.unwrap(), 1);
    let kept = svc
        .request_log(ctx.connection_id, None, None, false, 100)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, written[0].id, "the newer entry is kept");
    assert_eq!(svc.prune_request_log().await.unwrap(), 0);
}
