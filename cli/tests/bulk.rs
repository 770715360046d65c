//! POST /Bulk: bulkId references, per-operation outcomes, failOnErrors, limits.

mod support;

use serde_json::json;
use support::TestApp;
use support::scim::{Method, connect};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_resolves_references_and_reports_each_operation() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "generic").await;
    let (status, res) = s
        .send(
            Method::POST,
            "/Bulk",
            Some(json!({"schemas": [BULK], "Operations": [
                // Refers to a user created later in the request: runs after it.
                {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"displayName": "Eng", "members": [{"value": "bulkId:u"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"userName": "ada"}},
                {"method": "PATCH", "path": "/Users/bulkId:u", "data": {"Operations": [{"op": "replace", "path": "title", "value": "CTO"}]}},
                {"method": "DELETE", "path": "/Users/01a1f0e4-0000-7000-8000-000000000000"},
                {"method": "POST", "path": "/Users", "bulkId": "dup", "data": {"userName": "ADA"}},
                {"method": "PUT", "path": "/Devices/1", "data": {}},
                {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"userName": "bulkId:y"}},
                {"method": "POST", "path": "/Users", "bulkId": "y", "data": {"userName": "bulkId:x"}}
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        res["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
    let ops = res["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["201", "201", "200", "404", "409", "400", "409", "409"]
    );
    assert_eq!(ops[0]["bulkId"], "g");
    assert_eq!(ops[4]["response"]["scimType"], "uniqueness");
    assert_eq!(ops[5]["response"]["scimType"], "invalidPath");
    let user_location = ops[1]["location"].as_str().unwrap();
    let uid = user_location.rsplit('/').next().unwrap();
    assert_eq!(ops[2]["version"], "W/\"2\"");

    let (_, group) = s
        .send(
            Method::GET,
            &format!(
                "/Groups/{}",
                ops[0]["location"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(
        group["members"][0]["value"], uid,
        "bulkId:u became the user's id"
    );
    let (_, user) = s.send(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(user["title"], "CTO");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_errors_and_limits() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "generic").await;
    let (status, res) = s
        .send(
            Method::POST,
            "/Bulk",
            Some(json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "a"}},
                {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"name": {}}},
                {"method": "POST", "path": "/Users", "bulkId": "c", "data": {"userName": "c"}}
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    let statuses: Vec<&str> = res["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["201", "400"],
        "processing stops at the first error"
    );
    let (_, list) = s.send(Method::GET, "/Users?count=0", None).await;
    assert_eq!(list["totalResults"], 1);

    let too_many: Vec<_> = (0..1001)
        .map(|i| json!({"method": "DELETE", "path": format!("/Users/{i}")}))
        .collect();
    let (status, err) = s
        .send(Method::POST, "/Bulk", Some(json!({"Operations": too_many})))
        .await;
    assert_eq!((status, err["status"].as_str()), (413, Some("413")));
    let (_, spc) = s.send(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc["bulk"]["supported"], true);
    assert_eq!(spc["bulk"]["maxOperations"], 1000);
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["filter"]["supported"], true);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_search_spans_users_and_groups() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "generic").await;
    for name in ["u1", "u2"] {
        s.send(Method::POST, "/Users", Some(json!({"userName": name})))
            .await;
    }
    for name in ["g1", "g2", "g3"] {
        s.send(Method::POST, "/Groups", Some(json!({"displayName": name})))
            .await;
    }
    let search = |body: serde_json::Value| s.send(Method::POST, "/.search", Some(body));
    let (status, all) =
        search(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})).await;
    assert_eq!(status, 200);
    assert_eq!(all["totalResults"], 5);
    let (_, window) = search(json!({"startIndex": 2, "count": 2})).await;
    let kinds: Vec<&str> = window["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["User", "Group"], "the window spans both types");
    let (_, named) = search(json!({"filter": "displayName eq \"g2\""})).await;
    assert_eq!(named["totalResults"], 1);
    assert_eq!(named["Resources"][0]["displayName"], "g2");
    app.stop().await;
}
