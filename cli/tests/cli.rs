//! The operator CLI, run as a user would: the `roster` binary with `--json`, configured through
//! `ROSTER_*` environment variables, on the backend `ROSTER_TEST_BACKEND` selects.

mod support;

use roster_domain::Services;
use roster_domain::ids::ConnectionId;
use serde_json::Value;
use std::process::{Command, Output};
use support::Isolation;

fn roster(isolation: &Isolation, args: &[&str]) -> Output {
    let c = &isolation.config;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.args(args)
        .env("ROSTER_DATA_DIR", &c.data_dir)
        .env("ROSTER_QUEUE_PREFIX", &c.queue_prefix)
        .env("ROSTER_CACHE_PREFIX", &c.cache_prefix)
        .env("ROSTER_ACCOUNT_PASSWORD", "a long enough password")
        .env("ROSTER_WEBHOOK__ALLOWED_NETWORKS", "[\"127.0.0.1/32\"]");
    for (var, value) in [
        ("ROSTER_DATABASE_URL", &c.database_url),
        ("ROSTER_AMQP_URL", &c.amqp_url),
        ("ROSTER_REDIS_URL", &c.redis_url),
    ] {
        match value {
            Some(v) => cmd.env(var, v),
            None => cmd.env_remove(var),
        };
    }
    cmd.output().expect("the roster binary runs")
}

fn json(isolation: &Isolation, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = roster(isolation, &all);
    assert!(
        out.status.success(),
        "roster {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_cli_sets_up_a_working_connection() {
    let isolation = Isolation::new().await;
    let tenant = json(
        &isolation,
        &[
            "tenant",
            "create",
            "--name",
            "Acme",
            "--external-id",
            "org_1",
        ],
    );
    let tenant_id = tenant["id"].as_str().unwrap();
    assert_eq!(tenant["external_id"], "org_1");

    let conn = json(
        &isolation,
        &[
            "connection",
            "create",
            "--tenant",
            tenant_id,
            "--provider",
            "entra",
        ],
    );
    let conn_id = conn["id"].as_str().unwrap();
    assert_eq!(conn["state"], "pending");
    assert!(
        conn["scim_base_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/scim/v2/{conn_id}"))
    );

    let token = json(&isolation, &["token", "issue", "--connection", conn_id]);
    let secret = token["token"].as_str().unwrap();
    assert!(secret.starts_with("scim_"));

    let endpoint = json(
        &isolation,
        &[
            "endpoint",
            "create",
            "--url",
            "http://127.0.0.1:9/hook",
            "--event-type",
            "user.*",
            "--event-type",
            "group.created",
            "--tenant",
            tenant_id,
        ],
    );
    assert!(endpoint["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        endpoint["event_types"],
        serde_json::json!(["user.*", "group.created"])
    );

    let key = json(
        &isolation,
        &[
            "api-key",
            "create",
            "--name",
            "backend",
            "--scope",
            "read-only",
        ],
    );
    assert!(key["secret"].as_str().unwrap().starts_with("rk_"));
    assert_eq!(key["scope"], "read_only");

    let account = json(
        &isolation,
        &["account", "create", "--email", "Ops@Example.com"],
    );
    assert_eq!(account["email"], "ops@example.com");
    assert_eq!(account["role"], "operator");

    // The token the CLI printed opens exactly that connection.
    let svc = Services::start(isolation.config.clone(), false)
        .await
        .unwrap();
    let conn_id: ConnectionId = conn_id.parse().unwrap();
    let ctx = svc.authenticate_scim(conn_id, secret).await.unwrap();
    assert_eq!(ctx.connection_id, conn_id);
    assert_eq!(ctx.tenant_external_id.as_deref(), Some("org_1"));
    svc.db.close().await.ok();
    isolation.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_message_and_a_failing_exit_code() {
    let isolation = Isolation::new().await;
    let bad_provider = roster(
        &isolation,
        &[
            "connection",
            "create",
            "--tenant",
            &uuid::Uuid::nil().to_string(),
            "--provider",
            "ldap",
        ],
    );
    assert_eq!(bad_provider.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_provider.stderr).contains("provider must be one of"));

    let bad_url = roster(
        &isolation,
        &[
            "endpoint",
            "create",
            "--url",
            "ftp://x",
            "--event-type",
            "*",
        ],
    );
    assert_eq!(bad_url.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("http:// or https://"));

    // The SSRF guard: the cloud metadata address is refused (only 127.0.0.1 is allowlisted).
    let metadata = roster(
        &isolation,
        &[
            "endpoint",
            "create",
            "--url",
            "http://169.254.169.254/latest/meta-data/",
            "--event-type",
            "*",
        ],
    );
    assert_eq!(metadata.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&metadata.stderr).contains("not allowed"));

    let bad_type = roster(
        &isolation,
        &[
            "endpoint",
            "create",
            "--url",
            "http://127.0.0.1:9/",
            "--event-type",
            "users.*",
        ],
    );
    assert_eq!(bad_type.status.code(), Some(1));

    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["migrate"])
        .env("ROSTER_DATABASE_URL", "mysql://root:hunter2@localhost/db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("database_url") && stderr.contains("ROSTER_DATABASE_URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "secrets are never printed");
    isolation.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_are_listed_without_secrets_and_revoked() {
    let isolation = Isolation::new().await;
    let key = json(&isolation, &["api-key", "create", "--name", "backend"]);
    let id = key["id"].as_str().unwrap();
    let secret = key["secret"].as_str().unwrap();

    let list = json(&isolation, &["api-key", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["scope"], "full");
    assert!(list[0].get("secret").is_none(), "secrets are never listed");
    assert!(list[0]["revoked_at"].is_null());
    let text = roster(&isolation, &["api-key", "list"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("backend"));

    let revoked = json(&isolation, &["api-key", "revoke", id]);
    assert!(revoked["revoked_at"].is_string());
    let svc = Services::start(isolation.config.clone(), false)
        .await
        .unwrap();
    assert!(svc.authenticate_api_key(secret).await.is_err());

    let unknown = uuid::Uuid::now_v7().to_string();
    let out = roster(&isolation, &["api-key", "revoke", &unknown]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("API key not found"));
    svc.db.close().await.ok();
    isolation.cleanup().await;
}
