//! After the ledger, with two or more apis: what the api processes share through Redis, checked
//! across processes once the faults are over (Redis among them was restarted empty).
//!
//! - Revocation: a SCIM token and an API key, each just served (and cached) by every api, are
//!   revoked through the first api; every api must refuse them at once (401).
//! - Rate limit: a burst of four times an API key's per-second limit, spread round-robin over
//!   the apis, may get at most the limit through per second it spans. Were each api counting on
//!   its own, every request would pass.

use crate::server::Deployment;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::SystemTime;

/// `limits.api_requests_per_sec`, which the fault run sets for every api.
pub const API_RATE_LIMIT: usize = 100;
const BURST: usize = 4 * API_RATE_LIMIT;
const IN_FLIGHT: usize = 32;

#[derive(Debug, Serialize)]
pub struct InstanceChecks {
    pub revocations: Vec<Revocation>,
    pub rate: RateBurst,
}

/// One credential: its status on each api before and right after its revocation.
#[derive(Debug, Serialize)]
pub struct Revocation {
    pub credential: String,
    pub before: Vec<u16>,
    pub after: Vec<u16>,
}

#[derive(Debug, Serialize)]
pub struct RateBurst {
    pub limit_per_sec: usize,
    pub sent: usize,
    /// Calendar seconds the burst touched (from the first send to the last answer).
    pub seconds: usize,
    pub passed: usize,
    /// 429s, per api.
    pub limited_per_api: Vec<usize>,
    /// Answers other than 200 and 429.
    pub other: usize,
}

impl InstanceChecks {
    /// What is wrong, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for r in &self.revocations {
            if r.before.iter().any(|s| *s != 200) || r.after.iter().any(|s| *s != 401) {
                problems.push(format!(
                    "revoked {}: {:?} before, {:?} after (want 200s, then 401s)",
                    r.credential, r.before, r.after
                ));
            }
        }
        let rate = &self.rate;
        if rate.passed > rate.limit_per_sec * rate.seconds || rate.other > 0 {
            problems.push(format!(
                "rate limit across apis: {} of {} passed in {} s at {}/s, {} other answers",
                rate.passed, rate.sent, rate.seconds, rate.limit_per_sec, rate.other
            ));
        }
        problems
    }
}

impl InstanceChecks {
    pub fn markdown(&self) -> String {
        let mut md = String::from(
            "\n| across the apis | before revocation | right after |\n|---|---|---|\n",
        );
        for r in &self.revocations {
            let _ = writeln!(
                md,
                "| {} revoked | {:?} | {:?} |",
                r.credential, r.before, r.after
            );
        }
        let rate = &self.rate;
        let _ = writeln!(
            md,
            "\nRate limit across the apis: {} requests with one API key (limit {}/s), spread over \
             the apis within {} s: {} passed, 429s per api {:?}, {} other answers.",
            rate.sent,
            rate.limit_per_sec,
            rate.seconds,
            rate.passed,
            rate.limited_per_api,
            rate.other
        );
        md
    }
}

struct Apis<'a> {
    http: &'a reqwest::Client,
    /// `http://host:port` of each api.
    bases: Vec<String>,
}

impl Apis<'_> {
    /// The status of `GET path` on api `api` (0: no answer).
    async fn status(&self, api: usize, path: &str, bearer: &str) -> u16 {
        let url = format!("{}{path}", self.bases[api]);
        match self.http.get(&url).bearer_auth(bearer).send().await {
            Ok(reply) => reply.status().as_u16(),
            Err(_) => 0,
        }
    }

    /// `POST path` on the first api; the answer's JSON.
    async fn post(&self, path: &str, key: &str, body: Value) -> Result<Value> {
        let url = format!("{}{path}", self.bases[0]);
        let reply = self
            .http
            .post(&url)
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = reply.status();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {url}: HTTP {status}: {body}");
        }
        Ok(body)
    }

    /// `path` with `bearer` on every api.
    async fn on_each(&self, path: &str, bearer: &str) -> Vec<u16> {
        let mut statuses = Vec::new();
        for api in 0..self.bases.len() {
            statuses.push(self.status(api, path, bearer).await);
        }
        statuses
    }
}

pub async fn check(
    http: &reqwest::Client,
    listens: &[String],
    deployment: &Deployment,
    connection_id: &str,
) -> Result<InstanceChecks> {
    let apis = Apis {
        http,
        bases: listens.iter().map(|l| format!("http://{l}")).collect(),
    };
    let admin = secret(&deployment.cli(&["api-key", "create", "--name", "instances"])?)?;
    let mut revocations = Vec::new();

    let issued = apis
        .post(
            &format!("/api/v1/connections/{connection_id}/scim-tokens"),
            &admin,
            json!({}),
        )
        .await?;
    let token = issued["token"].as_str().context("the SCIM token")?;
    let token_id = issued["id"].as_str().context("the SCIM token's id")?;
    let users = format!("/scim/v2/{connection_id}/Users?count=1");
    let before = apis.on_each(&users, token).await;
    apis.post(
        &format!("/api/v1/scim-tokens/{token_id}/revoke"),
        &admin,
        json!({}),
    )
    .await?;
    revocations.push(Revocation {
        credential: "SCIM token".into(),
        before,
        after: apis.on_each(&users, token).await,
    });

    let key = deployment.cli(&[
        "api-key",
        "create",
        "--name",
        "revoked",
        "--scope",
        "read-only",
    ])?;
    let (key_secret, key_id) = (secret(&key)?, key["id"].as_str().context("the key's id")?);
    let tenants = "/api/v1/tenants?limit=1";
    let before = apis.on_each(tenants, &key_secret).await;
    apis.post(
        &format!("/api/v1/api-keys/{key_id}/revoke"),
        &admin,
        json!({}),
    )
    .await?;
    revocations.push(Revocation {
        credential: "API key".into(),
        before,
        after: apis.on_each(tenants, &key_secret).await,
    });

    let burst_key = secret(&deployment.cli(&["api-key", "create", "--name", "burst"])?)?;
    let rate = burst(&apis, tenants, &burst_key).await;
    Ok(InstanceChecks { revocations, rate })
}

fn secret(created: &Value) -> Result<String> {
    Ok(created["secret"]
        .as_str()
        .context("the API key's secret")?
        .to_string())
}

fn epoch_second() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Sends `BURST` requests round-robin over the apis, `IN_FLIGHT` at a time, starting at the
/// beginning of a second so that the burst spans as few seconds as it can.
async fn burst(apis: &Apis<'_>, path: &str, key: &str) -> RateBurst {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    tokio::time::sleep(std::time::Duration::from_nanos(
        1_000_000_000 - u64::from(now.subsec_nanos()),
    ))
    .await;
    let mut seconds = BTreeSet::from([epoch_second()]);
    let requests = (0..BURST).map(|n| async move {
        let api = n % apis.bases.len();
        let status = apis.status(api, path, key).await;
        (api, status, epoch_second())
    });
    let answers: Vec<(usize, u16, u64)> = futures::StreamExt::collect(
        futures::StreamExt::buffer_unordered(futures::stream::iter(requests), IN_FLIGHT),
    )
    .await;
    let mut limited_per_api = vec![0; apis.bases.len()];
    let (mut passed, mut other) = (0, 0);
    for (api, status, second) in answers {
        seconds.insert(second);
        match status {
            200 => passed += 1,
            429 => limited_per_api[api] += 1,
            _ => other += 1,
        }
    }
    // Every second between the first send and the last answer, even one without an answer.
    let span = match (seconds.first(), seconds.last()) {
        (Some(first), Some(last)) => (last - first + 1) as usize,
        _ => 1,
    };
    RateBurst {
        limit_per_sec: API_RATE_LIMIT,
        sent: BURST,
        seconds: span,
        passed,
        limited_per_api,
        other,
    }
}
