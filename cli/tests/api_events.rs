//! The Events API: cursor paging that never skips or repeats (also under concurrent writers),
//! filters, the event body being exactly the webhook body, and problem+json on bad input.

mod support;

use roster_domain::services::{ApiKeyScope, NewEndpoint};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use support::api::{Api, assert_problem, connection_of};
use support::scim::{Method, Scim, connect};
use support::{Receiver, TestApp, wait_for};

async fn create_users(s: &Scim<'_>, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, user) = s
            .send(
                Method::POST,
                "/Users",
                Some(json!({"userName": format!("{prefix}{i}")})),
            )
            .await;
        assert_eq!(status, 201, "{user}");
        ids.push(user["id"].as_str().unwrap().to_string());
    }
    ids
}

/// Waits until the feed (read page by page) holds `n` events; returns them.
async fn feed_of(api: &Api<'_>, filter: &str, n: usize) -> Vec<Value> {
    wait_for("events in the feed", Duration::from_secs(30), || async {
        let (events, _) = api.drain(None, filter, 1000).await;
        (events.len() >= n).then_some(events)
    })
    .await
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_pages_neither_skip_nor_repeat_and_empty_pages_return_a_cursor_to_poll() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let (empty, start) = api.events("").await;
    assert!(empty.is_empty());

    let s = connect(&app, "Acme", "okta").await;
    create_users(&s, "u", 7).await;
    let all = feed_of(&api, "", 8).await;
    assert_eq!(all.len(), 8, "connection.activated + 7 user.created");
    assert_eq!(all[0]["type"], "connection.activated");
    let sequences: Vec<i64> = all
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sequences,
        (1..=8).collect::<Vec<_>>(),
        "feed order follows sequence"
    );

    // Pages of 3 from the start cursor an empty feed returned: 3 + 3 + 2, then empty pages
    // that hand the same cursor back.
    let (page1, c1) = api.events(&format!("limit=3&after={start}")).await;
    let (page2, c2) = api.events(&format!("limit=3&after={c1}")).await;
    let (page3, c3) = api.events(&format!("limit=3&after={c2}")).await;
    assert_eq!((page1.len(), page2.len(), page3.len()), (3, 3, 2));
    let paged: Vec<Value> = [page1, page2, page3].concat();
    assert_eq!(ids(&paged), ids(&all));
    let (idle, c4) = api.events(&format!("limit=3&after={c3}")).await;
    assert!(idle.is_empty());
    assert_eq!(c4, c3, "an empty page echoes the cursor");

    // New events appear after the cursor the idle poll returned, once.
    create_users(&s, "late", 2).await;
    let tail = wait_for("the new events", Duration::from_secs(20), || async {
        let (events, _) = api.events(&format!("after={c4}")).await;
        (events.len() == 2).then_some(events)
    })
    .await;
    assert!(tail.iter().all(|e| e["type"] == "user.created"));
    assert_eq!(tail[0]["data"]["user_name"], "late0");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_by_type_pattern_tenant_and_connection() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let a = connect(&app, "A", "okta").await;
    let b = connect(&app, "B", "entra").await;
    let users = create_users(&a, "a", 2).await;
    create_users(&b, "b", 1).await;
    let (status, _) = a
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Eng", "members": [{"value": users[0]}]})),
        )
        .await;
    assert_eq!(status, 201);
    // a: activated, 2 × user.created, group.created, group.user_added; b: activated, created.
    feed_of(&api, "", 7).await;

    let types = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect()
    };
    let (groups, _) = api.drain(None, "&types=group.*", 2).await;
    assert_eq!(types(&groups), ["group.created", "group.user_added"]);
    let (mixed, _) = api
        .drain(None, "&types=user.created,%20group.user_added", 2)
        .await;
    assert_eq!(
        types(&mixed),
        [
            "user.created",
            "user.created",
            "user.created",
            "group.user_added"
        ]
    );
    let (everything, _) = api.drain(None, "&types=*", 2).await;
    assert_eq!(everything.len(), 7);

    let a_conn = connection_of(&a);
    let a_tenant = app.svc.get_connection(a_conn).await.unwrap().tenant_id;
    let (of_a, _) = api
        .drain(None, &format!("&connection_id={a_conn}"), 2)
        .await;
    assert_eq!(of_a.len(), 5);
    assert!(
        of_a.iter()
            .all(|e| e["connection_id"] == a_conn.to_string())
    );
    let (of_tenant, cursor) = api
        .drain(None, &format!("&tenant_id={a_tenant}&types=user.*"), 1)
        .await;
    assert_eq!(types(&of_tenant), ["user.created", "user.created"]);

    // A filtered poll that finds nothing still moves its cursor past what it read: b's next
    // event is not a match and is not read again.
    create_users(&b, "b-late", 1).await;
    feed_of(&api, "", 8).await;
    let (none, next) = api
        .events(&format!("after={cursor}&tenant_id={a_tenant}&types=user.*"))
        .await;
    assert!(none.is_empty());
    assert_ne!(next, cursor);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_exactly_its_webhook_body() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    app.svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            description: "test".into(),
            event_types: vec!["user.*".into()],
            tenant_id: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let tenant = app.svc.create_tenant("Acme", Some("org_9")).await.unwrap();
    let conn = app
        .svc
        .create_connection(tenant.id, "", "okta")
        .await
        .unwrap();
    let token = app.svc.issue_scim_token(conn.id, None).await.unwrap();
    let s = Scim {
        app: &app,
        base: format!("{}/scim/v2/{}", app.base_url, conn.id),
        token: token.token,
    };
    let (_, user) = s
        .send(
            Method::POST,
            "/Users",
            Some(json!({"userName": "ada", "name": {"givenName": "Ada"}})),
        )
        .await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name.givenName", "value": "Augusta"}]});
    assert_eq!(s.send(Method::PATCH, &path, Some(patch)).await.0, 200);

    let hooks = wait_for("two webhooks", Duration::from_secs(30), || async {
        let got = receiver.received();
        (got.len() == 2).then_some(got)
    })
    .await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    for hook in hooks {
        let body = hook.json();
        let res = api
            .get(&format!("/events/{}", body["id"].as_str().unwrap()))
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.body, body,
            "the API returns the delivered envelope unchanged"
        );
        assert_eq!(res.body["tenant_external_id"], "org_9");
    }
    // An event enters the feed moments after it commits (the relay's sequencer gives it its
    // position; a webhook may be faster).
    let updates = wait_for(
        "the update in the feed",
        Duration::from_secs(10),
        || async {
            let (updates, _) = api.drain(None, "&types=user.updated", 10).await;
            (!updates.is_empty()).then_some(updates)
        },
    )
    .await;
    assert_eq!(updates[0]["previous_attributes"]["first_name"], "Ada");
    receiver.stop().await;
    app.stop().await;
}

/// Writers on several connections commit concurrently while a client tails the feed with small
/// pages: every event is read exactly once, and each connection's events come in sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tailing_during_concurrent_writes_misses_nothing() {
    const CONNECTIONS: usize = 4;
    const USERS: usize = 12;
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let clients: Vec<Scim<'_>> = {
        let mut v = Vec::new();
        for i in 0..CONNECTIONS {
            v.push(connect(&app, &format!("T{i}"), "generic").await);
        }
        v
    };
    let expected = CONNECTIONS * (USERS + 1);
    let writers = futures::future::join_all(clients.iter().enumerate().map(|(i, s)| async move {
        create_users(s, &format!("c{i}-"), USERS).await;
    }));
    let tailer = async {
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor: Option<String> = None;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while seen.len() < expected {
            assert!(
                std::time::Instant::now() < deadline,
                "tail stalled at {}",
                seen.len()
            );
            let after = cursor
                .as_deref()
                .map(|c| format!("&after={c}"))
                .unwrap_or_default();
            let (page, next) = api.events(&format!("limit=5{after}")).await;
            if page.is_empty() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen.extend(page);
            cursor = Some(next);
        }
        seen
    };
    let (_, seen) = tokio::join!(writers, tailer);
    let unique: HashSet<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), seen.len(), "no event was read twice");
    assert_eq!(seen.len(), expected, "no event was skipped");
    let mut last: HashMap<&str, i64> = HashMap::new();
    for e in &seen {
        let conn = e["connection_id"].as_str().unwrap();
        let seq = e["sequence"].as_i64().unwrap();
        let prev = last.insert(conn, seq).unwrap_or(0);
        assert_eq!(seq, prev + 1, "each connection's events in sequence order");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_400_problem_and_unknown_routes_are_problems_too() {
    let app = TestApp::start().await;
    let api = Api::new(&app, ApiKeyScope::ReadOnly, None).await;
    let cases = [
        ("/events?after=not-a-cursor", "`after` is not a cursor"),
        // A well-formed cursor this feed never issued (beyond its head).
        (
            "/events?after=eyJwIjo5OTk5OTl9",
            "not a position of this event feed",
        ),
        ("/events?limit=0", "limit must be between 1 and 1000"),
        ("/events?limit=1001", "limit must be between 1 and 1000"),
        ("/events?limit=many", "invalid query string"),
        (
            "/events?types=user.create",
            "`user.create` is not an event type",
        ),
        ("/events?tenant_id=42", "invalid query string"),
        ("/events?type=user.created", "invalid query string"),
        ("/events/not-a-uuid", "invalid path parameter"),
        ("/connections/nope/snapshot", "invalid path parameter"),
    ];
    for (path, detail) in cases {
        let res = api.get(path).await;
        assert_problem(&res, 400, "validation");
        assert!(
            res.body["detail"].as_str().unwrap().contains(detail),
            "{path}: {}",
            res.body
        );
    }
    let res = api
        .get("/events/0196b5b0-0000-7000-8000-000000000000")
        .await;
    assert_problem(&res, 404, "not-found");
    let res = api.get("/nothing-here").await;
    assert_problem(&res, 404, "not-found");
    // (A read-only key is refused any write first: 403. A full key learns the method is wrong.)
    let full = Api::new(&app, ApiKeyScope::Full, None).await;
    let res = app
        .http
        .delete(format!("{}/api/v1/events", app.base_url))
        .bearer_auth(&full.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://roster.dev/problems/method-not-allowed"
    );
    app.stop().await;
}

/// Several sequencers (one per worker process) running while writers commit: every event gets
/// exactly one position, positions have no gaps, and each connection's positions follow its
/// sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sequencers_hand_out_each_position_once() {
    use roster_domain::Services;
    use roster_domain::entities::event;
    use sea_orm::{EntityTrait, QueryOrder};

    let app = TestApp::start().await;
    let mut sequencers = Vec::new();
    for _ in 0..2 {
        sequencers.push(
            Services::start(app.svc.config.as_ref().clone(), false)
                .await
                .unwrap(),
        );
    }
    let mut clients = Vec::new();
    for i in 0..3 {
        clients.push(connect(&app, &format!("T{i}"), "generic").await);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let writers = async {
        futures::future::join_all(clients.iter().enumerate().map(|(i, s)| async move {
            create_users(s, &format!("w{i}-"), 10).await;
        }))
        .await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let spin = |svc: &Services| {
        let svc = svc.clone();
        let done = &done;
        async move {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                svc.sequence_events().await.unwrap();
            }
            while svc.sequence_events().await.unwrap() > 0 {}
        }
    };
    tokio::join!(writers, spin(&sequencers[0]), spin(&sequencers[1]));

    let rows = event::Entity::find()
        .order_by_asc(event::Column::FeedPosition)
        .all(&app.svc.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 33);
    let positions: Vec<i64> = rows.iter().map(|r| r.feed_position.unwrap()).collect();
    assert_eq!(positions, (1..=33).collect::<Vec<i64>>());
    let mut last: HashMap<uuid::Uuid, i64> = HashMap::new();
    for row in &rows {
        let prev = last.insert(row.connection_id.unwrap(), row.sequence);
        assert_eq!(row.sequence, prev.unwrap_or(0) + 1);
    }
    for svc in sequencers {
        svc.db.close().await.ok();
    }
    app.stop().await;
}
