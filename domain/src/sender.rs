//! One signed webhook HTTP attempt (used by the worker for deliveries and by the api for test
//! events): Standard Webhooks headers, no redirects, bounded time and a capped
//! response excerpt.

use crate::config::WebhookConfig;
use crate::entities::webhook_endpoint;
use crate::services::{AttemptOutcome, AttemptRecord, signing_secrets};
use crate::{signing, ssrf};
use chrono::Utc;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const USER_AGENT: &str = concat!("Roster-Webhooks/", env!("CARGO_PKG_VERSION"));

/// The HTTP client every attempt uses: redirects are not followed (a redirect is a failure the
/// endpoint owner must fix, and following one would bypass URL checks).
pub fn http_client(config: &WebhookConfig) -> reqwest::Client {
    let resolver = GuardedResolver {
        allow: Arc::new(config.allowed_networks.clone()),
    };
    reqwest::Client::builder()
        .dns_resolver(Arc::new(resolver))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
        .timeout(Duration::from_millis(config.timeout_ms))
        .user_agent(USER_AGENT)
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .expect("the webhook HTTP client configuration is valid")
}

/// Resolves names like the system does, then drops every address the SSRF guard forbids: a
/// name that resolves (or re-resolves) to a private address cannot be reached.
struct GuardedResolver {
    allow: Arc<Vec<ipnet::IpNet>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| ssrf::allowed(a.ip(), &allow))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no allowed (public) address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// IP-literal URLs skip DNS, so they are checked here.
fn literal_forbidden(url: &str, allow: &[ipnet::IpNet]) -> Option<String> {
    let ip = match url::Url::parse(url).ok()?.host()? {
        url::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
        url::Host::Ipv6(ip) => std::net::IpAddr::V6(ip),
        url::Host::Domain(_) => return None,
    };
    (!ssrf::allowed(ip, allow)).then(|| format!("{ip} is not an allowed webhook target"))
}

fn failed(class: &str, error: String, status: Option<u16>, started: Instant) -> AttemptRecord {
    AttemptRecord {
        status_code: status,
        duration_ms: started.elapsed().as_millis() as u32,
        error_class: Some(class.into()),
        error: Some(error),
        response_excerpt: None,
        outcome: AttemptOutcome::Retry {
            retry_after_secs: None,
        },
    }
}

/// `Retry-After` as seconds (delta-seconds or an HTTP date).
fn retry_after(response: &reqwest::Response, now: chrono::DateTime<Utc>) -> Option<u64> {
    let raw = response.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    u64::try_from((at.with_timezone(&Utc) - now).num_seconds()).ok()
}

/// Sends `body` to the endpoint, signed with each of its valid secrets.
pub async fn send(
    client: &reqwest::Client,
    config: &WebhookConfig,
    endpoint: &webhook_endpoint::Model,
    msg_id: &str,
    body: &[u8],
) -> AttemptRecord {
    let started = Instant::now();
    let now = Utc::now();
    let secrets = signing_secrets(endpoint, now);
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let timestamp = now.timestamp();
    let signature = match signing::sign(&secret_refs, msg_id, timestamp, body) {
        Ok(s) if !secrets.is_empty() => s,
        Ok(_) => {
            return failed(
                "signing",
                "endpoint has no valid secret".into(),
                None,
                started,
            );
        }
        Err(e) => return failed("signing", e.to_string(), None, started),
    };
    if let Some(reason) = literal_forbidden(&endpoint.url, &config.allowed_networks) {
        return failed("ssrf", reason, None, started);
    }
    let response = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_vec())
        .send()
        .await;
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            let class = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else {
                "request"
            };
            return failed(class, e.to_string(), None, started);
        }
    };
    let status = response.status();
    let retry_after_secs = retry_after(&response, now);
    let mut excerpt = Vec::new();
    while excerpt.len() < config.max_response_bytes {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
            _ => break,
        }
    }
    excerpt.truncate(config.max_response_bytes);
    let excerpt = String::from_utf8_lossy(&excerpt).into_owned();
    let ok = status.is_success();
    AttemptRecord {
        status_code: Some(status.as_u16()),
        duration_ms: started.elapsed().as_millis() as u32,
        error_class: (!ok).then(|| "http_status".into()),
        error: (!ok).then(|| format!("endpoint answered {status}")),
        response_excerpt: (!excerpt.is_empty()).then_some(excerpt),
        outcome: match status.as_u16() {
            _ if ok => AttemptOutcome::Succeeded,
            410 => AttemptOutcome::Gone,
            _ => AttemptOutcome::Retry { retry_after_secs },
        },
    }
}
