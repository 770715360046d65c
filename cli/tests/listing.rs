//! Listing: stable paging, totals, caps, sorting, projection inside lists.

mod support;

use serde_json::{Value, json};
use support::TestApp;
use support::scim::{Method, connect};

fn names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_totals_caps_and_sorting() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "okta").await;
    let created = ["dora", "Alice", "carl", "bob", "erin", "Fay", "gus"];
    for name in created {
        assert_eq!(
            s.send(Method::POST, "/Users", Some(json!({"userName": name})))
                .await
                .0,
            201
        );
    }

    // Okta's test connection.
    let (status, page) = s
        .send(Method::GET, "/Users?startIndex=1&count=2", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        page["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(page["totalResults"], 7);
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["startIndex"], 1);
    assert_eq!(
        names(&page),
        ["dora", "Alice"],
        "unsorted lists keep creation order"
    );

    // Walking pages returns every user exactly once.
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let (_, page) = s
            .send(
                Method::GET,
                &format!("/Users?startIndex={start}&count=3"),
                None,
            )
            .await;
        let batch = names(&page);
        if batch.is_empty() {
            break;
        }
        start += batch.len();
        seen.extend(batch);
    }
    assert_eq!(seen, created);

    let (_, last) = s
        .send(Method::GET, "/Users?startIndex=7&count=3", None)
        .await;
    assert_eq!(names(&last), ["gus"]);
    let (_, past) = s.send(Method::GET, "/Users?startIndex=99", None).await;
    assert_eq!(
        (
            past["totalResults"].as_u64(),
            past["Resources"].as_array().map(Vec::len)
        ),
        (Some(7), Some(0))
    );
    let (_, totals) = s.send(Method::GET, "/Users?count=0", None).await;
    assert_eq!(totals["totalResults"], 7);
    assert_eq!(totals["itemsPerPage"], 0);
    let (_, lenient) = s
        .send(Method::GET, "/Users?startIndex=-4&count=-1", None)
        .await;
    assert_eq!(
        (
            lenient["startIndex"].as_u64(),
            lenient["itemsPerPage"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let (_, capped) = s.send(Method::GET, "/Users?count=999999", None).await;
    assert_eq!(capped["itemsPerPage"], 7);

    let (_, sorted) = s.send(Method::GET, "/Users?sortBy=userName", None).await;
    assert_eq!(
        names(&sorted),
        ["Alice", "bob", "carl", "dora", "erin", "Fay", "gus"],
        "case-insensitive"
    );
    let (_, desc) = s
        .send(
            Method::GET,
            "/Users?sortBy=userName&sortOrder=descending&count=2",
            None,
        )
        .await;
    assert_eq!(names(&desc), ["gus", "Fay"]);

    for bad in [
        "/Users?count=ten",
        "/Users?sortBy=title",
        "/Users?sortOrder=up",
        "/Users?sortBy=a.b.c",
    ] {
        let (status, err) = s.send(Method::GET, bad, None).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(err["status"], "400");
    }

    let (_, slim) = s
        .send(Method::GET, "/Users?attributes=userName&count=1", None)
        .await;
    let keys: Vec<&String> = slim["Resources"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "id, schemas, userName: {keys:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_lists_carry_members_unless_excluded() {
    let app = TestApp::start().await;
    let s = connect(&app, "Acme", "entra").await;
    let (_, user) = s
        .send(Method::POST, "/Users", Some(json!({"userName": "u"})))
        .await;
    for name in ["B team", "a team"] {
        let body = json!({"displayName": name, "members": [{"value": user["id"]}]});
        assert_eq!(s.send(Method::POST, "/Groups", Some(body)).await.0, 201);
    }
    let (_, all) = s
        .send(Method::GET, "/Groups?sortBy=displayName", None)
        .await;
    assert_eq!(all["totalResults"], 2);
    assert_eq!(all["Resources"][0]["displayName"], "a team");
    assert_eq!(all["Resources"][0]["members"][0]["value"], user["id"]);
    let (_, slim) = s
        .send(Method::GET, "/Groups?excludedAttributes=members", None)
        .await;
    assert!(slim["Resources"][0].get("members").is_none());
    let (_, with_groups) = s.send(Method::GET, "/Users", None).await;
    assert_eq!(
        with_groups["Resources"][0]["groups"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

/// Tenants' connections range from a handful of users to millions, so a plan made for one
/// connection's parameters must not be reused for another's: PostgreSQL re-plans every
/// statement of Roster's sessions with its actual parameters (see `domain/src/db.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sessions_plan_each_statement_for_its_parameters() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::start().await;
    if app.svc.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    for _ in 0..4 {
        let row = app
            .svc
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT current_setting('plan_cache_mode') AS mode",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get::<String>("", "mode").unwrap(),
            "force_custom_plan"
        );
    }
}
