//! Sessions: login (throttled), JWT access tokens checked against a live session, rotating
//! refresh tokens with reuse detection, logout and revocation at once on every instance,
//! signing-key rotation, operator versus tenant-admin reach, accounts through the API.

mod support;

use reqwest::Method;
use roster_domain::Services;
use roster_domain::services::{ApiKeyScope, NewAccount};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::api::{Api, Res, assert_problem, post_anonymous};
use support::{Options, TestApp};

const KEY: &str = "current-signing-key-for-tests-0123456789";
const OLD_KEY: &str = "previous-signing-key-for-tests-0123456789";

fn keys(config: &mut roster_domain::Config) {
    config.auth.jwt_signing_key = Some(KEY.into());
    config.auth.jwt_previous_keys = vec![OLD_KEY.into()];
    config.auth.login_failures_per_account = 3;
    config.auth.login_failures_per_ip = 5;
}

async fn app() -> TestApp {
    TestApp::start_with(Options {
        configure: Some(keys),
        ..Default::default()
    })
    .await
}

async fn account(app: &TestApp, email: &str, tenant: Option<roster_domain::ids::TenantId>) {
    let role = if tenant.is_some() {
        "tenant_admin"
    } else {
        "operator"
    };
    app.svc
        .create_account(NewAccount {
            email: email.into(),
            password: "correct horse battery".into(),
            role: role.into(),
            tenant_id: tenant,
        })
        .await
        .unwrap();
}

async fn post(app: &TestApp, path: &str, body: Value) -> Res {
    post_anonymous(app, path, body).await
}

async fn login(app: &TestApp, email: &str, password: &str) -> Res {
    post(
        app,
        "/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
}

/// A client with the session's access token as its bearer.
fn as_session<'a>(app: &'a TestApp, tokens: &Value) -> Api<'a> {
    Api {
        app,
        key: tokens["access_token"].as_str().unwrap().to_string(),
    }
}

fn kid(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..12].to_string()
}

/// An access token for session `sid`, signed with `key`, expiring at `exp`.
fn forge(key: &str, sid: &str, exp: i64) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid(key));
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "x", "sid": sid, "iss": "roster", "aud": "roster-api", "iat": now, "exp": exp});
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refresh_and_logout() {
    let app = app().await;
    account(&app, "Ops@App.test", None).await;
    let res = login(&app, "ops@app.test", "correct horse battery").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.headers["cache-control"], "no-store");
    let tokens = res.body;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["session"]["role"], "operator");
    assert!(tokens["expires_in"].as_u64().unwrap() > 800);
    let ops = as_session(&app, &tokens);
    assert_eq!(ops.get("/auth/me").await.body["label"], "ops@app.test");
    assert_eq!(ops.get("/tenants").await.status, 200);

    // Refresh: new tokens; the old refresh token is spent, and presenting it again (a copy)
    // revokes the session, new tokens included.
    let old_refresh = tokens["refresh_token"].as_str().unwrap();
    let refreshed = post(&app, "/auth/refresh", json!({"refresh_token": old_refresh})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let newer = as_session(&app, &refreshed.body);
    assert_eq!(newer.get("/auth/me").await.status, 200);
    let replay = post(&app, "/auth/refresh", json!({"refresh_token": old_refresh})).await;
    assert_problem(&replay, 401, "unauthorized");
    assert!(
        replay.body["detail"]
            .as_str()
            .unwrap()
            .contains("already used")
    );
    assert_problem(&newer.get("/auth/me").await, 401, "unauthorized");
    let spent = refreshed.body["refresh_token"].as_str().unwrap();
    assert_problem(
        &post(&app, "/auth/refresh", json!({"refresh_token": spent})).await,
        401,
        "unauthorized",
    );
    assert_problem(
        &post(&app, "/auth/refresh", json!({"refresh_token": "garbage"})).await,
        401,
        "unauthorized",
    );

    // Logout ends the session at once, here and on another instance sharing the cache.
    let fresh = login(&app, "ops@app.test", "correct horse battery")
        .await
        .body;
    let session = as_session(&app, &fresh);
    let other = Services::start(app.svc.config.as_ref().clone(), false)
        .await
        .unwrap();
    assert!(other.authenticate_session(&session.key).await.is_ok());
    assert_eq!(
        session
            .send(Method::POST, "/auth/logout", None)
            .await
            .status,
        204
    );
    assert_problem(&session.get("/tenants").await, 401, "unauthorized");
    if support::backend() == support::Backend::Services {
        assert!(other.authenticate_session(&session.key).await.is_err());
    }
    let refresh = fresh["refresh_token"].as_str().unwrap();
    assert_problem(
        &post(&app, "/auth/refresh", json!({"refresh_token": refresh})).await,
        401,
        "unauthorized",
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    let app = app().await;
    account(&app, "alice@app.test", None).await;
    account(&app, "bob@app.test", None).await;
    // Unknown email and wrong password: the same answer.
    let unknown = login(&app, "nobody@app.test", "whatever whatever").await;
    assert_problem(&unknown, 401, "unauthorized");
    let wrong = login(&app, "alice@app.test", "wrong password!").await;
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    login(&app, "alice@app.test", "wrong password!").await;
    login(&app, "alice@app.test", "wrong password!").await;
    // Three failures for alice: even the right password waits now.
    let throttled = login(&app, "alice@app.test", "correct horse battery").await;
    assert_problem(&throttled, 429, "rate-limited");
    let retry: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Bob is another account, but this address has failed 4 times; one more reaches 5.
    assert_eq!(
        login(&app, "bob@app.test", "correct horse battery")
            .await
            .status,
        200
    );
    login(&app, "bob@app.test", "wrong password!").await;
    assert_problem(
        &login(&app, "bob@app.test", "correct horse battery").await,
        429,
        "rate-limited",
    );
    assert_problem(
        &post(&app, "/auth/login", json!({"email": "x"})).await,
        400,
        "validation",
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_foreign_and_rotated_tokens() {
    let app = app().await;
    account(&app, "ops@app.test", None).await;
    let tokens = login(&app, "ops@app.test", "correct horse battery")
        .await
        .body;
    let sid = tokens["session"]["session_id"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp();
    let with = |token: String| Api {
        app: &app,
        key: token,
    };

    // Signed with the previous key (still configured to verify): accepted.
    assert_eq!(
        with(forge(OLD_KEY, sid, now + 300))
            .get("/tenants")
            .await
            .status,
        200
    );
    // Expired: refused with a hint to refresh.
    let expired = with(forge(KEY, sid, now - 60)).get("/tenants").await;
    assert_problem(&expired, 401, "unauthorized");
    assert!(
        expired.body["detail"].as_str().unwrap().contains("expired"),
        "{}",
        expired.body
    );
    // A key that is not (or no longer) configured, and a forged signature under a known kid.
    let foreign = with(forge(
        "some-other-key-that-is-long-enough-000",
        sid,
        now + 300,
    ))
    .get("/tenants")
    .await;
    assert_problem(&foreign, 401, "unauthorized");
    // Change a character well inside the signature (the last one may only carry padding).
    let mut tampered = forge(KEY, sid, now + 300).into_bytes();
    let at = tampered.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_problem(&with(tampered).get("/tenants").await, 401, "unauthorized");
    // A well-signed token for a session that does not exist.
    let ghost = forge(KEY, "0196b5b0-0000-7000-8000-000000000000", now + 300);
    assert_problem(&with(ghost).get("/tenants").await, 401, "unauthorized");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_admins_see_their_tenant_only_and_operators_manage_accounts() {
    let app = app().await;
    let mine = app.svc.create_tenant("Mine", None).await.unwrap();
    let theirs = app.svc.create_tenant("Theirs", None).await.unwrap();
    account(&app, "ops@app.test", None).await;
    account(&app, "it@mine.test", Some(mine.id)).await;
    let admin = login(&app, "it@mine.test", "correct horse battery")
        .await
        .body;
    assert_eq!(admin["session"]["role"], "tenant_admin");
    let admin = as_session(&app, &admin);
    assert_eq!(
        admin.get(&format!("/tenants/{}", mine.id)).await.status,
        200
    );
    assert_problem(
        &admin.get(&format!("/tenants/{}", theirs.id)).await,
        404,
        "not-found",
    );
    let conn = admin
        .send(
            Method::POST,
            &format!("/tenants/{}/connections", mine.id),
            Some(json!({"provider": "okta"})),
        )
        .await;
    assert_eq!(conn.status, 201, "{}", conn.body);
    for path in [
        "/endpoints",
        "/events",
        "/api-keys",
        "/accounts",
        "/audit-log",
    ] {
        assert_problem(&admin.get(path).await, 403, "forbidden");
    }

    let ops = as_session(
        &app,
        &login(&app, "ops@app.test", "correct horse battery")
            .await
            .body,
    );
    let created = ops
        .send(Method::POST, "/accounts", Some(json!({"email": "new@theirs.test", "password": "long enough password", "role": "tenant_admin", "tenant_id": theirs.id})))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let short = ops
        .send(
            Method::POST,
            "/accounts",
            Some(json!({"email": "x@y.test", "password": "short", "role": "operator"})),
        )
        .await;
    assert_problem(&short, 400, "validation");
    let listed = ops.get("/accounts").await.body;
    assert_eq!(listed.as_array().unwrap().len(), 3);

    // A new password ends the account's sessions; deleting the account too.
    let new_id = created.body["id"].as_str().unwrap();
    let theirs_admin = as_session(
        &app,
        &login(&app, "new@theirs.test", "long enough password")
            .await
            .body,
    );
    assert_eq!(theirs_admin.get("/auth/me").await.status, 200);
    let changed = ops
        .send(
            Method::POST,
            &format!("/accounts/{new_id}/password"),
            Some(json!({"password": "another long password"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_problem(&theirs_admin.get("/auth/me").await, 401, "unauthorized");
    assert_problem(
        &login(&app, "new@theirs.test", "long enough password").await,
        401,
        "unauthorized",
    );
    let again = as_session(
        &app,
        &login(&app, "new@theirs.test", "another long password")
            .await
            .body,
    );
    assert_eq!(
        ops.send(Method::DELETE, &format!("/accounts/{new_id}"), None)
            .await
            .status,
        204
    );
    assert_problem(&again.get("/auth/me").await, 401, "unauthorized");

    // A read-only API key cannot manage accounts.
    let reader = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let res = reader
        .send(Method::POST, "/accounts", Some(json!({"email": "r@y.test", "password": "long enough password", "role": "operator"})))
        .await;
    assert_problem(&res, 403, "forbidden");
    app.stop().await;
}
