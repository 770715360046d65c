//! Malformed and abusive requests on every route. Every operation of the OpenAPI document
//! under `/api/v1` and `/scim/v2` gets, with valid credentials, the corpus of `abuse/corpus.rs`
//! (broken, mistyped, oversized and mislabelled bodies; bad path ids, query values, filter
//! bombs and ETags; webhook URLs aimed at this machine) and the refused writes of
//! `abuse/writes.rs`. Every answer must be what the table says (a 4xx unless the input is
//! documented as fine), never a 5xx, within 10 s, in the API's error format; and afterwards
//! every table requests can write is as it was, the world's user and group byte for byte.
//! Unusual but valid names must be stored and given back exactly, and change only what their
//! requests created.

mod support;

#[path = "abuse/corpus.rs"]
mod corpus;
#[path = "abuse/params.rs"]
mod params;
#[path = "abuse/state.rs"]
mod state;
#[path = "abuse/writes.rs"]
mod writes;

use corpus::{Expect, Probe, is_scim};
use futures::StreamExt;
use roster_domain::services::ApiKeyScope;
use serde_json::{Value, json};
use state::{Snapshot, settle};
use std::collections::BTreeMap;
use std::time::Duration;
use support::api::{Api, Res, check_problem, problem_slug};
use support::routes::{GROUP_SCHEMA, USER_SCHEMA, World, document, keyed, operations, world};
use support::scim::check_scim_error;
use support::{Options, TestApp};

/// Longest wait for any answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Requests in flight at once.
const PARALLEL: usize = 4;

fn configure(config: &mut roster_domain::Config) {
    keyed(config);
    // Webhooks may reach one loopback address no corpus URL names: 127.0.0.1, `localhost` and
    // the private networks are refused as in production.
    config.webhook.allowed_networks = vec!["127.0.0.9/32".parse().unwrap()];
}

struct Client<'a> {
    app: &'a TestApp,
    api_key: String,
    scim_token: String,
}

impl Client<'_> {
    async fn send(&self, probe: &Probe) -> Result<Res, String> {
        let url = format!("{}{}", self.app.base_url, probe.path);
        let token = match is_scim(&probe.path) {
            true => &self.scim_token,
            false => &self.api_key,
        };
        let mut req = self
            .app
            .http
            .request(probe.method.clone(), url)
            .bearer_auth(token);
        for (name, value) in &probe.headers {
            req = req.header(*name, value);
        }
        if let Some(body) = &probe.body {
            req = req.body(body.clone());
        }
        let answer = async {
            let res = req.send().await.map_err(|e| format!("no answer: {e:?}"))?;
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let text = res.text().await.map_err(|e| format!("no body: {e}"))?;
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            Ok(Res {
                status,
                headers,
                body,
            })
        };
        tokio::time::timeout(TIMEOUT, answer)
            .await
            .map_err(|_| format!("no answer within {TIMEOUT:?}"))?
    }
}

fn excerpt(body: &Value) -> String {
    let text = body.to_string();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Every operation of a Bulk response failed (a 4xx each).
fn every_operation_failed(body: &Value) -> bool {
    body["Operations"].as_array().is_some_and(|ops| {
        ops.iter().all(|op| {
            let status = op["status"].as_str().and_then(|s| s.parse::<u16>().ok());
            status.is_some_and(|s| (400..500).contains(&s))
        })
    })
}

/// The answer is what the probe expects, in the API's format.
fn check(probe: &Probe, res: &Res) -> Result<(), String> {
    let status = res.status;
    let client_error = (400..500).contains(&status);
    let fine = match probe.expect {
        _ if status >= 500 => false,
        Expect::Refused => client_error,
        Expect::Status(expected) => status == expected,
        Expect::Lenient => client_error || (200..300).contains(&status),
        Expect::BulkFailed => client_error || (status == 200 && every_operation_failed(&res.body)),
    };
    if !fine && status == 200 && probe.expect == Expect::BulkFailed {
        let ops = res.body["Operations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let statuses: Vec<&Value> = ops.iter().map(|op| &op["status"]).collect();
        return Err(format!("200 with operations answered {statuses:?}"));
    }
    if !fine {
        let expected = probe.expect;
        return Err(format!(
            "{status}, expected {expected:?}: {}",
            excerpt(&res.body)
        ));
    }
    if status < 400 {
        if is_scim(&probe.path) && status != 204 && status != 304 {
            let ct = res
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            if !ct.is_some_and(|ct| ct.starts_with("application/scim+json")) {
                return Err(format!("{status} with content type {ct:?}"));
            }
        }
        return Ok(());
    }
    let body = match &res.body {
        Value::String(text) => Value::String(text.chars().take(300).collect()),
        other => other.clone(),
    };
    let res = Res {
        status,
        headers: res.headers.clone(),
        body,
    };
    match is_scim(&probe.path) {
        true => check_scim_error(status, &res.headers, &res.body),
        false => check_problem(&res, status, problem_slug(status)),
    }
}

/// Sends every probe; returns how many were sent and what went wrong.
async fn run(client: &Client<'_>, probes: Vec<Probe>) -> (usize, Vec<String>) {
    let sent = probes.len();
    let failures = futures::stream::iter(probes)
        .map(|probe| async move {
            let outcome = client.send(&probe).await;
            outcome
                .and_then(|res| check(&probe, &res))
                .err()
                .map(|e| format!("{}: {e}", probe.what))
        })
        .buffer_unordered(PARALLEL)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    (sent, failures)
}

/// A SCIM resource as GET shows it: the body's text and the ETag.
async fn look(client: &Client<'_>, path: &str) -> (String, String) {
    let res = client
        .app
        .http
        .get(format!("{}{path}", client.app.base_url));
    let res = res.bearer_auth(&client.scim_token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    (res.text().await.unwrap(), etag)
}

async fn start() -> (TestApp, World) {
    let app = TestApp::start_with(Options {
        configure: Some(configure),
        ..Default::default()
    })
    .await;
    let world = world(&app).await;
    settle(&app).await;
    (app, world)
}

fn report(failures: &[String]) -> String {
    let shown: Vec<&str> = failures.iter().take(60).map(String::as_str).collect();
    format!("{} failures:\n{}", failures.len(), shown.join("\n"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_on_every_route_are_refused_cleanly_and_change_nothing() {
    let (app, world) = start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let client = Client {
        app: &app,
        api_key: api.key.clone(),
        scim_token: world.scim_token.clone(),
    };
    let connection = format!("/scim/v2/{}", world.ids["connection_id"]);
    let resources = [
        format!("{connection}/Users/{}", world.ids["user_id"]),
        format!("{connection}/Groups/{}", world.ids["group_id"]),
    ];
    let mut seen = Vec::new();
    for path in &resources {
        seen.push(look(&client, path).await);
    }
    let before = Snapshot::take(&app).await;

    let doc = document();
    let big = corpus::ten_megabytes();
    // Per kind of probe: requests sent, and on how many routes.
    let mut tally: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut all = operations(&doc, "/api/v1/");
    all.extend(operations(&doc, "/scim/v2/"));
    let routes = all.len();
    for op in all {
        let body = match op.takes_body() {
            true => corpus::body_probes(&doc, &op, &world, &big),
            false => vec![],
        };
        for (kind, probes) in [
            ("path ids", params::path_probes(&op, &world)),
            ("query strings", params::query_probes(&op, &world)),
            ("ETags", params::etag_probes(&op, &world)),
            ("bodies", body),
        ] {
            let (sent, failed) = run(&client, probes).await;
            let entry = tally.entry(kind).or_default();
            *entry = (entry.0 + sent, entry.1 + usize::from(sent > 0));
            failures.extend(failed);
        }
    }
    for (kind, probes, routes) in [
        ("webhook URLs", writes::webhook_probes(&world), 2),
        ("refused writes", writes::write_probes(&world), 6),
    ] {
        let (sent, failed) = run(&client, probes).await;
        tally.insert(kind, (sent, routes));
        failures.extend(failed);
    }
    assert!(routes >= 70, "only {routes} routes in the document");
    eprintln!("{routes} operations; hostile requests (sent, on routes): {tally:?}");

    for (path, earlier) in resources.iter().zip(&seen) {
        let now = look(&client, path).await;
        if &now != earlier {
            failures.push(format!("{path} changed: {earlier:?} -> {now:?}"));
        }
    }
    let after = Snapshot::take(&app).await;
    for (table, added, gone) in before.diff(&after) {
        failures.push(format!("{table} changed: +{added:?} -{gone:?}"));
    }
    assert!(failures.is_empty(), "{}", report(&failures));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusual_but_valid_names_round_trip_exactly_and_change_only_what_they_create() {
    let (app, world) = start().await;
    let api = Api::new(&app, ApiKeyScope::Full, None).await;
    let scim = support::scim::Scim {
        app: &app,
        base: format!("{}/scim/v2/{}", app.base_url, world.ids["connection_id"]),
        token: world.scim_token.clone(),
    };
    let before = Snapshot::take(&app).await;
    let mut created: Vec<String> = Vec::new();
    let mut scim_creates = 0;
    let may_refuse = |what: &str| what.starts_with("100k");
    for (i, (what, name)) in writes::unusual_names().into_iter().enumerate() {
        let user_name = format!("u{i}-{name}@x.test");
        let body = json!({"schemas": [USER_SCHEMA], "userName": user_name,
            "displayName": name, "name": {"givenName": name}});
        let (status, user) = scim.send(reqwest::Method::POST, "/Users", Some(body)).await;
        let group = json!({"schemas": [GROUP_SCHEMA], "displayName": format!("g{i}-{name}")});
        let (group_status, group) = scim
            .send(reqwest::Method::POST, "/Groups", Some(group))
            .await;
        let tenant = api
            .send(
                reqwest::Method::POST,
                "/tenants",
                Some(json!({"name": name})),
            )
            .await;
        eprintln!(
            "{what}: user {status}, group {group_status}, tenant {}",
            tenant.status
        );
        for (kind, status, body) in [
            ("user", status, &user),
            ("group", group_status, &group),
            ("tenant", tenant.status, &tenant.body),
        ] {
            match status {
                201 => created.push(body["id"].as_str().unwrap().to_string()),
                400 | 413 if may_refuse(what) => continue,
                other => panic!("{kind} with {what}: {other} {}", excerpt(body)),
            }
            scim_creates += usize::from(kind != "tenant");
        }
        if status == 201 {
            let id = user["id"].as_str().unwrap();
            let stored = scim
                .ok(reqwest::Method::GET, &format!("/Users/{id}"), None)
                .await;
            assert_eq!(stored["userName"], user_name, "{what}");
            assert_eq!(stored["displayName"], name.as_str(), "{what}");
            assert_eq!(stored["name"]["givenName"], name.as_str(), "{what}");
            if !may_refuse(what) {
                let filter = params::enc(&format!("userName eq {}", json!(user_name)));
                let found = scim
                    .ok(
                        reqwest::Method::GET,
                        &format!("/Users?filter={filter}"),
                        None,
                    )
                    .await;
                assert_eq!(found["totalResults"], 1, "{what}: {found}");
                assert_eq!(found["Resources"][0]["id"], id, "{what}");
            }
        }
        if group_status == 201 {
            let id = group["id"].as_str().unwrap();
            let stored = scim
                .ok(reqwest::Method::GET, &format!("/Groups/{id}"), None)
                .await;
            assert_eq!(stored["displayName"], format!("g{i}-{name}"), "{what}");
        }
        if tenant.status == 201 {
            let id = tenant.body["id"].as_str().unwrap();
            let stored = api.get(&format!("/tenants/{id}")).await;
            assert_eq!(stored.body["name"], name.as_str(), "{what}");
        }
    }
    // SCIM reads a body without a Content-Type as JSON (IdPs omit it).
    let res = app
        .http
        .post(format!("{}/Users", scim.base))
        .bearer_auth(&scim.token)
        .body(json!({"schemas": [USER_SCHEMA], "userName": "bare@x.test"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let bare: Value = res.json().await.unwrap();
    created.push(bare["id"].as_str().unwrap().to_string());
    scim_creates += 1;

    settle(&app).await;
    let after = Snapshot::take(&app).await;
    let mentions = |row: &String| created.iter().any(|id| row.contains(id.as_str()));
    let mut events = 0;
    for (table, added, gone) in before.diff(&after) {
        assert!(gone.is_empty(), "{table} changed or lost rows: {gone:?}");
        match table {
            "users" | "groups" | "tenants" | "events" | "audit entries" | "deliveries" => {}
            other => panic!("{other} got rows: {added:?}"),
        }
        if table == "events" {
            events = added.len();
        }
        if table != "deliveries" {
            let stray: Vec<&String> = added.iter().filter(|row| !mentions(row)).collect();
            assert!(
                stray.is_empty(),
                "{table}: rows no request created: {stray:?}"
            );
        }
    }
    assert_eq!(events, scim_creates, "one event per SCIM resource created");
    app.stop().await;
}
