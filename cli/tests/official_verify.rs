//! Deliveries verified by the official Standard Webhooks library for Python (the library a
//! receiver would use), not by our own code: every event type of a provisioning run, unicode
//! bodies, a rotation signed by two secrets; tampering and wrong secrets must be rejected.
//!
//! The interpreter comes from `ROSTER_TEST_PYTHON`, else `target/pyenv/bin/python`;
//! `scripts/test.sh` (`make test`) creates that venv from `scripts/requirements-test.txt`.

mod support;

use roster_domain::entities::webhook_endpoint;
use roster_domain::services::SigningSecret;
use roster_domain::signing::generate_secret;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;
use support::receiver::{Received, count_by_webhook_id};
use support::scim::{Method, Scim, connect};
use support::webhooks::{endpoint, every_event_received};
use support::{Receiver, TestApp, wait_for};
use tokio::io::AsyncWriteExt;

const SETUP: &str = "run `make test` (scripts/test.sh creates target/pyenv from \
    scripts/requirements-test.txt), or by hand from the repository root: \
    `python3 -m venv target/pyenv && target/pyenv/bin/pip install -r scripts/requirements-test.txt`; \
    or set ROSTER_TEST_PYTHON to a Python that has the `standardwebhooks` package";

/// The message the library raises when no signature matches.
const NO_MATCH: &str = "No matching signature found";

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate is in the workspace")
        .to_path_buf()
}

fn python() -> PathBuf {
    std::env::var_os("ROSTER_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/pyenv/bin/python"))
}

/// One delivery as handed to the library: secret, headers and the exact body bytes.
struct Check {
    secret: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Check {
    fn of(hook: &Received, secret: &str) -> Check {
        let headers = hook
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap().to_string()))
            .collect();
        Check {
            secret: secret.to_string(),
            headers,
            body: hook.body.clone(),
        }
    }
}

/// Runs `scripts/verify_webhooks.py`; one result per check, in order (`Err` = the library's
/// rejection message).
async fn official_verify(checks: &[Check]) -> Vec<Result<(), String>> {
    use base64::Engine;
    let python = python();
    assert!(
        python.exists(),
        "no Python interpreter at {} for the official Standard Webhooks library: {SETUP}",
        python.display()
    );
    let messages: Vec<Value> = checks
        .iter()
        .map(|c| {
            json!({
                "secret": c.secret,
                "headers": c.headers,
                "body": base64::engine::general_purpose::STANDARD.encode(&c.body),
            })
        })
        .collect();
    let input = serde_json::to_vec(&json!({ "messages": messages })).unwrap();
    let mut child = tokio::process::Command::new(&python)
        .arg(workspace_root().join("scripts/verify_webhooks.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {SETUP}", python.display()));
    let mut stdin = child.stdin.take().unwrap();
    let writer = tokio::spawn(async move { stdin.write_all(&input).await });
    let output = child.wait_with_output().await.unwrap();
    writer.await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() != Some(3),
        "{}; {SETUP}",
        stderr.trim()
    );
    assert!(
        output.status.success(),
        "verify_webhooks.py failed: {stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    if !checks.is_empty() {
        eprintln!("{} checks by {}", checks.len(), report["library"]);
    }
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), checks.len());
    results
        .iter()
        .map(|r| match r["verified"].as_bool().unwrap() {
            true => Ok(()),
            false => Err(r["error"].as_str().unwrap().to_string()),
        })
        .collect()
}

/// A provisioning run with every kind of change, names in several scripts.
async fn provision(s: &Scim<'_>) {
    let zoe = s
        .ok(
            Method::POST,
            "/Users",
            Some(json!({
                "userName": "zoë@exämple.test",
                "name": {"givenName": "Zoë", "familyName": "Ångström-渡辺"},
                "displayName": "Zoë 🚀 Ångström",
                "emails": [{"value": "zoë@exämple.test", "primary": true}]
            })),
        )
        .await;
    let zoe = zoe["id"].as_str().unwrap().to_string();
    let kenta = s
        .ok(
            Method::POST,
            "/Users",
            Some(json!({"userName": "kenta@example.test", "name": {"givenName": "健太"}})),
        )
        .await;
    let kenta = kenta["id"].as_str().unwrap().to_string();
    let patch = |ops: Value| {
        Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        }))
    };
    let user = |id: &str| format!("/Users/{id}");
    let ops = json!([{"op": "replace", "path": "name.givenName", "value": "Zoé"}]);
    s.ok(Method::PATCH, &user(&zoe), patch(ops)).await;
    let ops = json!([{"op": "replace", "path": "active", "value": false}]);
    s.ok(Method::PATCH, &user(&kenta), patch(ops)).await;
    let group = s
        .ok(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Équipe Δ ✓", "members": [{"value": zoe}]})),
        )
        .await;
    let group = format!("/Groups/{}", group["id"].as_str().unwrap());
    let ops = json!([{"op": "add", "path": "members", "value": [{"value": kenta}]}]);
    s.ok(Method::PATCH, &group, patch(ops)).await;
    let ops = json!([{"op": "remove", "path": format!("members[value eq \"{zoe}\"]")}]);
    s.ok(Method::PATCH, &group, patch(ops)).await;
    let ops = json!([{"op": "replace", "path": "displayName", "value": "Équipe Ω"}]);
    s.ok(Method::PATCH, &group, patch(ops)).await;
    s.ok(Method::DELETE, &user(&kenta), None).await;
    s.ok(Method::DELETE, &group, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delivery_verifies_with_the_official_library_and_tampering_does_not() {
    official_verify(&[]).await; // fails fast, with how to set it up, when it is missing
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let s = connect(&app, "Société Générale de Tëst", "okta").await;
    let (_, secret) = endpoint(&app, &receiver, &["*"]).await;
    provision(&s).await;

    let hooks = every_event_received(&app, &receiver, Duration::from_secs(30)).await;
    let types: BTreeSet<String> = hooks
        .iter()
        .map(|h| h.json()["type"].as_str().unwrap().to_string())
        .collect();
    for wanted in [
        "connection.activated",
        "user.created",
        "user.updated",
        "user.deactivated",
        "user.deleted",
        "group.created",
        "group.updated",
        "group.user_added",
        "group.user_removed",
        "group.deleted",
    ] {
        assert!(types.contains(wanted), "no {wanted} among {types:?}");
    }
    assert!(
        hooks.iter().any(|h| !h.body.is_ascii()
            && String::from_utf8(h.body.clone())
                .unwrap()
                .contains("Zoë 🚀")),
        "bodies carry unescaped UTF-8"
    );
    assert!(
        count_by_webhook_id(&hooks).values().all(|&n| n == 1),
        "no delivery was repeated"
    );

    let genuine: Vec<Check> = hooks.iter().map(|h| Check::of(h, &secret)).collect();
    for (hook, result) in hooks.iter().zip(official_verify(&genuine).await) {
        let kind = hook.json()["type"].clone();
        assert_eq!(result, Ok(()), "{kind} ({}) must verify", hook.webhook_id());
    }

    // The same deliveries altered: the library must reject every one, for the signature.
    let other_secret = generate_secret();
    let mut forged = Vec::new();
    for (i, hook) in hooks.iter().enumerate() {
        let id = hook.webhook_id();
        let body = String::from_utf8(hook.body.clone()).unwrap();
        let mut tampered = Check::of(hook, &secret);
        tampered.body = body
            .replacen(&id, &uuid::Uuid::now_v7().to_string(), 1)
            .into_bytes();
        assert_ne!(tampered.body, hook.body);
        forged.push(tampered);
        forged.push(Check::of(hook, &other_secret));
        let mut moved = Check::of(hook, &secret);
        let next = &hooks[(i + 1) % hooks.len()];
        moved.headers.insert("webhook-id".into(), next.webhook_id());
        forged.push(moved);
    }
    for result in official_verify(&forged).await {
        let err = result.expect_err("an altered delivery must be rejected");
        assert!(err.contains(NO_MATCH), "{err}");
    }

    receiver.stop().await;
    app.stop().await;
}

/// During a rotation every still valid secret signs (space-separated `v1,` entries): a receiver
/// holding either secret verifies; an expired secret no longer signs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_signed_by_two_secrets_verifies_with_either() {
    official_verify(&[]).await;
    let app = TestApp::start().await;
    let receiver = Receiver::start();
    let s = connect(&app, "Zürich Łódź", "entra").await;
    let (endpoint_id, first) = endpoint(&app, &receiver, &["user.created"]).await;

    let second = generate_secret();
    let expired = generate_secret();
    let model = webhook_endpoint::Entity::find_by_id(endpoint_id)
        .one(&app.svc.db)
        .await
        .unwrap()
        .unwrap();
    let mut secrets: Vec<SigningSecret> = serde_json::from_value(model.secrets.clone()).unwrap();
    let now = chrono::Utc::now();
    secrets.push(SigningSecret {
        secret: second.clone(),
        created_at: now,
        expires_at: None,
    });
    secrets.push(SigningSecret {
        secret: expired.clone(),
        created_at: now - chrono::Duration::days(2),
        expires_at: Some(now - chrono::Duration::days(1)),
    });
    let mut rotated: webhook_endpoint::ActiveModel = model.into();
    rotated.secrets = Set(serde_json::to_value(&secrets).unwrap());
    rotated.update(&app.svc.db).await.unwrap();

    s.ok(
        Method::POST,
        "/Users",
        Some(json!({"userName": "łukasz@zürich.test", "name": {"givenName": "Łukasz"}})),
    )
    .await;
    let hook = wait_for("the delivery", Duration::from_secs(30), || async {
        receiver.received().into_iter().next()
    })
    .await;
    let signature = hook.headers["webhook-signature"].to_str().unwrap();
    assert_eq!(
        signature.split(' ').count(),
        2,
        "the two valid secrets sign, the expired one does not: {signature}"
    );

    let checks = [&first, &second, &expired, &generate_secret()].map(|s| Check::of(&hook, s));
    let results = official_verify(&checks).await;
    assert_eq!(results[0], Ok(()), "the first secret verifies");
    assert_eq!(results[1], Ok(()), "the second secret verifies");
    for rejected in &results[2..] {
        let err = rejected.as_ref().expect_err("must be rejected");
        assert!(err.contains(NO_MATCH), "{err}");
    }

    receiver.stop().await;
    app.stop().await;
}
