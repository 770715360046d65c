//! Request limits per SCIM token and per API key, counted across every api instance: 429 with
//! `Retry-After` in each API's own error format, and requests pass again in the next second.

mod support;

use roster_domain::Services;
use roster_domain::services::ApiKeyScope;
use std::time::Duration;
use support::api::{Api, assert_problem};
use support::scim::{Method, connect};
use support::{Options, TestApp};

fn tight(config: &mut roster_domain::Config) {
    config.limits.scim_requests_per_sec = 5;
    config.limits.api_requests_per_sec = 5;
}

/// Waits for the start of a second, so that a burst falls in one counting window.
async fn second_start() {
    let now = chrono::Utc::now();
    let into = now.timestamp_subsec_millis() as u64;
    tokio::time::sleep(Duration::from_millis(1000 - into + 20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scim_token_over_its_rate_gets_a_scim_429() {
    let app = TestApp::start_with(Options {
        configure: Some(tight),
        ..Default::default()
    })
    .await;
    let s = connect(&app, "Acme", "okta").await;
    second_start().await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = app
            .http
            .get(format!("{}/Users", s.base))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            assert_eq!(res.headers()["retry-after"], "1");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["status"], "429");
            assert_eq!(
                body["schemas"][0],
                "urn:ietf:params:scim:api:messages:2.0:Error"
            );
            statuses.push(429);
        } else {
            statuses.push(res.status().as_u16());
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    // Another token of another connection has its own budget; the next second, this one too.
    let other = connect(&app, "Other", "entra").await;
    assert_eq!(other.send(Method::GET, "/Users", None).await.0, 200);
    second_start().await;
    assert_eq!(s.send(Method::GET, "/Users", None).await.0, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_over_its_rate_gets_a_problem_429_on_every_instance() {
    let app = TestApp::start_with(Options {
        configure: Some(tight),
        ..Default::default()
    })
    .await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let other = Services::start(app.svc.config.as_ref().clone(), false)
        .await
        .unwrap();
    second_start().await;
    // Three requests through a second instance count against the same budget (services
    // backend: the counter is in Redis; embedded: one process, one memory).
    let shared = support::backend() == support::Backend::Services;
    if shared {
        for _ in 0..3 {
            other.authenticate_api_key(&api.key).await.unwrap();
        }
    }
    let allowed = if shared { 2 } else { 5 };
    for _ in 0..allowed {
        assert_eq!(api.get("/tenants").await.status, 200);
    }
    let res = api.get("/tenants").await;
    assert_problem(&res, 429, "rate-limited");
    assert_eq!(res.headers["retry-after"], "1");
    second_start().await;
    assert_eq!(api.get("/tenants").await.status, 200);
    app.stop().await;
}
