//! The HTTP edge: security headers on every response, CORS closed unless origins are
//! configured, and request bodies size-limited in each API's error format.

mod support;

use roster_domain::services::ApiKeyScope;
use support::api::{Api, assert_problem};
use support::scim::connect;
use support::{Options, TestApp};

/// A request with a body of `content_type` as given (not necessarily valid JSON).
async fn post_raw(
    app: &TestApp,
    url: &str,
    bearer: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let req = app.http.post(url).bearer_auth(bearer);
    let req = req.header("Content-Type", content_type).body(body);
    req.send().await.unwrap()
}

async fn get_raw(app: &TestApp, url: &str, bearer: &str) -> reqwest::Response {
    app.http.get(url).bearer_auth(bearer).send().await.unwrap()
}

fn open_to_app(config: &mut roster_domain::Config) {
    config.cors_allowed_origins = vec!["https://app.example.com".into()];
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/tenants", app.base_url),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_and_closed_cors_by_default() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let res = api.get("/tenants").await;
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(res.headers[name], value, "{name}");
    }
    let s = connect(&app, "Acme", "okta").await;
    let scim = get_raw(&app, &format!("{}/Users", s.base), &s.token).await;
    assert_eq!(scim.headers()["x-content-type-options"], "nosniff");

    let res = preflight(&app, "https://evil.example").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = api.get("/tenants").await;
    assert!(res.headers.get("access-control-allow-origin").is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_origins_and_only_those_may_call_cross_origin() {
    let app = TestApp::start_with(Options {
        configure: Some(open_to_app),
        ..Default::default()
    })
    .await;
    let ok = preflight(&app, "https://app.example.com").await;
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(methods.contains("POST"), "{methods}");
    let other = preflight(&app, "https://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_in_each_apis_format() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let res = app
        .http
        .post(format!("{}/api/v1/tenants", app.base_url))
        .bearer_auth(&api.key)
        .header("Content-Type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let s = connect(&app, "Acme", "okta").await;
    let res = post_raw(
        &app,
        &format!("{}/Users", s.base),
        &s.token,
        "application/scim+json",
        big,
    )
    .await;
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "413");
    // Nothing was written.
    assert_problem(
        &api.get("/tenants/0196b5b0-0000-7000-8000-000000000000")
            .await,
        404,
        "not-found",
    );
    assert_eq!(
        api.get("/tenants").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_postgres_cannot_store_is_refused_alike_on_both_backends() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let nul_body = r#"{"name": "a\u0000b"}"#;
    let res = post_raw(
        &app,
        &format!("{}/api/v1/tenants", app.base_url),
        &api.key,
        "application/json",
        nul_body,
    )
    .await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_problem(&api.get("/tenants?search=a%00b").await, 400, "validation");
    // An escaped backslash before `u0000` is ordinary text.
    let res = post_raw(
        &app,
        &format!("{}/api/v1/tenants", app.base_url),
        &api.key,
        "application/json",
        r#"{"name": "a\\u0000b"}"#,
    )
    .await;
    assert_eq!(res.status(), 201);

    let s = connect(&app, "Acme", "okta").await;
    for body in [
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x\u0000"}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "big", "x": -1.7976931348623155e308}"#,
    ] {
        let res = post_raw(
            &app,
            &format!("{}/Users", s.base),
            &s.token,
            "application/scim+json",
            body,
        )
        .await;
        assert_eq!(res.status(), 400, "{body}");
        let err: serde_json::Value = res.json().await.unwrap();
        assert_eq!(err["scimType"], "invalidValue", "{err}");
    }
    let res = get_raw(
        &app,
        &format!("{}/Users?filter=userName%20eq%20%22%00%22", s.base),
        &s.token,
    )
    .await;
    assert_eq!(res.status(), 400);
    // The connection still lists fine: nothing was stored.
    let list = get_raw(&app, &format!("{}/Users", s.base), &s.token).await;
    assert_eq!(list.status(), 200);
    app.stop().await;
}
