//! Management API: directory data (users and groups of a connection or a tenant, in the
//! normalized event shape) and the SCIM request log, as an app reads them.

mod support;

use reqwest::Method;
use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use support::TestApp;
use support::api::{Api, assert_problem, connection_of};
use support::scim::{Scim, connect};

fn user(name: &str, active: bool) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Given", "familyName": name},
        "emails": [{"value": name, "type": "work", "primary": true}],
        "active": active,
    })
}

async fn create(s: &Scim<'_>, path: &str, body: Value) -> String {
    s.ok(Method::POST, path, Some(body)).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every item of a paged list, following `next_cursor` with pages of `limit`.
async fn all_pages(api: &Api<'_>, path: &str, limit: u32) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut url = format!("{path}{sep}limit={limit}");
    loop {
        let res = api.get(&url).await;
        assert_eq!(res.status, 200, "{url}: {}", res.body);
        items.extend(res.body["data"].as_array().unwrap().iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(c) => url = format!("{path}{sep}limit={limit}&after={c}"),
            None => return items,
        }
    }
}

fn names(items: &[Value]) -> Vec<&str> {
    let mut names: Vec<&str> = items
        .iter()
        .map(|u| {
            u["user_name"]
                .as_str()
                .or(u["display_name"].as_str())
                .unwrap()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_groups_are_listed_per_connection_and_tenant_in_event_shape() {
    let app = TestApp::start().await;
    let okta = connect(&app, "Acme", "okta").await;
    let conn = connection_of(&okta);
    let tenant = app.svc.get_connection(conn).await.unwrap().tenant_id;
    let entra_conn = app
        .svc
        .create_connection(tenant, "", "entra")
        .await
        .unwrap();
    let entra_token = app.svc.issue_scim_token(entra_conn.id, None).await.unwrap();
    let entra = Scim {
        app: &app,
        base: entra_conn.scim_base_url.clone(),
        token: entra_token.token,
    };
    let ann = create(&okta, "/Users", user("ann@acme.test", true)).await;
    let bob = create(&okta, "/Users", user("bob@acme.test", false)).await;
    create(&okta, "/Users", user("cid@acme.test", true)).await;
    let dee = create(&entra, "/Users", user("dee@acme.test", true)).await;
    let eng = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Eng",
        "members": [{"value": ann}, {"value": bob}],
    });
    let eng = create(&okta, "/Groups", eng).await;
    let ops = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops", "members": [{"value": ann}]});
    let ops = create(&okta, "/Groups", ops).await;
    create(
        &entra,
        "/Groups",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "All"}),
    )
    .await;

    let api = Api::new(&app, ApiKeyScope::ReadOnly, Some(tenant)).await;
    // A connection's users, paged by one: each once; the event shape with groups.
    let users = all_pages(&api, &format!("/connections/{conn}/users"), 1).await;
    assert_eq!(
        names(&users),
        ["ann@acme.test", "bob@acme.test", "cid@acme.test"]
    );
    let ann_view = users.iter().find(|u| u["id"] == ann.as_str()).unwrap();
    assert_eq!(ann_view["object"], "user");
    assert_eq!(ann_view["last_name"], "ann@acme.test");
    assert_eq!(ann_view["emails"][0]["primary"], true);
    assert_eq!(ann_view["raw"]["userName"], "ann@acme.test");
    let mut groups: Vec<&str> = ann_view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["display_name"].as_str().unwrap())
        .collect();
    groups.sort();
    assert_eq!(groups, ["Eng", "Ops"]);
    // The same user as an event carries it.
    assert_eq!(&api.get(&format!("/users/{ann}")).await.body, ann_view);

    // Filters: state and group membership.
    let active = all_pages(&api, &format!("/connections/{conn}/users?state=active"), 10).await;
    assert_eq!(names(&active), ["ann@acme.test", "cid@acme.test"]);
    let inactive = all_pages(
        &api,
        &format!("/connections/{conn}/users?state=inactive"),
        10,
    )
    .await;
    assert_eq!(names(&inactive), ["bob@acme.test"]);
    let in_eng = all_pages(
        &api,
        &format!("/connections/{conn}/users?group_id={eng}"),
        10,
    )
    .await;
    assert_eq!(names(&in_eng), ["ann@acme.test", "bob@acme.test"]);
    // Search: a case-insensitive part of userName, display name or email; wildcards literal.
    let search = |q: &str| format!("/connections/{conn}/users?search={q}");
    assert_eq!(
        names(&all_pages(&api, &search("ANN"), 10).await),
        ["ann@acme.test"]
    );
    assert_eq!(
        names(&all_pages(&api, &search("acme.test&state=active"), 10).await),
        ["ann@acme.test", "cid@acme.test"]
    );
    assert!(all_pages(&api, &search("%25"), 10).await.is_empty());
    assert!(all_pages(&api, &search("a_n"), 10).await.is_empty());
    let groups_named = |q: &str| format!("/tenants/{tenant}/groups?search={q}");
    assert_eq!(
        names(&all_pages(&api, &groups_named("e"), 10).await),
        ["Eng"]
    );
    assert_eq!(
        names(&all_pages(&api, &groups_named("+"), 10).await).len(),
        3
    );
    let bad = api
        .get(&format!("/connections/{conn}/users?state=gone"))
        .await;
    assert_problem(&bad, 400, "validation");

    // The tenant spans both connections.
    let tenant_users = all_pages(&api, &format!("/tenants/{tenant}/users"), 2).await;
    assert_eq!(tenant_users.len(), 4);
    assert!(tenant_users.iter().any(|u| u["id"] == dee.as_str()));
    let tenant_groups = all_pages(&api, &format!("/tenants/{tenant}/groups"), 2).await;
    assert_eq!(names(&tenant_groups), ["All", "Eng", "Ops"]);
    let conn_groups = all_pages(&api, &format!("/connections/{conn}/groups"), 1).await;
    assert_eq!(names(&conn_groups), ["Eng", "Ops"]);

    // A group, its members (paged), a user's groups.
    let group = api.get(&format!("/groups/{eng}")).await.body;
    assert_eq!(
        (group["object"].as_str(), group["display_name"].as_str()),
        (Some("group"), Some("Eng"))
    );
    let members = all_pages(&api, &format!("/groups/{eng}/members"), 1).await;
    assert_eq!(names(&members), ["ann@acme.test", "bob@acme.test"]);
    let of_ann = api.get(&format!("/users/{ann}/groups")).await.body;
    let mut of_ann: Vec<&str> = of_ann
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["display_name"].as_str().unwrap())
        .collect();
    of_ann.sort();
    assert_eq!(of_ann, ["Eng", "Ops"]);
    assert!(
        api.get(&format!("/users/{bob}/groups"))
            .await
            .body
            .as_array()
            .unwrap()
            .len()
            == 1
    );
    let _ = ops;

    // Another tenant's key sees none of it.
    let other = app.svc.create_tenant("Other", None).await.unwrap();
    let outsider = Api::new(&app, ApiKeyScope::Full, Some(other.id)).await;
    for path in [
        format!("/connections/{conn}/users"),
        format!("/connections/{conn}/groups"),
        format!("/tenants/{tenant}/users"),
        format!("/tenants/{tenant}/groups"),
        format!("/users/{ann}"),
        format!("/users/{ann}/groups"),
        format!("/groups/{eng}"),
        format!("/groups/{eng}/members"),
    ] {
        assert_problem(&outsider.get(&path).await, 404, "not-found");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_log_pages_back_in_time_and_filters_errors() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let conn = connection_of(&s);
    create(&s, "/Users", user("ann@acme.test", true)).await;
    let (status, _) = s
        .send(Method::POST, "/Users", Some(user("ann@acme.test", true)))
        .await;
    assert_eq!(status, 409);
    s.send(
        Method::GET,
        "/Users?filter=userName%20eq%20%22ann%40acme.test%22",
        None,
    )
    .await;
    let (status, _) = s.send(Method::GET, "/Users/not-there", None).await;
    assert_eq!(status, 404);

    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let path = format!("/connections/{conn}/requests");
    let entries = support::wait_for(
        "four logged requests",
        std::time::Duration::from_secs(10),
        || async {
            let all = all_pages(&api, &path, 1).await;
            (all.len() == 4).then_some(all)
        },
    )
    .await;
    let statuses: Vec<u64> = entries
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    // Newest first.
    assert_eq!(statuses, [404, 200, 409, 201]);
    let errors = all_pages(&api, &format!("{path}?outcome=error"), 10).await;
    let error_statuses: Vec<u64> = errors
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(error_statuses, [404, 409]);
    assert_eq!(errors[1]["scim_type"], "uniqueness");
    assert_problem(
        &api.get(&format!("{path}?outcome=bad")).await,
        400,
        "validation",
    );
    let other = app.svc.create_tenant("Other", None).await.unwrap();
    let outsider = Api::new(&app, ApiKeyScope::Full, Some(other.id)).await;
    assert_problem(&outsider.get(&path).await, 404, "not-found");
    app.stop().await;
}
