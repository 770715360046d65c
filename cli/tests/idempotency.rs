//! `Idempotency-Key` on management-API POSTs: a retried create acts once and replays the first
//! answer; another request under the same key is a 422; a key still in flight is a 409;
//! answers that carried a secret are not stored; keys are per credential.

mod support;

use roster_domain::services::ApiKeyScope;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use support::TestApp;
use support::api::{Api, Res, assert_problem};

async fn post(api: &Api<'_>, path: &str, key: &str, body: Value) -> Res {
    let req = api
        .app
        .http
        .post(format!("{}/api/v1{path}", api.app.base_url))
        .bearer_auth(&api.key)
        .header("Idempotency-Key", key)
        .json(&body);
    support::api::read(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_acts_once() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let body = json!({"name": "Acme", "external_id": "org_1"});
    let first = post(&api, "/tenants", "create-acme-1", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.headers.get("idempotency-replayed").is_none());
    let again = post(&api, "/tenants", "create-acme-1", body.clone()).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.headers["idempotency-replayed"], "true");
    assert_eq!(again.body, first.body);
    assert_eq!(
        api.get("/tenants").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The same key for something else.
    let other = post(&api, "/tenants", "create-acme-1", json!({"name": "Other"})).await;
    assert_problem(&other, 422, "idempotency-mismatch");
    // A validation failure is an answer too: replayed, not re-run.
    let bad = post(&api, "/tenants", "bad-1", json!({"name": ""})).await;
    assert_problem(&bad, 400, "validation");
    let bad_again = post(&api, "/tenants", "bad-1", json!({"name": ""})).await;
    assert_eq!(bad_again.headers["idempotency-replayed"], "true");
    // Keys are per credential: another key's same Idempotency-Key is a new request.
    let colleague = Api::new(&app, ApiKeyScope::Full, None).await;
    let theirs = post(
        &colleague,
        "/tenants",
        "create-acme-1",
        json!({"name": "Theirs"}),
    )
    .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let too_long = post(&api, "/tenants", &"k".repeat(256), json!({"name": "X"})).await;
    assert_problem(&too_long, 400, "validation");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_never_stored_for_a_replay() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let body = json!({"name": "ci", "scope": "read_only"});
    let first = post(&api, "/api-keys", "key-1", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let secret = first.body["secret"].as_str().unwrap().to_string();
    let again = post(&api, "/api-keys", "key-1", body).await;
    assert_problem(&again, 409, "conflict");
    assert_eq!(again.headers["idempotency-replayed"], "true");
    assert!(!again.body.to_string().contains(&secret));
    // One key was created (plus the test's own).
    assert_eq!(api.get("/api-keys").await.body.as_array().unwrap().len(), 2);
    let stored = roster_domain::entities::idempotency_key::Entity::find()
        .all(&app.svc.db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|r| r.body.as_deref().is_none_or(|b| !b.contains(&secret)))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_create_one_object() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let body = json!({"name": "Race"});
    let tries =
        futures::future::join_all((0..4).map(|_| post(&api, "/tenants", "race", body.clone())))
            .await;
    let created = tries.iter().filter(|r| r.status == 201).count();
    assert!(
        created >= 1,
        "{:?}",
        tries.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in &tries {
        assert!(
            r.status == 201 || r.status == 409,
            "{}: {}",
            r.status,
            r.body
        );
    }
    assert_eq!(
        api.get("/tenants").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}
