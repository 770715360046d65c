//! The authorization matrix, generated from the OpenAPI document: every `/api/v1` operation
//! is called with no credential, a malformed one, a revoked API key and an expired session
//! token (all 401), with a read-only key (403 on writes), and with credentials of another
//! tenant — a tenant-restricted key and an IT-admin session — against tenant A's objects
//! (404, or 403 for operator-only routes; never data). A route whose path parameters have no
//! fixture, or whose body has no sample, fails the test: new routes join the matrix.

mod support;

use reqwest::Method;
use roster_domain::ids::TenantId;
use roster_domain::services::{ApiKeyScope, NewAccount, NewEndpoint, NewSetupLink};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;
use support::scim::{Scim, connect};
use support::{Options, TestApp, wait_for};

const KEY: &str = "matrix-signing-key-0123456789-0123456789";

fn keyed(config: &mut roster_domain::Config) {
    config.auth.jwt_signing_key = Some(KEY.into());
}

/// Routes anyone may call (they take credentials in the body).
const PUBLIC: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/setup-links/redeem",
];
/// Routes about the caller's own session: an API key gets a 400, a read-only key is no issue.
const OWN_SESSION: &[&str] = &["/api/v1/auth/logout", "/api/v1/auth/me"];

/// A valid body for every operation that takes one (authorization is decided after the body
/// parses, so it must parse).
fn sample_body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/api/v1/accounts") => {
            json!({"email": "m@x.test", "password": "long enough password", "role": "operator"})
        }
        ("post", "/api/v1/accounts/{account_id}/password") => {
            json!({"password": "long enough password"})
        }
        ("post", "/api/v1/api-keys") => json!({"name": "m", "scope": "full"}),
        ("patch", "/api/v1/connections/{connection_id}") => json!({"name": "renamed"}),
        ("post", "/api/v1/connections/{connection_id}/scim-tokens") => json!({}),
        ("post", "/api/v1/endpoints") => json!({"url": "http://127.0.0.1:9/m"}),
        ("patch", "/api/v1/endpoints/{endpoint_id}") => json!({"description": "x"}),
        ("post", "/api/v1/endpoints/{endpoint_id}/disable") => json!({}),
        ("post", "/api/v1/endpoints/{endpoint_id}/recover") => {
            json!({"since": "2020-01-01T00:00:00Z"})
        }
        ("post", "/api/v1/endpoints/{endpoint_id}/secret/rotate") => json!({}),
        ("post", "/api/v1/tenants") => json!({"name": "m"}),
        ("patch", "/api/v1/tenants/{tenant_id}") => json!({"name": "m"}),
        ("post", "/api/v1/tenants/{tenant_id}/connections") => json!({"provider": "okta"}),
        ("post", "/api/v1/tenants/{tenant_id}/setup-links") => json!({}),
        _ => return None,
    })
}

struct World {
    /// Tenant A's object for each path parameter.
    ids: HashMap<&'static str, String>,
}

async fn world(app: &TestApp) -> World {
    let s: Scim<'_> = connect(app, "Tenant A", "okta").await;
    let connection = support::api::connection_of(&s);
    let tenant = app.svc.get_connection(connection).await.unwrap().tenant_id;
    let user = s
        .ok(Method::POST, "/Users", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@a.test"})))
        .await;
    let group = s
        .ok(Method::POST, "/Groups", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "A"})))
        .await;
    let (endpoint, _) = app
        .svc
        .create_endpoint(NewEndpoint {
            url: "http://127.0.0.1:9/hook".into(),
            description: String::new(),
            event_types: vec!["*".into()],
            tenant_id: Some(tenant),
            ordered: false,
            max_concurrency: None,
            rate_limit_per_sec: None,
        })
        .await
        .unwrap();
    s.ok(Method::POST, "/Users", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b@a.test"})))
        .await;
    let delivery = wait_for(
        "a delivery to tenant A's endpoint",
        Duration::from_secs(20),
        || async {
            let slice = app
                .svc
                .list_deliveries(endpoint.id, None, None, None, 1)
                .await
                .unwrap();
            slice.items.first().map(|d| (d.id, d.event_id))
        },
    )
    .await;
    let token = app.svc.issue_scim_token(connection, None).await.unwrap();
    let key = app
        .svc
        .create_api_key("a", ApiKeyScope::Full, Some(tenant))
        .await
        .unwrap();
    let account = app
        .svc
        .create_account(NewAccount {
            email: "admin@a.test".into(),
            password: "long enough password".into(),
            role: "tenant_admin".into(),
            tenant_id: Some(tenant),
        })
        .await
        .unwrap();
    let link = app
        .svc
        .create_setup_link(
            tenant,
            roster_domain::ids::TenantScope::All,
            NewSetupLink {
                expires_in_hours: 1,
                single_use: true,
                return_url: None,
            },
        )
        .await
        .unwrap();
    let ids = HashMap::from([
        ("tenant_id", tenant.to_string()),
        ("connection_id", connection.to_string()),
        ("user_id", user["id"].as_str().unwrap().to_string()),
        ("group_id", group["id"].as_str().unwrap().to_string()),
        ("endpoint_id", endpoint.id.to_string()),
        ("delivery_id", delivery.0.to_string()),
        ("event_id", delivery.1.to_string()),
        ("token_id", token.id.to_string()),
        ("api_key_id", key.key.id.to_string()),
        ("account_id", account.id.to_string()),
        ("setup_link_id", link.link.id.to_string()),
    ]);
    World { ids }
}

fn concrete(path: &str, world: &World) -> String {
    let mut out = path.to_string();
    for (param, id) in &world.ids {
        out = out.replace(&format!("{{{param}}}"), id);
    }
    assert!(
        !out.contains('{'),
        "no fixture for a path parameter of {path}: add it to world()"
    );
    out
}

fn expired_session_token() -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(hex::encode(Sha256::digest(KEY.as_bytes()))[..12].to_string());
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "x", "sid": uuid::Uuid::now_v7(), "iss": "roster", "aud": "roster-api", "iat": now - 3600, "exp": now - 600});
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(KEY.as_bytes()),
    )
    .unwrap()
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &Option<Value>,
) -> (u16, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = app.http.request(method, format!("{}{path}", app.base_url));
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = support::api::read(req).await;
    (res.status, res.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_whoever_may_not_use_it() {
    let app = TestApp::start_with(Options {
        configure: Some(keyed),
        ..Default::default()
    })
    .await;
    let world = world(&app).await;
    let tenant_b = app.svc.create_tenant("Tenant B", None).await.unwrap();
    let revoked = app
        .svc
        .create_api_key("gone", ApiKeyScope::Full, None)
        .await
        .unwrap();
    app.svc.revoke_api_key(revoked.key.id, None).await.unwrap();
    let reader = app
        .svc
        .create_api_key("reader", ApiKeyScope::ReadOnly, None)
        .await
        .unwrap();
    let key_b = app
        .svc
        .create_api_key("b", ApiKeyScope::Full, Some(tenant_b.id))
        .await
        .unwrap();
    app.svc
        .create_account(NewAccount {
            email: "admin@b.test".into(),
            password: "long enough password".into(),
            role: "tenant_admin".into(),
            tenant_id: Some(tenant_b.id),
        })
        .await
        .unwrap();
    let admin_b = app
        .svc
        .login("admin@b.test", "long enough password", "127.0.0.1")
        .await
        .unwrap();
    let _: TenantId = tenant_b.id;

    let refused = [
        ("no credential", None),
        ("malformed", Some("Bearer not-a-credential".to_string())),
        (
            "revoked API key",
            Some(format!("Bearer {}", revoked.secret)),
        ),
        (
            "expired session",
            Some(format!("Bearer {}", expired_session_token())),
        ),
    ];
    let doc = serde_json::to_value(roster_api::openapi::document()).unwrap();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        if PUBLIC.contains(&path.as_str()) {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let route = format!("{} {path}", method.to_uppercase());
            let body = match (op.get("requestBody"), sample_body(method, path)) {
                (Some(_), None) => panic!("{route} takes a body: add a sample to sample_body()"),
                (_, body) => body,
            };
            let target = concrete(path, &world);
            for (what, auth) in &refused {
                let (status, res) = call(&app, method, &target, auth.as_deref(), &body).await;
                assert_eq!(status, 401, "{route} with {what}: {res}");
                assert_eq!(
                    res["type"], "https://roster.dev/problems/unauthorized",
                    "{route}"
                );
            }
            if OWN_SESSION.contains(&path.as_str()) {
                checked += 1;
                continue;
            }
            if method != "get" {
                let (status, res) = call(
                    &app,
                    method,
                    &target,
                    Some(&format!("Bearer {}", reader.secret)),
                    &body,
                )
                .await;
                assert_eq!(status, 403, "{route} with a read-only key: {res}");
            }
            if path.contains('{') {
                for (who, auth) in [
                    ("tenant B's key", format!("Bearer {}", key_b.secret)),
                    (
                        "tenant B's IT admin",
                        format!("Bearer {}", admin_b.access_token),
                    ),
                ] {
                    let (status, res) = call(&app, method, &target, Some(&auth), &body).await;
                    assert!(
                        status == 404 || status == 403,
                        "{route} as {who} against tenant A: {status} {res}"
                    );
                    assert!(
                        res.get("data").is_none() && res.get("id").is_none(),
                        "{route}: {res}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} operations checked");
    // Authentication comes before anything else: a broken body without a credential is a 401.
    let res = app
        .http
        .post(format!("{}/api/v1/tenants", app.base_url))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Nothing of tenant A was changed by the refused calls.
    let tenant_a: TenantId = world.ids["tenant_id"].parse().unwrap();
    assert_eq!(app.svc.get_tenant(tenant_a).await.unwrap().name, "Tenant A");
    app.stop().await;
}
