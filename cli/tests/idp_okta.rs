//! Okta's provisioning sequence, request shapes as Okta sends them.

mod support;

use serde_json::json;
use support::TestApp;
use support::scim::{Method, connect, event_count, events_after};

const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn q(filter: &str) -> String {
    url::form_urlencoded::byte_serialize(filter.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_user_and_group_lifecycle() {
    let app = TestApp::start().await;
    let s = connect(&app, "Initech", "okta").await;

    // Test connection.
    let (status, users) = s
        .send(Method::GET, "/Users?startIndex=1&count=2", None)
        .await;
    assert_eq!((status, users["totalResults"].as_u64()), (200, Some(0)));
    let (status, groups) = s
        .send(Method::GET, "/Groups?startIndex=1&count=100", None)
        .await;
    assert_eq!((status, groups["totalResults"].as_u64()), (200, Some(0)));

    // Create: lookup by userName (Okta's own casing), then POST with password and empty groups.
    let lookup = format!(
        "/Users?filter={}&startIndex=1&count=100",
        q("userName eq \"Isabell.Provisioning@initech.test\"")
    );
    let (_, none) = s.send(Method::GET, &lookup, None).await;
    assert_eq!(none["totalResults"], 0);
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "isabell.provisioning@initech.test",
        "name": {"givenName": "Isabell", "familyName": "Provisioning"},
        "emails": [{"primary": true, "value": "isabell.provisioning@initech.test", "type": "work"}],
        "displayName": "Isabell Provisioning",
        "locale": "en-US",
        "externalId": "00u1dhhb1fkIGP7RL1d8",
        "groups": [],
        "password": "1mz050nq",
        "active": true
    });
    let (status, user) = s.send(Method::POST, "/Users", Some(body.clone())).await;
    assert_eq!(status, 201);
    assert!(user.get("password").is_none());
    let uid = user["id"].as_str().unwrap().to_string();
    let (_, found) = s.send(Method::GET, &lookup, None).await;
    assert_eq!(found["totalResults"], 1, "userName lookups ignore case");

    // A duplicate POST is a 409 with a SCIM error body.
    let (status, dup) = s.send(Method::POST, "/Users", Some(body)).await;
    assert_eq!(
        (status, dup["scimType"].as_str()),
        (409, Some("uniqueness"))
    );

    // Update: GET, then PUT the whole resource back with a change.
    let (_, mut current) = s.send(Method::GET, &format!("/Users/{uid}"), None).await;
    current["name"]["familyName"] = json!("Provisioned");
    current["password"] = json!("n3wPassw0rd");
    let before = event_count(&app).await;
    let (status, put) = s
        .send(Method::PUT, &format!("/Users/{uid}"), Some(current))
        .await;
    assert_eq!(
        (status, put["name"]["familyName"].as_str()),
        (200, Some("Provisioned"))
    );
    let evs = events_after(&app, before).await;
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, "user.updated");
    assert!(
        evs[0].previous.to_string().find("n3wPassw0rd").is_none(),
        "passwords never travel"
    );

    // Deactivate (Okta never deletes users), then reactivate.
    for (active, kind) in [(false, "user.deactivated"), (true, "user.reactivated")] {
        let before = event_count(&app).await;
        let (status, res) = s
            .send(
                Method::PATCH,
                &format!("/Users/{uid}"),
                Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": active}}]})),
            )
            .await;
        assert_eq!((status, res["active"].as_bool()), (200, Some(active)));
        let evs = events_after(&app, before).await;
        assert_eq!(
            evs.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            [kind]
        );
    }

    // Groups: push, add a member, rename with the read-only id in the value, remove members.
    let (status, group) = s
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2", "members": []})),
        )
        .await;
    assert_eq!(status, 201);
    let gid = group["id"].as_str().unwrap().to_string();
    let group_path = format!("/Groups/{gid}");
    let (status, added) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": uid, "display": "isabell.provisioning@initech.test"}]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(added["members"][0]["value"], uid.as_str());
    let (status, renamed) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2 renamed"}}]})),
        )
        .await;
    assert_eq!(
        (status, renamed["displayName"].as_str()),
        (200, Some("Test SCIMv2 renamed"))
    );
    assert_eq!(renamed["id"], gid.as_str());

    // Removing a member who is not in the group is not an error.
    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PATCH,
            &group_path,
            Some(json!({"schemas": [PATCH], "Operations": [
                {"op": "remove", "path": format!("members[value eq \"{uid}\"]")},
                {"op": "remove", "path": "members[value eq \"00000000-0000-7000-8000-000000000000\"]"}
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    let evs = events_after(&app, before).await;
    assert_eq!(
        evs.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["group.user_removed"]
    );

    // Import pages of 100 with integer counts.
    let (_, page) = s
        .send(Method::GET, "/Users?startIndex=1&count=100", None)
        .await;
    assert_eq!(
        (page["itemsPerPage"].as_u64(), page["startIndex"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(s.send(Method::DELETE, &group_path, None).await.0, 204);
    app.stop().await;
}
