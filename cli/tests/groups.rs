//! SCIM Groups: members as rows, membership events, no-op writes emit nothing.

mod support;

use serde_json::{Value, json};
use support::TestApp;
use support::scim::{Method, connect, events_after};

fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_lifecycle_with_membership_diffs_and_events() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let mut users = Vec::new();
    for name in ["u1", "u2", "u3"] {
        let (status, user) = s
            .send(
                support::scim::Method::POST,
                "/Users",
                Some(json!({"userName": name})),
            )
            .await;
        assert_eq!(status, 201);
        users.push(user["id"].as_str().unwrap().to_string());
    }
    let before = events_after(&app, 0).await.len();

    let (status, group) = s
        .send(
            support::scim::Method::POST,
            "/Groups",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Engineering",
                "members": [
                    {"value": users[0]}, {"value": users[1], "type": "User"},
                    {"value": "01a1f0e4-0000-7000-8000-000000000000"}, {"value": "not-a-uuid"}
                ]
            })),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    let mut expected = vec![users[0].clone(), users[1].clone()];
    expected.sort();
    assert_eq!(
        member_ids(&group),
        expected,
        "unknown member ids are skipped"
    );
    assert_eq!(group["members"][0]["type"], "User");
    assert!(
        group["members"][0]["$ref"]
            .as_str()
            .unwrap()
            .contains("/Users/")
    );
    assert_eq!(group["meta"]["resourceType"], "Group");

    let created = events_after(&app, before).await;
    let types: Vec<&str> = created.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        types,
        ["group.created", "group.user_added", "group.user_added"]
    );
    assert_eq!(created[1].data["group"]["id"], gid.as_str());
    assert!(users.contains(&created[1].data["user"]["id"].as_str().unwrap().to_string()));

    let (status, fetched) = s
        .send(support::scim::Method::GET, &format!("/Groups/{gid}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(member_ids(&fetched), expected);

    // PUT: rename, u1 leaves, u3 joins, u2 stays.
    let before = events_after(&app, 0).await.len();
    let (status, replaced) = s
        .send(
            support::scim::Method::PUT,
            &format!("/Groups/{gid}"),
            Some(json!({"displayName": "Platform", "members": [{"value": users[1]}, {"value": users[2]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(replaced["displayName"], "Platform");
    assert_eq!(replaced["meta"]["version"], "W/\"2\"");
    let mut now = vec![users[1].clone(), users[2].clone()];
    now.sort();
    assert_eq!(member_ids(&replaced), now);
    let changed = events_after(&app, before).await;
    let mut types: Vec<&str> = changed.iter().map(|e| e.kind.as_str()).collect();
    types.sort();
    assert_eq!(
        types,
        ["group.updated", "group.user_added", "group.user_removed"]
    );
    let updated = changed.iter().find(|e| e.kind == "group.updated").unwrap();
    assert_eq!(updated.previous["display_name"], "Engineering");
    let added = changed
        .iter()
        .find(|e| e.kind == "group.user_added")
        .unwrap();
    assert_eq!(added.data["user"]["id"], users[2].as_str());
    let removed = changed
        .iter()
        .find(|e| e.kind == "group.user_removed")
        .unwrap();
    assert_eq!(removed.data["user"]["id"], users[0].as_str());

    // The same PUT again changes nothing and emits nothing.
    let before = events_after(&app, 0).await.len();
    let (status, again) = s
        .send(
            support::scim::Method::PUT,
            &format!("/Groups/{gid}"),
            Some(json!({"displayName": "Platform", "members": [{"value": users[2]}, {"value": users[1]}]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["meta"]["version"], "W/\"2\"");
    assert!(
        events_after(&app, before).await.is_empty(),
        "a no-op PUT emits nothing"
    );

    // Another tenant's token cannot see it.
    let other = connect(&app, "Globex", "entra").await;
    let (status, body) = other
        .send(support::scim::Method::GET, &format!("/Groups/{gid}"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], "404");
    let (status, _) = other
        .send(
            support::scim::Method::DELETE,
            &format!("/Groups/{gid}"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    let (status, _) = s
        .send(
            support::scim::Method::DELETE,
            &format!("/Groups/{gid}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = s
        .send(support::scim::Method::GET, &format!("/Groups/{gid}"), None)
        .await;
    assert_eq!(status, 404);
    let last = events_after(&app, 0).await.pop().unwrap();
    assert_eq!(last.kind, "group.deleted");
    assert_eq!(last.data["display_name"], "Platform");

    for bad in [json!({}), json!({"displayName": "x", "members": "u1"})] {
        let (status, body) = s
            .send(support::scim::Method::POST, "/Groups", Some(bad))
            .await;
        assert_eq!(status, 400);
        assert_eq!(body["scimType"], "invalidValue");
    }
    app.stop().await;
}

/// A PATCH adding or removing many members writes their events in one go: consecutive
/// sequences (no other writer of the connection in between, even one writing at that moment),
/// each payload's `sequence` that of its row, ids in sequence order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_member_events_take_consecutive_sequences_among_concurrent_writers() {
    use roster_domain::entities::event;
    use sea_orm::{EntityTrait, QueryOrder};
    const MEMBERS: usize = 60;
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let mut users = Vec::new();
    for i in 0..MEMBERS {
        let user = s
            .ok(
                Method::POST,
                "/Users",
                Some(json!({"userName": format!("m{i}")})),
            )
            .await;
        users.push(user["id"].as_str().unwrap().to_string());
    }
    let group = s
        .ok(Method::POST, "/Groups", Some(json!({"displayName": "Big"})))
        .await;
    let gid = group["id"].as_str().unwrap().to_string();
    let members: Vec<Value> = users.iter().map(|id| json!({"value": id})).collect();
    let patch = |op: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, "path": "members", "value": members}]
        })
    };
    let path = format!("/Groups/{gid}");
    let others = async {
        for i in 0..10 {
            let user = json!({"userName": format!("other{i}")});
            assert_eq!(s.send(Method::POST, "/Users", Some(user)).await.0, 201);
        }
    };
    let (added, ()) = tokio::join!(s.send(Method::PATCH, &path, Some(patch("add"))), others);
    assert!(matches!(added.0, 200 | 204), "{added:?}");
    let removed = s.send(Method::PATCH, &path, Some(patch("remove"))).await;
    assert!(matches!(removed.0, 200 | 204), "{removed:?}");

    let events = event::Entity::find()
        .order_by_asc(event::Column::Sequence)
        .all(&app.svc.db)
        .await
        .unwrap();
    for (n, e) in events.iter().enumerate() {
        assert_eq!(
            e.sequence,
            events[0].sequence + n as i64,
            "no gap, no repeat"
        );
        assert_eq!(e.payload["sequence"].as_i64(), Some(e.sequence));
    }
    for kind in ["group.user_added", "group.user_removed"] {
        let batch: Vec<&event::Model> = events.iter().filter(|e| e.event_type == kind).collect();
        assert_eq!(batch.len(), MEMBERS, "{kind}");
        assert_eq!(
            batch[MEMBERS - 1].sequence - batch[0].sequence,
            MEMBERS as i64 - 1,
            "{kind}: one run of sequences"
        );
        assert!(
            batch.windows(2).all(|w| w[0].id < w[1].id),
            "{kind}: ids in order"
        );
        let mut named: Vec<&str> = batch
            .iter()
            .map(|e| e.payload["data"]["user"]["id"].as_str().unwrap())
            .collect();
        named.sort_unstable();
        let mut expected: Vec<&str> = users.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(named, expected, "{kind}: one event per member");
    }
    app.stop().await;
}
