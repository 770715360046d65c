//! Management API: tenants, connections, SCIM tokens and API keys through `/api/v1`, as an
//! app's backend uses them — validation problems, pagination, tenant restriction (another
//! tenant's objects are 404), read-only keys (403), and the effects that matter: a revoked
//! token is refused at once, deleting a tenant emits a `connection.deleted` per connection.

mod support;

use reqwest::Method;
use roster_domain::Services;
use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use support::TestApp;
use support::api::{Api, Res, assert_problem};
use support::scim::events_after;

async fn created(api: &Api<'_>, path: &str, body: Value) -> Value {
    let res = api.send(Method::POST, path, Some(body)).await;
    assert_eq!(res.status, 201, "{path}: {}", res.body);
    res.body
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

async fn scim_status(app: &TestApp, base: &str, token: &str) -> u16 {
    app.http
        .get(format!("{base}/Users"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_created_searched_paged_updated_and_validated() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let acme = created(
        &api,
        "/tenants",
        json!({"name": "Acme Corp", "external_id": "org_1"}),
    )
    .await;
    assert_eq!(acme["name"], "Acme Corp");
    assert_eq!(acme["external_id"], "org_1");
    for name in ["Globex", "Initech", "acme labs"] {
        created(&api, "/tenants", json!({"name": name})).await;
    }
    // The external id is unique.
    let dup = api
        .send(
            Method::POST,
            "/tenants",
            Some(json!({"name": "X", "external_id": "org_1"})),
        )
        .await;
    assert_problem(&dup, 409, "conflict");
    for bad in [
        json!({"name": ""}),
        json!({"name": "x".repeat(201)}),
        json!({"nme": "x"}),
    ] {
        let res = api.send(Method::POST, "/tenants", Some(bad)).await;
        assert_problem(&res, 400, "validation");
    }

    // Search: part of the name, any case (LIKE wildcards are literal), or the external id.
    let names = |res: Res| -> Vec<String> {
        assert_eq!(res.status, 200, "{}", res.body);
        let data = res.body["data"].as_array().unwrap().clone();
        data.iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(api.get("/tenants?search=ACME").await),
        ["Acme Corp", "acme labs"]
    );
    assert_eq!(names(api.get("/tenants?search=org_1").await), ["Acme Corp"]);
    assert!(names(api.get("/tenants?search=%25").await).is_empty());

    // Pages of two: every tenant once, in creation order.
    let mut seen = Vec::new();
    let mut path = "/tenants?limit=2".to_string();
    loop {
        let res = api.get(&path).await;
        let cursor = res.body["next_cursor"].as_str().map(str::to_string);
        seen.extend(names(res));
        match cursor {
            Some(c) => path = format!("/tenants?limit=2&after={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Acme Corp", "Globex", "Initech", "acme labs"]);

    // Rename; `null` clears the external id; absent fields are kept.
    let path = format!("/tenants/{}", id(&acme));
    let res = api
        .send(Method::PATCH, &path, Some(json!({"name": "Acme Inc"})))
        .await;
    assert_eq!(
        (res.body["name"].as_str(), res.body["external_id"].as_str()),
        (Some("Acme Inc"), Some("org_1"))
    );
    let res = api
        .send(Method::PATCH, &path, Some(json!({"external_id": null})))
        .await;
    assert_eq!(res.body["external_id"], Value::Null);
    assert_eq!(api.get(&path).await.body["name"], "Acme Inc");
    assert_problem(
        &api.get("/tenants/0196b5b0-0000-7000-8000-000000000000")
            .await,
        404,
        "not-found",
    );
    assert_problem(&api.get("/tenants/not-a-uuid").await, 400, "validation");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_show_their_state_activity_and_directory_size() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let tenant = created(&api, "/tenants", json!({"name": "Acme"})).await;
    let tenant_path = format!("/tenants/{}/connections", id(&tenant));
    let bad = api
        .send(
            Method::POST,
            &tenant_path,
            Some(json!({"provider": "ldap"})),
        )
        .await;
    assert_problem(&bad, 400, "validation");
    let conn = created(&api, &tenant_path, json!({"provider": "okta"})).await;
    assert_eq!(conn["state"], "pending");
    assert_eq!(conn["name"], "Acme okta");
    assert_eq!(
        (conn["user_count"].as_u64(), conn["group_count"].as_u64()),
        (Some(0), Some(0))
    );
    let base = conn["scim_base_url"].as_str().unwrap().to_string();
    assert!(base.ends_with(&format!("/scim/v2/{}", id(&conn))), "{base}");
    created(
        &api,
        &tenant_path,
        json!({"provider": "entra", "name": "Entra EU"}),
    )
    .await;

    // The IdP's first request activates it; users and groups are counted.
    let conn_path = format!("/connections/{}", id(&conn));
    let token = created(&api, &format!("{conn_path}/scim-tokens"), json!({})).await;
    let secret = token["token"].as_str().unwrap();
    for (path, body) in [
        (
            "/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@acme.test"}),
        ),
        (
            "/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bob@acme.test"}),
        ),
        (
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Eng"}),
        ),
    ] {
        let res = app
            .http
            .post(format!("{base}{path}"))
            .bearer_auth(secret)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let shown = api.get(&conn_path).await.body;
    assert_eq!(shown["state"], "active");
    assert!(shown["last_request_at"].is_string(), "{shown}");
    assert_eq!(
        (shown["user_count"].as_u64(), shown["group_count"].as_u64()),
        (Some(2), Some(1))
    );
    let list = api.get(&format!("{tenant_path}?limit=1")).await.body;
    assert_eq!(list["data"][0]["user_count"], 2);
    let next = list["next_cursor"].as_str().unwrap();
    let rest = api
        .get(&format!("{tenant_path}?limit=1&after={next}"))
        .await
        .body;
    assert_eq!(rest["data"][0]["name"], "Entra EU");

    // Deactivate: the IdP is refused at once; activate: accepted again. Rename.
    let res = api
        .send(
            Method::PATCH,
            &conn_path,
            Some(json!({"state": "inactive", "name": "Okta prod"})),
        )
        .await;
    assert_eq!(
        (res.body["state"].as_str(), res.body["name"].as_str()),
        (Some("inactive"), Some("Okta prod"))
    );
    assert_eq!(scim_status(&app, &base, secret).await, 401);
    let res = api
        .send(Method::PATCH, &conn_path, Some(json!({"state": "active"})))
        .await;
    assert_eq!(res.body["state"], "active");
    assert_eq!(scim_status(&app, &base, secret).await, 200);
    let bad = api
        .send(Method::PATCH, &conn_path, Some(json!({"state": "paused"})))
        .await;
    assert_problem(&bad, 400, "validation");

    // Delete: gone, its token refused, a connection.deleted event.
    let res = api.send(Method::DELETE, &conn_path, None).await;
    assert_eq!(res.status, 204);
    assert_problem(&api.get(&conn_path).await, 404, "not-found");
    assert_eq!(scim_status(&app, &base, secret).await, 401);
    let kinds: Vec<String> = events_after(&app, 0)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "connection.deleted").count(),
        1,
        "{kinds:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_tokens_are_shown_once_listed_and_revoked_everywhere_at_once() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let tenant = created(&api, "/tenants", json!({"name": "Acme"})).await;
    let conn = created(
        &api,
        &format!("/tenants/{}/connections", id(&tenant)),
        json!({"provider": "generic"}),
    )
    .await;
    let tokens_path = format!("/connections/{}/scim-tokens", id(&conn));
    let res = api
        .send(
            Method::POST,
            &tokens_path,
            Some(json!({"expires_in_days": 30})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.headers["cache-control"], "no-store");
    let token = res.body;
    let secret = token["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("scim_"));
    assert!(token["expires_at"].is_string());
    // No body at all: a token that never expires.
    let forever = created(&api, &tokens_path, json!(null)).await;
    assert_eq!(forever["expires_at"], Value::Null);
    for bad in [
        json!({"expires_in_days": 0}),
        json!({"expires_at": "2001-01-01T00:00:00Z"}),
    ] {
        assert_problem(
            &api.send(Method::POST, &tokens_path, Some(bad)).await,
            400,
            "validation",
        );
    }

    let base = conn["scim_base_url"].as_str().unwrap();
    assert_eq!(scim_status(&app, base, &secret).await, 200);
    let listed = api.get(&tokens_path).await.body;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|t| t.get("token").is_none()),
        "secrets are never listed"
    );
    assert!(secret.starts_with(listed[0]["prefix"].as_str().unwrap()));

    // A second instance has the token cached; revocation reaches it at once through Redis.
    let other = Services::start(app.svc.config.as_ref().clone(), false)
        .await
        .unwrap();
    let conn_id = id(&conn).parse().unwrap();
    assert!(other.authenticate_scim(conn_id, &secret).await.is_ok());
    let revoke = format!("/scim-tokens/{}/revoke", id(&token));
    let res = api.send(Method::POST, &revoke, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body["revoked_at"].is_string());
    assert_eq!(scim_status(&app, base, &secret).await, 401);
    if support::backend() == support::Backend::Services {
        assert!(other.authenticate_scim(conn_id, &secret).await.is_err());
    }
    // Idempotent; the other token still works.
    assert_eq!(api.send(Method::POST, &revoke, None).await.status, 200);
    assert_eq!(
        scim_status(&app, base, forever["token"].as_str().unwrap()).await,
        200
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_and_read_only_keys_stay_in_their_lane() {
    let app = TestApp::start().await;
    let admin = Api::new(&app, ApiKeyScope::Full, None).await;
    let mine = created(&admin, "/tenants", json!({"name": "Mine"})).await;
    let theirs = created(&admin, "/tenants", json!({"name": "Theirs"})).await;
    let their_conn = created(
        &admin,
        &format!("/tenants/{}/connections", id(&theirs)),
        json!({"provider": "okta"}),
    )
    .await;
    let their_token = created(
        &admin,
        &format!("/connections/{}/scim-tokens", id(&their_conn)),
        json!({}),
    )
    .await;
    let their_key = created(
        &admin,
        "/api-keys",
        json!({"name": "theirs", "scope": "full", "tenant_id": id(&theirs)}),
    )
    .await;

    let mine_id = id(&mine).parse().unwrap();
    let scoped = Api::new(&app, ApiKeyScope::Full, Some(mine_id)).await;
    // Only its own tenant is listed; the other tenant and everything of it is 404.
    let listed = scoped.get("/tenants").await.body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], mine["id"]);
    let conn = format!("/connections/{}", id(&their_conn));
    for path in [
        format!("/tenants/{}", id(&theirs)),
        format!("/tenants/{}/connections", id(&theirs)),
        conn.clone(),
        format!("{conn}/scim-tokens"),
        format!("{conn}/users"),
        format!("{conn}/requests"),
    ] {
        assert_problem(&scoped.get(&path).await, 404, "not-found");
    }
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/tenants/{}", id(&theirs)),
            Some(json!({"name": "x"})),
        ),
        (
            Method::POST,
            format!("/tenants/{}/connections", id(&theirs)),
            Some(json!({"provider": "okta"})),
        ),
        (
            Method::PATCH,
            conn.clone(),
            Some(json!({"state": "inactive"})),
        ),
        (Method::DELETE, conn.clone(), None),
        (Method::POST, format!("{conn}/scim-tokens"), None),
        (
            Method::POST,
            format!("/scim-tokens/{}/revoke", id(&their_token)),
            None,
        ),
        (
            Method::POST,
            format!("/api-keys/{}/revoke", id(&their_key)),
            None,
        ),
        (
            Method::POST,
            "/api-keys".to_string(),
            Some(json!({"name": "x", "scope": "full", "tenant_id": id(&theirs)})),
        ),
    ] {
        let res = scoped.send(method.clone(), &path, body).await;
        assert_problem(&res, 404, "not-found");
    }
    // Creating or deleting tenants needs an unrestricted key.
    assert_problem(
        &scoped
            .send(Method::POST, "/tenants", Some(json!({"name": "New"})))
            .await,
        403,
        "forbidden",
    );
    assert_problem(
        &scoped
            .send(Method::DELETE, &format!("/tenants/{}", id(&mine)), None)
            .await,
        403,
        "forbidden",
    );
    // Its keys are confined to its tenant, whatever it asks for.
    let key = created(
        &scoped,
        "/api-keys",
        json!({"name": "sub", "scope": "read_only"}),
    )
    .await;
    assert_eq!(key["tenant_id"], mine["id"]);
    let keys = scoped.get("/api-keys").await.body;
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .all(|k| k["tenant_id"] == mine["id"]),
        "{keys}"
    );

    // A read-only key reads but never writes.
    let reader = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    assert_eq!(reader.get(&conn).await.status, 200);
    for (method, path, body) in [
        (
            Method::POST,
            "/tenants".to_string(),
            Some(json!({"name": "x"})),
        ),
        (
            Method::PATCH,
            format!("/tenants/{}", id(&theirs)),
            Some(json!({"name": "x"})),
        ),
        (Method::DELETE, format!("/tenants/{}", id(&theirs)), None),
        (Method::PATCH, conn.clone(), Some(json!({"name": "x"}))),
        (Method::POST, format!("{conn}/scim-tokens"), None),
        (
            Method::POST,
            "/api-keys".to_string(),
            Some(json!({"name": "x", "scope": "full"})),
        ),
    ] {
        assert_problem(&reader.send(method, &path, body).await, 403, "forbidden");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_are_created_listed_and_revoked_through_the_api() {
    let app = TestApp::start().await;
    let admin = Api::new(&app, ApiKeyScope::Full, None).await;
    let res = admin
        .send(
            Method::POST,
            "/api-keys",
            Some(json!({"name": "ci", "scope": "read_only"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.headers["cache-control"], "no-store");
    let key = res.body;
    let secret = key["secret"].as_str().unwrap();
    assert!(secret.starts_with("rk_"));
    let bad = admin
        .send(
            Method::POST,
            "/api-keys",
            Some(json!({"name": "x", "scope": "admin"})),
        )
        .await;
    assert_problem(&bad, 400, "validation");

    let new_key = Api {
        app: &app,
        key: secret.to_string(),
    };
    assert_eq!(new_key.get("/tenants").await.status, 200);
    let listed = admin.get("/api-keys").await.body;
    let listed = listed.as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|k| k["id"] == key["id"] && k["scope"] == "read_only")
    );
    assert!(listed.iter().all(|k| k.get("secret").is_none()));

    let res = admin
        .send(
            Method::POST,
            &format!("/api-keys/{}/revoke", id(&key)),
            None,
        )
        .await;
    assert!(res.body["revoked_at"].is_string(), "{}", res.body);
    assert_problem(&new_key.get("/tenants").await, 401, "unauthorized");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_tenant_deletes_each_connection_with_its_event() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let tenant = created(&api, "/tenants", json!({"name": "Gone"})).await;
    let keep = created(&api, "/tenants", json!({"name": "Kept"})).await;
    let path = format!("/tenants/{}/connections", id(&tenant));
    let a = created(&api, &path, json!({"provider": "okta"})).await;
    let b = created(&api, &path, json!({"provider": "entra"})).await;
    let kept = created(
        &api,
        &format!("/tenants/{}/connections", id(&keep)),
        json!({"provider": "okta"}),
    )
    .await;
    let token = created(
        &api,
        &format!("/connections/{}/scim-tokens", id(&a)),
        json!({}),
    )
    .await;

    let res = api
        .send(Method::DELETE, &format!("/tenants/{}", id(&tenant)), None)
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    assert_problem(
        &api.get(&format!("/tenants/{}", id(&tenant))).await,
        404,
        "not-found",
    );
    let base = a["scim_base_url"].as_str().unwrap();
    assert_eq!(
        scim_status(&app, base, token["token"].as_str().unwrap()).await,
        401
    );
    let deleted: Vec<String> = events_after(&app, 0)
        .await
        .into_iter()
        .filter(|e| e.kind == "connection.deleted")
        .map(|e| e.data["id"].as_str().unwrap().to_string())
        .collect();
    let mut expected = vec![id(&a).to_string(), id(&b).to_string()];
    let mut deleted_sorted = deleted.clone();
    deleted_sorted.sort();
    expected.sort();
    assert_eq!(deleted_sorted, expected);
    assert_eq!(
        api.get(&format!("/connections/{}", id(&kept))).await.status,
        200
    );
    // Deleting again: it is gone.
    let again = api
        .send(Method::DELETE, &format!("/tenants/{}", id(&tenant)), None)
        .await;
    assert_problem(&again, 404, "not-found");
    app.stop().await;
}
