//! OneLogin, JumpCloud and generic clients: their request shapes, replayed.

mod support;

use serde_json::json;
use support::TestApp;
use support::scim::{Method, connect, event_count, events_after};

const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jumpcloud_and_onelogin_shapes() {
    let app = TestApp::start().await;
    let s = connect(&app, "Umbrella", "jumpcloud").await;

    // JumpCloud: users created with the enterprise extension, updated with PUT.
    let (status, user) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "userName": "jill@umbrella.test", "externalId": "5f1c9b0e", "active": true,
                "name": {"givenName": "Jill", "familyName": "Valentine"},
                "emails": [{"value": "jill@umbrella.test", "type": "work", "primary": true}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "S.T.A.R.S."}
            })),
        )
        .await;
    assert_eq!(status, 201);
    let uid = user["id"].as_str().unwrap().to_string();

    // JumpCloud and OneLogin rename groups with a path-less replace of displayName.
    let (_, group) = s
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Alpha", "members": [{"value": uid}]})),
        )
        .await;
    let gid = group["id"].as_str().unwrap();
    let before = event_count(&app).await;
    let (status, renamed) = s
        .send(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"displayName": "Bravo"}}]})),
        )
        .await;
    assert_eq!(
        (status, renamed["displayName"].as_str()),
        (200, Some("Bravo"))
    );
    assert_eq!(
        renamed["members"][0]["value"],
        uid.as_str(),
        "members are untouched by a rename"
    );
    let evs = events_after(&app, before).await;
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, "group.updated");
    assert_eq!(evs[0].previous["display_name"], "Alpha");

    // OneLogin: group membership replaced wholesale with PUT, user deprovisioned by PATCH.
    let (_, other) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({"userName": "chris@umbrella.test"})),
        )
        .await;
    let before = event_count(&app).await;
    let (status, _) = s
        .send(
            Method::PUT,
            &format!("/Groups/{gid}"),
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Bravo", "members": [{"value": other["id"]}]})),
        )
        .await;
    assert_eq!(status, 200);
    let mut kinds: Vec<String> = events_after(&app, before)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["group.user_added", "group.user_removed"]);
    let (status, off) = s
        .send(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": false}]})),
        )
        .await;
    assert_eq!((status, off["active"].as_bool()), (200, Some(false)));

    // Generic clients: a filter on the write-only password belongs in a POST body, not a URL.
    let (status, err) = s
        .send(Method::GET, "/Users?filter=password%20eq%20%22x%22", None)
        .await;
    assert_eq!((status, err["scimType"].as_str()), (403, Some("sensitive")));
    let (status, _) = s
        .send(
            Method::POST,
            "/Users/.search",
            Some(json!({"filter": "password eq \"x\""})),
        )
        .await;
    assert_eq!(status, 200);
    app.stop().await;
}
