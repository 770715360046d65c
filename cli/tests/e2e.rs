//! The end-to-end path: SCIM write → outbox → relay → bus → signed webhook, on the backend
//! selected by `ROSTER_TEST_BACKEND`.

mod support;

use roster_domain::entities::{delivery, event};
use roster_domain::ids::{ConnectionId, TenantId};
use roster_domain::services::NewEndpoint;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Receiver, TestApp, wait_for};

const SCIM: &str = "application/scim+json";

struct Fixture {
    tenant: TenantId,
    connection: ConnectionId,
    token: String,
    secret: String,
}

async fn fixture(app: &TestApp, receiver: &Receiver, event_types: &[&str]) -> Fixture {
    let svc = &app.svc;
    let tenant = svc.create_tenant("Acme", Some("org_42")).await.unwrap();
    let conn = svc.create_connection(tenant.id, "", "okta").await.unwrap();
    let token = svc.issue_scim_token(conn.id, None).await.unwrap();
    let (_, secret) = svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            description: "test".into(),
            event_types: event_types.iter().map(|s| s.to_string()).collect(),
            tenant_id: None,
            ..Default::default()
        })
        .await
        .unwrap();
    Fixture {
        tenant: tenant.id,
        connection: conn.id,
        token: token.token,
        secret,
    }
}

fn users_url(app: &TestApp, connection: ConnectionId) -> String {
    format!("{}/scim/v2/{connection}/Users", app.base_url)
}

async fn post_user(app: &TestApp, f: &Fixture, body: Value) -> reqwest::Response {
    app.http
        .post(users_url(app, f.connection))
        .bearer_auth(&f.token)
        .header("content-type", SCIM)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_user_is_delivered_once_signed_and_attributed() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let f = fixture(&app, &receiver, &["user.*"]).await;

    let res = post_user(
        &app,
        &f,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ada@example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "active": true
        }),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(SCIM)
    );
    assert_eq!(res.headers()["etag"], "W/\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    let user_id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("{}/{user_id}", users_url(&app, f.connection))
    );
    assert_eq!(created["meta"]["location"], location.as_str());

    let fetched = app
        .http
        .get(&location)
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched, created);

    let deliveries = wait_for(
        "the delivery to succeed",
        Duration::from_secs(30),
        || async {
            let rows = delivery::Entity::find().all(&app.svc.db).await.unwrap();
            rows.iter()
                .all(|d| d.status == "succeeded")
                .then_some(rows)
                .filter(|r| !r.is_empty())
        },
    )
    .await;
    assert_eq!(deliveries.len(), 1, "one event type matched: user.created");
    assert_eq!(deliveries[0].attempts, 1);

    let received = receiver.received();
    assert_eq!(received.len(), 1, "exactly one webhook");
    let hook = &received[0];
    hook.verify(&f.secret)
        .expect("the Standard Webhooks Rust library verifies the signature");
    let payload = hook.json();
    assert_eq!(payload["type"], "user.created");
    assert_eq!(payload["tenant_id"], f.tenant.to_string());
    assert_eq!(payload["tenant_external_id"], "org_42");
    assert_eq!(payload["connection_id"], f.connection.to_string());
    assert_eq!(payload["data"]["id"], user_id.as_str());
    assert_eq!(payload["data"]["user_name"], "ada@example.com");
    assert_eq!(payload["data"]["first_name"], "Ada");
    assert_eq!(payload["data"]["emails"][0]["primary"], true);
    assert_eq!(payload["data"]["raw"]["id"], user_id.as_str());
    assert_eq!(hook.headers["webhook-id"], payload["id"].as_str().unwrap());
    // connection.activated (first request) took sequence 1.
    assert_eq!(payload["sequence"], 2);

    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_request_activates_the_connection_once() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let f = fixture(&app, &receiver, &["connection.*"]).await;
    assert_eq!(
        app.svc.get_connection(f.connection).await.unwrap().state,
        "pending"
    );

    for name in ["a@x.test", "b@x.test"] {
        let res = post_user(&app, &f, json!({"userName": name})).await;
        assert_eq!(res.status(), 201);
    }
    let conn = app.svc.get_connection(f.connection).await.unwrap();
    assert_eq!(conn.state, "active");
    assert!(conn.last_request_at.is_some());

    let hook = wait_for("connection.activated", Duration::from_secs(30), || async {
        receiver.received().into_iter().next()
    })
    .await;
    let payload = hook.json();
    assert_eq!(payload["type"], "connection.activated");
    assert_eq!(payload["sequence"], 1);
    let activations = event::Entity::find()
        .filter(event::Column::EventType.eq("connection.activated"))
        .count(&app.svc.db)
        .await
        .unwrap();
    assert_eq!(activations, 1);

    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_user_name_is_a_scim_conflict_and_writes_nothing() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let f = fixture(&app, &receiver, &["*"]).await;

    assert_eq!(
        post_user(&app, &f, json!({"userName": "Bob@Example.com"}))
            .await
            .status(),
        201
    );
    let events_before = event::Entity::find().count(&app.svc.db).await.unwrap();

    let res = post_user(&app, &f, json!({"userName": "bob@example.COM"})).await;
    assert_eq!(res.status(), 409);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(SCIM)
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "409");
    assert_eq!(body["scimType"], "uniqueness");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );

    let events_after = event::Entity::find().count(&app.svc.db).await.unwrap();
    assert_eq!(
        events_before, events_after,
        "a rejected create emits no event"
    );

    for (body, content_type, status, scim_type) in [
        ("{not json", SCIM, 400, Some("invalidSyntax")),
        (r#"{"name": {}}"#, SCIM, 400, Some("invalidValue")),
        (
            r#"{"userName": "c", "active": "perhaps"}"#,
            "application/json",
            400,
            Some("invalidValue"),
        ),
        (r#"{"userName": "c"}"#, "text/plain", 415, None),
    ] {
        let res = app
            .http
            .post(users_url(&app, f.connection))
            .bearer_auth(&f.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["status"], status.to_string());
        assert_eq!(err["scimType"].as_str(), scim_type, "{body}");
    }
    let oversized = json!({"userName": "big", "x": "y".repeat(2 * 1024 * 1024)});
    assert_eq!(post_user(&app, &f, oversized).await.status(), 413);
    assert_eq!(
        event::Entity::find().count(&app.svc.db).await.unwrap(),
        events_after
    );

    receiver.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_only_open_their_own_connection() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let a = fixture(&app, &receiver, &["*"]).await;
    let b = fixture_second_tenant(&app).await;

    let created: Value = post_user(&app, &a, json!({"userName": "alice"}))
        .await
        .json()
        .await
        .unwrap();
    let user_url = format!(
        "{}/{}",
        users_url(&app, a.connection),
        created["id"].as_str().unwrap()
    );

    let expect_401 = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 401);
        assert!(res.headers().contains_key("www-authenticate"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "401");
    };
    // No token, a malformed header, an unknown token.
    expect_401(app.http.get(&user_url).send().await.unwrap()).await;
    expect_401(
        app.http
            .get(&user_url)
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    expect_401(
        app.http
            .get(&user_url)
            .bearer_auth("scim_unknown")
            .send()
            .await
            .unwrap(),
    )
    .await;
    // B's valid token on A's connection: 401, no hint that A's connection exists.
    expect_401(
        app.http
            .get(&user_url)
            .bearer_auth(&b.1)
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A non-UUID connection id in the path.
    let bad = format!("{}/scim/v2/not-a-uuid/Users/x", app.base_url);
    expect_401(
        app.http
            .get(&bad)
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap(),
    )
    .await;

    // B's token on B's connection cannot see A's user: 404.
    let other = user_url.replace(&a.connection.to_string(), &b.0.to_string());
    let res = app.http.get(&other).bearer_auth(&b.1).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "404");
    // An unknown or malformed user id in one's own connection: 404 too.
    for id in ["01a1f0e4-0000-7000-8000-000000000000", "nope"] {
        let url = format!("{}/{id}", users_url(&app, a.connection));
        assert_eq!(
            app.http
                .get(&url)
                .bearer_auth(&a.token)
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }

    // An expired token.
    let expired = app
        .svc
        .issue_scim_token(a.connection, Some(chrono::Duration::seconds(-1)))
        .await
        .unwrap();
    expect_401(
        app.http
            .get(&user_url)
            .bearer_auth(&expired.token)
            .send()
            .await
            .unwrap(),
    )
    .await;

    receiver.stop().await;
    app.stop().await;
}

async fn fixture_second_tenant(app: &TestApp) -> (ConnectionId, String) {
    let tenant = app.svc.create_tenant("Globex", None).await.unwrap();
    let conn = app
        .svc
        .create_connection(tenant.id, "", "entra")
        .await
        .unwrap();
    let token = app.svc.issue_scim_token(conn.id, None).await.unwrap();
    (conn.id, token.token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_names_the_backends_in_use() {
    let app = TestApp::start().await;
    let res = app
        .http
        .get(format!("{}/readyz", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = match support::backend() {
        support::Backend::Embedded => ["sqlite", "memory", "in-process"],
        support::Backend::Services => ["postgres", "redis", "rabbitmq"],
    };
    assert_eq!(body["checks"]["database"]["backend"], expected[0]);
    assert_eq!(body["checks"]["cache"]["backend"], expected[1]);
    assert_eq!(body["checks"]["event_bus"]["backend"], expected[2]);

    let health: Value = app
        .http
        .get(format!("{}/healthz", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");

    let spec: Value = app
        .http
        .get(format!("{}/openapi.json", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/scim/v2/{connection_id}/Users"]["post"].is_object());
    let docs = app
        .http
        .get(format!("{}/docs/", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui"));
    let res = app
        .http
        .get(format!(
            "{}/scim/v2/{}/Nope",
            app.base_url,
            uuid::Uuid::nil()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["status"], "404",
        "unknown SCIM routes answer with a SCIM error body"
    );
    app.stop().await;
}
