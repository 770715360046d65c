//! The authorization matrix, generated from the OpenAPI document: every `/api/v1` operation
//! is called with no credential, a malformed one, a revoked API key and an expired session
//! token (all 401), with a read-only key (403 on writes), and with credentials of another
//! tenant — a tenant-restricted key and an IT-admin session — against tenant A's objects
//! (404, or 403 for operator-only routes; never data). A route whose path parameters have no
//! fixture, or whose body has no sample, fails the test: new routes join the matrix.

mod support;

use reqwest::Method;
use roster_domain::ids::TenantId;
use roster_domain::services::{ApiKeyScope, NewAccount};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::routes::{SIGNING_KEY as KEY, concrete, keyed, operations, sample_body, world};
use support::{Options, TestApp};

/// Routes anyone may call (they take credentials in the body).
const PUBLIC: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/setup-links/redeem",
];
/// Routes about the caller's own session: an API key gets a 400, a read-only key is no issue.
const OWN_SESSION: &[&str] = &["/api/v1/auth/logout", "/api/v1/auth/me"];

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
    let doc = support::routes::document();
    let mut checked = 0;
    for operation in operations(&doc, "/api/v1/") {
        let (method, path) = (operation.method.as_str(), operation.path.as_str());
        if PUBLIC.contains(&path) {
            continue;
        }
        let route = operation.route();
        let body = match (operation.takes_body(), sample_body(method, path)) {
            (true, None) => panic!("{route} takes a body: add a sample to sample_body()"),
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
        if OWN_SESSION.contains(&path) {
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
