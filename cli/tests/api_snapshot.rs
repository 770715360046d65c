//! Connection snapshots: users and groups in the events' normalized shape with the sequence
//! each reflects, paged; and the bootstrap protocol (snapshot, then tail the feed dropping
//! events not newer than the item) converging on the directory while writes happen mid-way.

mod support;

use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use support::api::{Api, assert_problem, connection_of};
use support::scim::{Method, Scim, connect};
use support::{TestApp, wait_for};

async fn post(s: &Scim<'_>, path: &str, body: Value) -> String {
    let (status, created) = s.send(Method::POST, path, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

async fn patch(s: &Scim<'_>, path: &str, ops: Value) {
    let body =
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let (status, res) = s.send(Method::PATCH, path, Some(body)).await;
    assert_eq!(status, 200, "{res}");
}

/// A client's copy of the directory, built by the bootstrap protocol.
#[derive(Default)]
struct Replica {
    users: BTreeMap<String, Value>,
    groups: BTreeMap<String, Value>,
    /// The sequence each snapshot item reflects.
    item_sequence: HashMap<String, i64>,
}

impl Replica {
    fn load(&mut self, page: &Value) {
        for item in page["data"].as_array().unwrap() {
            let data = &item["data"];
            let id = data["id"].as_str().unwrap().to_string();
            self.item_sequence
                .insert(id.clone(), item["sequence"].as_i64().unwrap());
            match data["object"].as_str().unwrap() {
                "user" => self.users.insert(id, data.clone()),
                "group" => self.groups.insert(id, data.clone()),
                other => panic!("unexpected object {other}"),
            };
        }
    }

    /// Applies a tailed event unless the snapshot item it is about already reflects it.
    fn apply(&mut self, event: &Value) {
        let kind = event["type"].as_str().unwrap();
        let data = &event["data"];
        let about = match kind {
            "group.user_added" | "group.user_removed" => &data["user"]["id"],
            k if k.starts_with("connection.") => return,
            _ => &data["id"],
        };
        let about = about.as_str().unwrap().to_string();
        let sequence = event["sequence"].as_i64().unwrap();
        if self
            .item_sequence
            .get(&about)
            .is_some_and(|s| sequence <= *s)
        {
            return;
        }
        match kind {
            "user.deleted" => {
                self.users.remove(&about);
            }
            k if k.starts_with("user.") => {
                self.users.insert(about, data.clone());
            }
            "group.created" | "group.updated" => {
                self.groups.insert(about, data.clone());
            }
            "group.deleted" => {
                self.groups.remove(&about);
                for user in self.users.values_mut() {
                    user["groups"]
                        .as_array_mut()
                        .unwrap()
                        .retain(|g| g["id"] != about.as_str());
                }
            }
            "group.user_added" | "group.user_removed" => {
                let group = data["group"]["id"].clone();
                let user = self
                    .users
                    .get_mut(&about)
                    .expect("a member the replica has");
                let groups = user["groups"].as_array_mut().unwrap();
                groups.retain(|g| g["id"] != group);
                if kind == "group.user_added" {
                    groups
                        .push(json!({"id": group, "display_name": data["group"]["display_name"]}));
                }
            }
            other => panic!("unexpected event {other}"),
        }
    }

    /// What must agree with the directory: users' names, activity and group ids; group names.
    fn summary(&self) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
        let users = self
            .users
            .iter()
            .map(|(id, u)| {
                let groups: BTreeSet<&str> = u["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| g["id"].as_str().unwrap())
                    .collect();
                let summary = json!({"user_name": u["user_name"], "first_name": u["first_name"],
                    "active": u["active"], "groups": groups});
                (id.clone(), summary)
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|(id, g)| (id.clone(), g["display_name"].clone()))
            .collect();
        (users, groups)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_then_tail_converges_despite_writes_while_paging() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let s = connect(&app, "Acme", "okta").await;
    let conn = connection_of(&s);
    let mut users = Vec::new();
    for i in 0..5 {
        users.push(post(&s, "/Users", json!({"userName": format!("u{i}")})).await);
    }
    let g1 = post(
        &s,
        "/Groups",
        json!({"displayName": "G1", "members": [{"value": users[0]}, {"value": users[1]}]}),
    )
    .await;
    let g2 = post(
        &s,
        "/Groups",
        json!({"displayName": "G2", "members": [{"value": users[2]}]}),
    )
    .await;
    let snapshot = format!("/connections/{conn}/snapshot");

    let first = api.get(&format!("{snapshot}?limit=2")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let s1 = first.body["connection_sequence"].as_i64().unwrap();
    // activated, 5 users, G1 + 2 members, G2 + 1 member.
    assert_eq!(s1, 11);
    let page = first.body["data"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    assert!(page.iter().all(|i| i["sequence"] == s1));
    assert_eq!(page[0]["data"]["id"], users[0].as_str());
    assert_eq!(page[0]["data"]["object"], "user");
    assert_eq!(page[0]["data"]["groups"][0]["id"], g1.as_str());
    let events_cursor = first.body["events_cursor"].as_str().unwrap().to_string();

    // Writes while paging: on users already read and not yet read, a new user, a deletion,
    // membership changes and a group rename.
    let u = |i: usize| format!("/Users/{}", users[i]);
    patch(
        &s,
        &u(0),
        json!([{"op": "replace", "path": "name.givenName", "value": "Zero"}]),
    )
    .await;
    patch(
        &s,
        &u(3),
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await;
    assert_eq!(s.send(Method::DELETE, &u(4), None).await.0, 204);
    let u5 = post(&s, "/Users", json!({"userName": "u5"})).await;
    patch(
        &s,
        &format!("/Groups/{g1}"),
        json!([{"op": "add", "path": "members", "value": [{"value": users[3]}]},
               {"op": "remove", "path": format!("members[value eq \"{}\"]", users[0])}]),
    )
    .await;
    patch(
        &s,
        &format!("/Groups/{g2}"),
        json!([{"op": "replace", "path": "displayName", "value": "G2b"}]),
    )
    .await;

    let mut replica = Replica::default();
    replica.load(&first.body);
    let mut next = first.body["next_cursor"].as_str().map(str::to_string);
    let mut pages = 1;
    while let Some(cursor) = next {
        let res = api.get(&format!("{snapshot}?limit=2&after={cursor}")).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            res.body["events_cursor"],
            events_cursor.as_str(),
            "one cursor per snapshot"
        );
        let seq = res.body["connection_sequence"].as_i64().unwrap();
        assert!(seq > s1, "later pages reflect the writes");
        assert!(
            res.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["sequence"] == seq)
        );
        replica.load(&res.body);
        next = res.body["next_cursor"].as_str().map(str::to_string);
        pages += 1;
    }
    assert_eq!(pages, 4, "5 users (u4 deleted, u5 added) + 2 groups by 2");
    // u5 was created after the snapshot started: it is in the snapshot in the events' shape.
    let u5_created = wait_for("u5's event", Duration::from_secs(20), || async {
        let (events, _) = api
            .drain(
                None,
                &format!("&connection_id={conn}&types=user.created"),
                100,
            )
            .await;
        events.into_iter().find(|e| e["data"]["id"] == u5.as_str())
    })
    .await;
    assert_eq!(replica.users[&u5], u5_created["data"]);

    // Tail from the snapshot's cursor until the last write, applying the protocol.
    let final_seq = full_snapshot(&api, &snapshot).await["connection_sequence"]
        .as_i64()
        .unwrap();
    let tail = wait_for(
        "the tail to reach the last write",
        Duration::from_secs(30),
        || async {
            let (events, _) = api
                .drain(Some(&events_cursor), &format!("&connection_id={conn}"), 3)
                .await;
            events
                .last()
                .is_some_and(|e| e["sequence"] == final_seq)
                .then_some(events)
        },
    )
    .await;
    let sequences: Vec<i64> = tail
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]));
    assert!(
        sequences[0] <= s1 + 1,
        "the tail starts no later than the snapshot"
    );
    for event in &tail {
        replica.apply(event);
    }

    let mut truth = Replica::default();
    truth.load(&full_snapshot(&api, &snapshot).await);
    assert_eq!(replica.summary(), truth.summary());
    let (users_now, groups_now) = truth.summary();
    assert_eq!(users_now.len(), 5);
    assert_eq!(users_now[&users[3]]["active"], false);
    assert_eq!(users_now[&users[0]]["first_name"], "Zero");
    assert_eq!(groups_now[&g2], "G2b");
    app.stop().await;
}

async fn full_snapshot(api: &Api<'_>, path: &str) -> Value {
    let res = api.get(&format!("{path}?limit=1000")).await;
    assert_eq!(res.status, 200);
    assert!(res.body["next_cursor"].is_null());
    res.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_connections_and_bad_cursors() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let tenant = app.svc.create_tenant("Acme", None).await.unwrap();
    let a = app
        .svc
        .create_connection(tenant.id, "", "okta")
        .await
        .unwrap();
    let b = app
        .svc
        .create_connection(tenant.id, "", "entra")
        .await
        .unwrap();

    let res = api.get(&format!("/connections/{}/snapshot", a.id)).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["data"], json!([]));
    assert!(res.body["next_cursor"].is_null());
    assert_eq!(res.body["connection_sequence"], 0);
    let (events, _) = api
        .events(&format!(
            "after={}",
            res.body["events_cursor"].as_str().unwrap()
        ))
        .await;
    assert!(
        events.is_empty(),
        "the events cursor is a valid feed cursor"
    );

    // A page cursor only continues its own connection's snapshot.
    let s = connect(&app, "Other", "okta").await;
    for i in 0..2 {
        post(&s, "/Users", json!({"userName": format!("x{i}")})).await;
    }
    let other = connection_of(&s);
    let page = api
        .get(&format!("/connections/{other}/snapshot?limit=1"))
        .await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let res = api
        .get(&format!("/connections/{}/snapshot?after={cursor}", b.id))
        .await;
    assert_problem(&res, 400, "validation");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("another connection")
    );
    let res = api
        .get(&format!("/connections/{}/snapshot?after=garbage", a.id))
        .await;
    assert_problem(&res, 400, "validation");
    let res = api
        .get(&format!("/connections/{}/snapshot?limit=5000", a.id))
        .await;
    assert_problem(&res, 400, "validation");
    app.stop().await;
}
