//! A connection's lifecycle as events: deactivation refuses the IdP at once and tells the app,
//! activation lets it back in, deletion removes its directory and says so last.

mod support;

use roster_domain::services::NewEndpoint;
use serde_json::json;
use std::time::Duration;
use support::scim::{Method, connect};
use support::{Receiver, TestApp, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_activate_and_delete_emit_connection_events() {
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    app.svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            event_types: vec!["connection.*".into(), "user.created".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let scim = connect(&app, "Acme", "okta").await;
    let (status, user) = scim
        .send(Method::POST, "/Users", Some(json!({"userName": "ada"})))
        .await;
    assert_eq!(status, 201);
    let id = scim.base.rsplit('/').next().unwrap().parse().unwrap();

    let view = app
        .svc
        .set_connection_active(id, None, false)
        .await
        .unwrap();
    assert_eq!(view.state, "inactive");
    // Refused at once, although the token was cached by the request above.
    let (status, body) = scim.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 401, "{body}");
    // Deactivating again changes nothing and emits nothing.
    app.svc
        .set_connection_active(id, None, false)
        .await
        .unwrap();

    let view = app.svc.set_connection_active(id, None, true).await.unwrap();
    assert_eq!(view.state, "active");
    let (status, _) = scim.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 200);

    app.svc.delete_connection(id, None).await.unwrap();
    let (status, _) = scim.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 401);
    assert!(app.svc.get_connection(id).await.is_err());
    let user_id = user["id"].as_str().unwrap();
    assert!(!user_id.is_empty());

    let hooks = wait_for("five events", Duration::from_secs(20), || async {
        let got = receiver.received();
        (got.len() >= 5).then_some(got)
    })
    .await;
    let mut seen: Vec<(i64, String)> = hooks
        .iter()
        .map(|h| {
            let body = h.json();
            let seq = body["sequence"].as_i64().unwrap();
            (seq, body["type"].as_str().unwrap().to_string())
        })
        .collect();
    seen.sort();
    let types: Vec<&str> = seen.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "connection.activated",
            "user.created",
            "connection.deactivated",
            "connection.activated",
            "connection.deleted",
        ]
    );
    let sequences: Vec<i64> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        sequences,
        [1, 2, 3, 4, 5],
        "one sequence, gapless, to the end"
    );
    receiver.stop().await;
    app.stop().await;
}
