//! Management API (`/api/v1`) authentication and tenant visibility: API keys in the
//! `Authorization: Bearer` header, revocation at once, read-only scope, tenant restriction
//! (another tenant's objects are 404, never 403), and problem+json on every refusal.

mod support;

use roster_domain::Services;
use roster_domain::entities::api_key;
use roster_domain::services::ApiKeyScope;
use sea_orm::EntityTrait;
use serde_json::json;
use std::time::Duration;
use support::api::{Api, assert_problem, connection_of, get};
use support::scim::{Method, connect};
use support::{TestApp, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_malformed_and_unknown_credentials_are_401_problems() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let scim_token = format!("Bearer {}", s.token);
    let refusals = [
        (None, "an API key is required"),
        (Some("Basic dXNlcjpwdw=="), "must be `Bearer <API key>`"),
        (Some("Bearer"), "must be `Bearer <API key>`"),
        (Some("Bearer rk_not-a-key"), "invalid API key"),
        (Some("Bearer rk_"), "invalid API key"),
        // A SCIM token is not an API key, even a valid one.
        (Some(scim_token.as_str()), "unrecognised credential"),
    ];
    for (auth, detail) in refusals {
        for path in ["/events", "/events/0196b5b0-0000-7000-8000-000000000000"] {
            let res = get(&app, path, auth).await;
            assert_problem(&res, 401, "unauthorized");
            assert_eq!(
                res.headers["www-authenticate"],
                "Bearer realm=\"roster-api\""
            );
            assert!(
                res.body["detail"].as_str().unwrap().contains(detail),
                "{auth:?}: {}",
                res.body
            );
        }
    }
    // Authentication comes before parameter validation: nothing is revealed without a key.
    assert_problem(
        &get(&app, "/events?limit=0", None).await,
        401,
        "unauthorized",
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_refused_at_once_on_every_instance() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    // A second api instance: own pool, and on the services backend the same Redis.
    let other = Services::start(app.svc.config.as_ref().clone(), false)
        .await
        .unwrap();
    assert_eq!(api.get("/events").await.status, 200);
    let seen = other.authenticate_api_key(&api.key).await.unwrap();
    assert_eq!(seen.scope, ApiKeyScope::Full);

    let revoked = app.svc.revoke_api_key(seen.key_id, None).await.unwrap();
    assert!(revoked.revoked_at.is_some());

    let res = api.get("/events").await;
    assert_problem(&res, 401, "unauthorized");
    // Instances share the cache only on Redis; the in-memory cache is for one process.
    if support::backend() == support::Backend::Services {
        assert!(other.authenticate_api_key(&api.key).await.is_err());
    }
    // Revoking again is harmless; the key stays listed, marked revoked.
    app.svc.revoke_api_key(seen.key_id, None).await.unwrap();
    let keys = app
        .svc
        .list_api_keys(roster_domain::ids::TenantScope::All)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].revoked_at.is_some());
    other.db.close().await.ok();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_keys_read_and_use_is_recorded() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let (events, _) = api.events("").await;
    assert!(events.is_empty());
    let key = wait_for("last_used_at", Duration::from_secs(10), || async {
        api_key::Entity::find()
            .one(&app.svc.db)
            .await
            .unwrap()
            .filter(|k| k.last_used_at.is_some())
    })
    .await;
    assert!(key.revoked_at.is_none());
    // The secret is stored only as its hash.
    assert_ne!(key.key_hash, api.key);
    assert!(api.key.starts_with(&key.prefix));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_keys_see_only_their_tenant_and_others_objects_are_404() {
    let app = TestApp::start().await;
    let mine = connect(&app, "Mine", "okta").await;
    let theirs = connect(&app, "Theirs", "entra").await;
    let my_conn = connection_of(&mine);
    let their_conn = connection_of(&theirs);
    let my_tenant = app.svc.get_connection(my_conn).await.unwrap().tenant_id;
    for s in [&mine, &theirs] {
        let (status, _) = s
            .send(Method::POST, "/Users", Some(json!({"userName": "ada"})))
            .await;
        assert_eq!(status, 201);
    }
    let operator = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let scoped = Api::new(&app, ApiKeyScope::ReadOnly, Some(my_tenant)).await;
    // Two events per connection: connection.activated and user.created.
    let all = wait_for(
        "the feed to hold both tenants' events",
        Duration::from_secs(20),
        || async {
            let (events, _) = operator.drain(None, "", 100).await;
            (events.len() == 4).then_some(events)
        },
    )
    .await;

    let (visible, _) = scoped.drain(None, "", 100).await;
    assert_eq!(visible.len(), 2);
    assert!(
        visible
            .iter()
            .all(|e| e["tenant_id"] == my_tenant.to_string())
    );
    // Asking for the other tenant explicitly yields nothing rather than an error.
    let other_tenant = app.svc.get_connection(their_conn).await.unwrap().tenant_id;
    let (filtered, _) = scoped
        .drain(None, &format!("&tenant_id={other_tenant}"), 100)
        .await;
    assert!(filtered.is_empty());

    for event in &all {
        let path = format!("/events/{}", event["id"].as_str().unwrap());
        let res = scoped.get(&path).await;
        if event["tenant_id"] == my_tenant.to_string() {
            assert_eq!(res.status, 200);
            assert_eq!(&res.body, event);
        } else {
            assert_problem(&res, 404, "not-found");
            assert_eq!(res.body["detail"], "event not found");
        }
    }
    assert_eq!(
        scoped
            .get(&format!("/connections/{my_conn}/snapshot"))
            .await
            .status,
        200
    );
    let res = scoped
        .get(&format!("/connections/{their_conn}/snapshot"))
        .await;
    assert_problem(&res, 404, "not-found");
    let unknown = format!("/connections/{}/snapshot", uuid::Uuid::now_v7());
    let res = scoped.get(&unknown).await;
    assert_problem(&res, 404, "not-found");
    assert_eq!(
        res.body["detail"], "connection not found",
        "same answer as another tenant's"
    );
    app.stop().await;
}
