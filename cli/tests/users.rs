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

/// A create writes the user and its `user.created` together (on PostgreSQL, one statement):
/// concurrent creates of one connection take consecutive sequences, a rejected one takes none,
/// the answer is the user as stored, and a connection without its event counter gets neither
/// the user nor an event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_write_the_user_and_its_event_together() {
    use roster_domain::entities::{connection_sequence, event, scim_user};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let connection: uuid::Uuid = s.base.rsplit('/').next().unwrap().parse().unwrap();
    let create = |i: usize| {
        s.send(
            Method::POST,
            "/Users",
            Some(json!({
                "userName": format!("user{i}@example.com"),
                "name": {"givenName": format!("Given{i}")},
                "emails": [{"value": format!("user{i}@example.com"), "primary": true}],
            })),
        )
    };
    let mut created = Vec::new();
    for (status, user) in futures::future::join_all((0..20).map(create)).await {
        assert_eq!(status, 201, "{user}");
        created.push(user);
    }
    let (status, err) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({"userName": "USER3@example.com"})),
        )
        .await;
    assert_eq!(
        (status, err["scimType"].as_str()),
        (409, Some("uniqueness"))
    );
    let (status, last) = create(20).await;
    assert_eq!(status, 201, "{last}");
    created.push(last);

    for user in &created {
        let id = user["id"].as_str().unwrap();
        let (status, stored) = s.send(Method::GET, &format!("/Users/{id}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(&stored, user, "the create answered the user as stored");
    }
    let events = event::Entity::find()
        .filter(event::Column::ConnectionId.eq(connection))
        .order_by_asc(event::Column::Sequence)
        .all(&app.svc.db)
        .await
        .unwrap();
    // The first request also activated the connection (`connection.activated`).
    let sequences: Vec<i64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        (1..=22).collect::<Vec<i64>>(),
        "no gap, no repeat"
    );
    let creates: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == "user.created")
        .collect();
    assert_eq!(creates.len(), 21);
    for e in creates {
        assert_eq!(e.payload["sequence"], e.sequence);
        let id = e.payload["data"]["id"].as_str().unwrap();
        let user = created.iter().find(|u| u["id"] == id).unwrap();
        assert_eq!(e.payload["data"]["user_name"], user["userName"]);
        assert_eq!(e.payload["data"]["first_name"], user["name"]["givenName"]);
    }

    // Without its counter (which only a hand edit of the database could remove), a create
    // fails and writes nothing.
    connection_sequence::Entity::delete_by_id(connection)
        .exec(&app.svc.db)
        .await
        .unwrap();
    let users_before = scim_user::Entity::find()
        .filter(scim_user::Column::ConnectionId.eq(connection))
        .count(&app.svc.db)
        .await
        .unwrap();
    let (status, err) = create(21).await;
    assert!(status >= 400, "{status} {err}");
    let users_after = scim_user::Entity::find()
        .filter(scim_user::Column::ConnectionId.eq(connection))
        .count(&app.svc.db)
        .await
        .unwrap();
    assert_eq!(users_after, users_before, "no user without its event");
    assert_eq!(
        event::Entity::find()
            .filter(event::Column::ConnectionId.eq(connection))
            .count(&app.svc.db)
            .await
            .unwrap(),
        22
    );
    app.stop().await;
}
