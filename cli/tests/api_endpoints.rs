//! Webhook endpoints and deliveries over the management API: what an app's backend automates
//! (subscribe, rotate, test, look at deliveries, replay, recover), with scopes and tenancy.

mod support;

use reqwest::Method;
use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use std::time::Duration;
use support::api::{Api, assert_problem};
use support::scim::{Method as ScimMethod, connect};
use support::{Receiver, TestApp, wait_for};

async fn deliveries(api: &Api<'_>, endpoint: &str, query: &str) -> Vec<Value> {
    let res = api
        .get(&format!("/endpoints/{endpoint}/deliveries?{query}"))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["data"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_manages_endpoints_and_replays_deliveries() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let receiver = Receiver::scripted(&[(500, None)]);

    let res = api
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": receiver.url, "event_types": ["user.*"], "max_concurrency": 4})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    let secret = res.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(res.body["max_concurrency"], 4);
    let listed = api.get("/endpoints").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    // Bad input is a validation problem and creates nothing.
    let bad = api
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": "ftp://x", "event_types": ["user.*"]})),
        )
        .await;
    assert_problem(&bad, 400, "validation");
    let bad = api
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": receiver.url, "event_types": ["users"]})),
        )
        .await;
    assert_problem(&bad, 400, "validation");
    assert_eq!(
        api.get("/endpoints").await.body.as_array().unwrap().len(),
        1
    );

    // Patch: absent fields kept, null clears.
    let res = api
        .send(
            Method::PATCH,
            &format!("/endpoints/{id}"),
            Some(json!({"description": "CRM", "max_concurrency": null})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["description"], "CRM");
    assert_eq!(res.body["max_concurrency"], Value::Null);
    assert_eq!(res.body["event_types"], json!(["user.*"]));

    // A delivery fails once (retrying), is replayed and succeeds.
    let scim = connect(&app, "Acme", "okta").await;
    let (status, _) = scim
        .send(ScimMethod::POST, "/Users", Some(json!({"userName": "ada"})))
        .await;
    assert_eq!(status, 201);
    let delivery = wait_for("a retrying delivery", Duration::from_secs(20), || async {
        let all = deliveries(&api, &id, "status=retrying").await;
        all.first().cloned()
    })
    .await;
    let did = delivery["id"].as_str().unwrap();
    let res = api
        .send(Method::POST, &format!("/deliveries/{did}/replay"), None)
        .await;
    assert_eq!(res.status, 202, "{}", res.body);
    let detail = wait_for("the replay", Duration::from_secs(20), || async {
        let res = api.get(&format!("/deliveries/{did}")).await;
        (res.body["status"] == "succeeded").then_some(res.body)
    })
    .await;
    let codes: Vec<Value> = detail["attempts_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(204)]);
    assert_eq!(detail["payload"]["type"], "user.created");
    let hooks = receiver.received();
    assert!(hooks.iter().all(|h| h.verify(&secret).is_ok()));

    // Recover, test event, rotation, disable/enable.
    let res = api
        .send(
            Method::POST,
            &format!("/endpoints/{id}/recover"),
            Some(json!({"since": "2000-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.body);
    assert_eq!(res.body["queued"], 0, "nothing failed");
    let res = api
        .send(Method::POST, &format!("/endpoints/{id}/test"), None)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["succeeded"], true);
    let res = api
        .send(
            Method::POST,
            &format!("/endpoints/{id}/secret/rotate"),
            Some(json!({"overlap_hours": 1})),
        )
        .await;
    let new_secret = res.body["secret"].as_str().unwrap();
    let res = api.get(&format!("/endpoints/{id}/secret")).await;
    assert_eq!(res.body["current"], new_secret);
    assert_eq!(res.body["previous"][0]["secret"], secret.as_str());
    let res = api
        .send(
            Method::POST,
            &format!("/endpoints/{id}/disable"),
            Some(json!({"reason": "maintenance"})),
        )
        .await;
    assert_eq!(res.body["enabled"], false);
    assert_eq!(res.body["disabled_reason"], "maintenance");
    let res = api
        .send(Method::POST, &format!("/deliveries/{did}/replay"), None)
        .await;
    assert_problem(&res, 409, "conflict");
    let res = api
        .send(Method::POST, &format!("/endpoints/{id}/enable"), None)
        .await;
    assert_eq!(res.body["enabled"], true);
    let res = api
        .send(Method::DELETE, &format!("/endpoints/{id}"), None)
        .await;
    assert_eq!(res.status, 204);
    assert_problem(
        &api.get(&format!("/endpoints/{id}")).await,
        404,
        "not-found",
    );
    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_tenants_hold_on_endpoint_routes() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let acme = app.svc.create_tenant("Acme", None).await.unwrap();
    let globex = app.svc.create_tenant("Globex", None).await.unwrap();
    let acme_key = Api::new(&app, ApiKeyScope::Full, Some(acme.id)).await;
    let globex_key = Api::new(&app, ApiKeyScope::Full, Some(globex.id)).await;
    let reader = Api::new(&app, ApiKeyScope::ReadOnly, None).await;

    // A tenant key creates endpoints for its own tenant only.
    let res = acme_key
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": receiver.url})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["tenant_id"], acme.id.to_string());
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = acme_key
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": receiver.url, "tenant_id": globex.id})),
        )
        .await;
    assert_problem(&res, 404, "not-found");

    // Another tenant's key sees nothing and can do nothing.
    assert!(
        globex_key
            .get("/endpoints")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    for (method, path) in [
        (Method::GET, format!("/endpoints/{id}")),
        (Method::GET, format!("/endpoints/{id}/deliveries")),
        (Method::GET, format!("/endpoints/{id}/secret")),
        (Method::POST, format!("/endpoints/{id}/test")),
        (Method::POST, format!("/endpoints/{id}/disable")),
        (Method::DELETE, format!("/endpoints/{id}")),
    ] {
        let res = globex_key.send(method, &path, None).await;
        assert_problem(&res, 404, "not-found");
    }
    // A read-only key reads but does not write, nor see secrets.
    assert_eq!(reader.get(&format!("/endpoints/{id}")).await.status, 200);
    for (method, path) in [
        (Method::POST, format!("/endpoints/{id}/disable")),
        (Method::GET, format!("/endpoints/{id}/secret")),
        (Method::POST, format!("/endpoints/{id}/secret/rotate")),
        (Method::DELETE, format!("/endpoints/{id}")),
    ] {
        let res = reader.send(method, &path, None).await;
        assert_problem(&res, 403, "forbidden");
    }
    let res = reader
        .send(
            Method::POST,
            "/endpoints",
            Some(json!({"url": receiver.url})),
        )
        .await;
    assert_problem(&res, 403, "forbidden");
    // Unknown fields and bad cursors are validation problems.
    let res = acme_key
        .send(
            Method::PATCH,
            &format!("/endpoints/{id}"),
            Some(json!({"colour": "red"})),
        )
        .await;
    assert_problem(&res, 400, "validation");
    let res = acme_key
        .get(&format!("/endpoints/{id}/deliveries?after=garbage"))
        .await;
    assert_problem(&res, 400, "validation");
    receiver.stop().await;
    app.stop().await;
}

/// Which endpoints an event goes to: the deployment's and its own tenant's, enabled, whose
/// patterns name its type; never another tenant's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_goes_to_the_deployment_and_its_own_tenant_only() {
    use roster_domain::services::NewEndpoint;
    let app = TestApp::start().await;
    let svc = &app.svc;
    let acme = svc.create_tenant("Acme", None).await.unwrap().id;
    let initech = svc.create_tenant("Initech", None).await.unwrap().id;
    let endpoint = |tenant, types: &[&str]| NewEndpoint {
        url: "http://127.0.0.1:9/roster".into(),
        description: String::new(),
        event_types: types.iter().map(|t| t.to_string()).collect(),
        tenant_id: tenant,
        ..Default::default()
    };
    let mut ids = Vec::new();
    for (tenant, types) in [
        (None, &["*"][..]),
        (Some(acme), &["user.*"][..]),
        (Some(acme), &["group.created"][..]),
        (Some(initech), &["*"][..]),
        (Some(acme), &["*"][..]),
    ] {
        ids.push(
            svc.create_endpoint(endpoint(tenant, types))
                .await
                .unwrap()
                .0
                .id,
        );
    }
    svc.disable_endpoint(ids[4], None, "test").await.unwrap();
    let ids = &ids;
    let matching = |tenant, event_type: &'static str| async move {
        let mut found: Vec<usize> = svc
            .matching_endpoints(tenant, event_type)
            .await
            .unwrap()
            .iter()
            .map(|e| ids.iter().position(|id| id.0 == e.id).unwrap())
            .collect();
        found.sort();
        found
    };
    assert_eq!(matching(acme, "user.created").await, [0, 1]);
    assert_eq!(matching(acme, "group.created").await, [0, 2]);
    assert_eq!(matching(initech, "user.created").await, [0, 3]);
    app.stop().await;
}
