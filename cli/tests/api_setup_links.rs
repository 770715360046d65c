//! Setup links and the audit log: an app creates a link for a tenant, the IT admin redeems it
//! for a session confined to that tenant (once, for a single-use link, even when two
//! redemptions race), and every step lands in the audit log with who, what and from where.

mod support;

use reqwest::Method;
use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use support::TestApp;
use support::api::{Api, assert_problem, post_anonymous};

fn token_of(link: &Value) -> String {
    let url = link["url"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_link_opens_a_session_for_its_tenant_once() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let acme = app.svc.create_tenant("Acme", None).await.unwrap();
    let other = app.svc.create_tenant("Other", None).await.unwrap();
    let path = format!("/tenants/{}/setup-links", acme.id);
    let res = api
        .send(
            Method::POST,
            &path,
            Some(json!({"expires_in_hours": 24, "return_url": "https://app.example.com/done"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.headers["cache-control"], "no-store");
    let link = res.body;
    assert!(
        link["url"].as_str().unwrap().contains("/admin/setup/sl_"),
        "{link}"
    );
    assert_eq!(link["single_use"], true);
    for bad in [
        json!({"expires_in_hours": 0}),
        json!({"expires_in_hours": 721}),
        json!({"return_url": "javascript:alert(1)"}),
    ] {
        assert_problem(
            &api.send(Method::POST, &path, Some(bad)).await,
            400,
            "validation",
        );
    }

    // Two redemptions race: exactly one session.
    let body = json!({"token": token_of(&link)});
    let (a, b) = tokio::join!(
        post_anonymous(&app, "/setup-links/redeem", body.clone()),
        post_anonymous(&app, "/setup-links/redeem", body.clone()),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "{} / {}", a.body, b.body);
    let redeemed = if a.status == 200 { a.body } else { b.body };
    assert_eq!(redeemed["session"]["role"], "tenant_admin");
    assert_eq!(redeemed["session"]["tenant_id"], acme.id.to_string());
    assert_eq!(redeemed["return_url"], "https://app.example.com/done");
    let it = Api {
        app: &app,
        key: redeemed["access_token"].as_str().unwrap().to_string(),
    };
    assert_eq!(it.get(&format!("/tenants/{}", acme.id)).await.status, 200);
    assert_problem(
        &it.get(&format!("/tenants/{}", other.id)).await,
        404,
        "not-found",
    );
    assert_problem(
        &it.get(&format!("/tenants/{}/setup-links", acme.id)).await,
        403,
        "forbidden",
    );

    // Reusable links work until revoked; unknown tokens never.
    let reusable = api
        .send(Method::POST, &path, Some(json!({"single_use": false})))
        .await
        .body;
    let body = json!({"token": token_of(&reusable)});
    for _ in 0..2 {
        assert_eq!(
            post_anonymous(&app, "/setup-links/redeem", body.clone())
                .await
                .status,
            200
        );
    }
    let revoke = format!("/setup-links/{}/revoke", reusable["id"].as_str().unwrap());
    assert!(api.send(Method::POST, &revoke, None).await.body["revoked_at"].is_string());
    assert_problem(
        &post_anonymous(&app, "/setup-links/redeem", body).await,
        401,
        "unauthorized",
    );
    assert_problem(
        &post_anonymous(&app, "/setup-links/redeem", json!({"token": "sl_nope"})).await,
        401,
        "unauthorized",
    );

    let listed = api.get(&path).await.body;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|l| l.get("url").is_none()),
        "URLs are shown once"
    );
    assert_eq!(listed[0]["use_count"], 2);

    // A key of another tenant cannot create or revoke this tenant's links.
    let outsider = Api::new(&app, ApiKeyScope::Full, Some(other.id)).await;
    assert_problem(
        &outsider.send(Method::POST, &path, None).await,
        404,
        "not-found",
    );
    assert_problem(
        &outsider.send(Method::POST, &revoke, None).await,
        404,
        "not-found",
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_who_did_what_from_where() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let tenant = api
        .send(Method::POST, "/tenants", Some(json!({"name": "Acme"})))
        .await
        .body;
    let tenant_id = tenant["id"].as_str().unwrap();
    let conn = api
        .send(
            Method::POST,
            &format!("/tenants/{tenant_id}/connections"),
            Some(json!({"provider": "okta"})),
        )
        .await
        .body;
    let token = api
        .send(
            Method::POST,
            &format!("/connections/{}/scim-tokens", conn["id"].as_str().unwrap()),
            None,
        )
        .await
        .body;
    api.send(
        Method::POST,
        &format!("/scim-tokens/{}/revoke", token["id"].as_str().unwrap()),
        None,
    )
    .await;
    let link = api
        .send(
            Method::POST,
            &format!("/tenants/{tenant_id}/setup-links"),
            None,
        )
        .await
        .body;
    post_anonymous(
        &app,
        "/setup-links/redeem",
        json!({"token": token_of(&link)}),
    )
    .await;
    post_anonymous(
        &app,
        "/auth/login",
        json!({"email": "nobody@x.test", "password": "wrong password"}),
    )
    .await;

    let page = api.get("/audit-log?limit=100").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let entries = page.body["data"].as_array().unwrap().clone();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Newest first.
    assert_eq!(
        actions,
        [
            "auth.login_failed",
            "setup_link.used",
            "setup_link.created",
            "scim_token.revoked",
            "scim_token.issued",
            "connection.created",
            "tenant.created",
        ]
    );
    let issued = &entries[4];
    assert_eq!(issued["actor_kind"], "api_key");
    assert!(
        issued["actor_label"]
            .as_str()
            .unwrap()
            .starts_with("tests (rk_")
    );
    assert_eq!(issued["ip"], "127.0.0.1");
    assert!(issued["request_id"].is_string());
    assert_eq!(issued["tenant_id"], tenant_id);
    assert_eq!(issued["target_id"], token["id"]);
    assert_eq!(entries[0]["actor_label"], "nobody@x.test");
    assert!(
        !page
            .body
            .to_string()
            .contains(token["token"].as_str().unwrap()),
        "no secret in the log"
    );

    // Filters: an action family, a tenant; paging.
    let tokens = api.get("/audit-log?action=scim_token.*").await.body;
    assert_eq!(tokens["data"].as_array().unwrap().len(), 2);
    let of_tenant = api
        .get(&format!("/audit-log?tenant_id={tenant_id}"))
        .await
        .body;
    assert_eq!(of_tenant["data"].as_array().unwrap().len(), 6);
    let first = api.get("/audit-log?limit=3").await.body;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = api
        .get(&format!("/audit-log?limit=3&after={cursor}"))
        .await
        .body;
    assert_eq!(second["data"][0]["action"], "scim_token.revoked");
    // A tenant-restricted key sees its tenant's entries only.
    let other = app.svc.create_tenant("Other", None).await.unwrap();
    let outsider = Api::new(&app, ApiKeyScope::ReadOnly, Some(other.id)).await;
    assert!(
        outsider.get("/audit-log").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}
