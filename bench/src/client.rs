//! The SCIM side of the load generator: one shared keep-alive HTTP client, a connection's base
//! URL and token, and a bounded-concurrency runner that times every request.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::stats::Summary;

/// One SCIM connection as seen by an identity provider.
#[derive(Clone)]
pub struct Scim {
    http: reqwest::Client,
    pub base: String,
    token: Arc<str>,
}

/// A response: status, body bytes, and the body as JSON (`Null` when it is not JSON).
pub struct Reply {
    pub status: u16,
    pub bytes: usize,
    pub json: Value,
}

impl Reply {
    /// Fails unless the status is `want`.
    pub fn expect(self, want: u16, what: &str) -> Result<Reply> {
        if self.status != want {
            bail!(
                "{what}: HTTP {} (wanted {want}): {}",
                self.status,
                self.json
            );
        }
        Ok(self)
    }
}

/// The keep-alive client every request shares.
pub fn http_client(concurrency: usize) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(120))
        .build()
        .context("building the HTTP client")
}

impl Scim {
    pub fn new(http: reqwest::Client, base: String, token: &str) -> Scim {
        Scim {
            http,
            base,
            token: token.into(),
        }
    }

    /// `path` relative to the connection's base (`/Users?…`), query already encoded.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&*self.token);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let res = req.send().await.context("sending a SCIM request")?;
        let status = res.status().as_u16();
        let body = res.bytes().await.context("reading a SCIM response")?;
        Ok(Reply {
            status,
            bytes: body.len(),
            json: serde_json::from_slice(&body).unwrap_or(Value::Null),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
}

/// `/Users?filter=…` with the filter percent-encoded.
pub fn users_query(pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse("http://x/Users").expect("a constant URL");
    url.query_pairs_mut().extend_pairs(pairs);
    format!("/Users?{}", url.query().unwrap_or_default())
}

/// What a [`run_pool`] measured: successful outputs by job index, their latencies, errors.
pub struct PoolRun<T> {
    pub outputs: Vec<(usize, T)>,
    pub latencies: Vec<Duration>,
    pub errors: Vec<(usize, String)>,
    pub wall: Duration,
}

impl<T> PoolRun<T> {
    pub fn summary(&self) -> Summary {
        Summary::of(self.latencies.clone(), self.errors.len(), self.wall)
    }
}

/// Runs `job(i)` for every `i` in `range` with at most `concurrency` in flight (one tokio task
/// per slot, pulling the next index), timing each call.
pub async fn run_pool<T, F, Fut>(
    range: std::ops::Range<usize>,
    concurrency: usize,
    job: F,
) -> PoolRun<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send,
{
    let next = Arc::new(AtomicUsize::new(range.start));
    let job = Arc::new(job);
    let end = range.end;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let next = next.clone();
        let job = job.clone();
        tasks.push(tokio::spawn(async move {
            let mut outputs = Vec::new();
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let t = Instant::now();
                match job(i).await {
                    Ok(out) => {
                        latencies.push(t.elapsed());
                        outputs.push((i, out));
                    }
                    Err(err) => errors.push((i, format!("{err:#}"))),
                }
            }
            (outputs, latencies, errors)
        }));
    }
    let mut run = PoolRun {
        outputs: Vec::new(),
        latencies: Vec::new(),
        errors: Vec::new(),
        wall: Duration::ZERO,
    };
    for task in tasks {
        let (outputs, latencies, errors) = task.await.expect("a benchmark task panicked");
        run.outputs.extend(outputs);
        run.latencies.extend(latencies);
        run.errors.extend(errors);
    }
    run.wall = started.elapsed();
    run.outputs.sort_by_key(|(i, _)| *i);
    run.errors.sort_by_key(|(i, _)| *i);
    run
}

/// Prints the first few errors of a phase (there should be none).
pub fn print_errors(phase: &str, errors: &[(usize, String)]) {
    if errors.is_empty() {
        return;
    }
    eprintln!("!! {phase}: {} errors", errors.len());
    for (i, err) in errors.iter().take(10) {
        eprintln!("!!   #{i}: {err}");
    }
}
