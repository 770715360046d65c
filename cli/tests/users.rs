//! SCIM Users: replace, delete, preconditions, the computed `groups`, and the event rules.

mod support;

use serde_json::json;
use support::TestApp;
use support::scim::{Method, connect, event_count, events_after};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_emits_the_right_events_and_noops_emit_nothing() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let (status, user) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({"userName": "ada", "title": "Engineer", "name": {"givenName": "Ada"}})),
        )
        .await;
    assert_eq!(status, 201);
    let id = user["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");

    // Okta: GET, then PUT the whole resource with a change (read-only attributes included).
    let mut body = user.clone();
    body["title"] = json!("CTO");
    let before = event_count(&app).await;
    let (status, replaced) = s.send(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["title"], "CTO");
    assert_eq!(replaced["id"], id.as_str());
    assert_eq!(replaced["meta"]["version"], "W/\"2\"");
    assert_eq!(replaced["meta"]["created"], user["meta"]["created"]);
    let evs = events_after(&app, before).await;
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, "user.updated");
    assert_eq!(evs[0].previous, json!({"raw": {"title": "Engineer"}}));

    // The same PUT again: nothing changes, nothing is emitted, the version stays.
    let before = event_count(&app).await;
    let (status, same) = s.send(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(same["meta"]["version"], "W/\"2\"");
    assert_eq!(event_count(&app).await, before);

    // Deactivation (Entra sends the string "False") is announced as such, not as an update.
    body["active"] = json!("False");
    let (status, off) = s.send(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(off["active"], false);
    let evs = events_after(&app, before).await;
    let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["user.deactivated"]);
    assert_eq!(evs[0].data["active"], false);

    // Reactivation together with a rename: both events.
    body["active"] = json!(true);
    body["name"] = json!({"givenName": "Augusta"});
    let before = event_count(&app).await;
    let (status, _) = s.send(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(status, 200);
    let evs = events_after(&app, before).await;
    let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["user.reactivated", "user.updated"]);
    assert_eq!(evs[1].previous["first_name"], "Ada");
    assert!(evs[1].previous.get("active").is_none());

    // userName uniqueness holds on replace too.
    s.send(Method::POST, "/Users", Some(json!({"userName": "bob"})))
        .await;
    body["userName"] = json!("BOB");
    let (status, err) = s.send(Method::PUT, &path, Some(body)).await;
    assert_eq!(status, 409);
    assert_eq!(err["scimType"], "uniqueness");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etags_guard_writes_and_reads() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "generic").await;
    let (_, user) = s
        .send(Method::POST, "/Users", Some(json!({"userName": "eve"})))
        .await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());

    let (status, _) = s
        .send_with(Method::GET, &path, None, &[("If-None-Match", "W/\"1\"")])
        .await;
    assert_eq!(status, 304);
    let (status, _) = s
        .send_with(Method::GET, &path, None, &[("If-None-Match", "W/\"7\"")])
        .await;
    assert_eq!(status, 200);

    let change = json!({"userName": "eve", "title": "x"});
    for stale in ["W/\"9\"", "\"garbage\""] {
        let (status, err) = s
            .send_with(
                Method::PUT,
                &path,
                Some(change.clone()),
                &[("If-Match", stale)],
            )
            .await;
        assert_eq!(status, 412, "{stale}");
        assert_eq!(err["status"], "412");
    }
    let (status, _) = s
        .send_with(
            Method::PUT,
            &path,
            Some(change.clone()),
            &[("If-Match", "W/\"0\", W/\"1\"")],
        )
        .await;
    assert_eq!(status, 200, "any listed version may match");
    let (status, _) = s
        .send_with(Method::DELETE, &path, None, &[("If-Match", "W/\"1\"")])
        .await;
    assert_eq!(status, 412, "the user is at version 2 now");
    let (status, _) = s
        .send_with(Method::DELETE, &path, None, &[("If-Match", "*")])
        .await;
    assert_eq!(status, 204);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_computed_and_delete_announces_removals() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "entra").await;
    let (_, user) = s
        .send(Method::POST, "/Users", Some(json!({"userName": "kim"})))
        .await;
    let uid = user["id"].as_str().unwrap().to_string();
    assert_eq!(user["groups"], json!([]));
    let (_, group) = s
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Sales", "members": [{"value": uid}]})),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_string();

    let (_, fetched) = s.send(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(fetched["groups"][0]["value"], gid.as_str());
    assert_eq!(fetched["groups"][0]["display"], "Sales");
    assert!(
        fetched["groups"][0]["$ref"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Groups/{gid}"))
    );

    // `groups` is read-only: writing it changes nothing.
    let mut body = fetched.clone();
    body["groups"] = json!([]);
    let before = event_count(&app).await;
    let (status, after) = s
        .send(Method::PUT, &format!("/Users/{uid}"), Some(body))
        .await;
    assert_eq!(status, 200);
    assert_eq!(after["groups"][0]["value"], gid.as_str());
    assert_eq!(event_count(&app).await, before);

    let (status, _) = s.send(Method::DELETE, &format!("/Users/{uid}"), None).await;
    assert_eq!(status, 204);
    let evs = events_after(&app, before).await;
    let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["group.user_removed", "user.deleted"]);
    assert_eq!(evs[1].data["id"], uid.as_str());
    let (_, group) = s.send(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(group["members"], json!([]));
    let (status, _) = s.send(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = s.send(Method::DELETE, &format!("/Users/{uid}"), None).await;
    assert_eq!(status, 404);
    app.stop().await;
}
