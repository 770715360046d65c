//! The webhook receiver of the delivery benchmarks: loopback HTTP endpoints (actix-web, one
//! listener and port per endpoint, keep-alive) that answer 204 at once and note when each
//! webhook arrived, or, for a "hanging" endpoint, accept the request and never answer (until
//! `HANG_FOR`, far beyond Roster's webhook timeout, or until the receiver stops).

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a hanging endpoint holds a request (bounded, so nothing waits forever).
const HANG_FOR: Duration = Duration::from_secs(120);

/// One webhook as received.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub endpoint: usize,
    /// The event id (also the `webhook-id` header).
    pub event_id: String,
    /// The event type (`user.created`, …).
    pub kind: String,
    /// `data.user_name` of a user event.
    pub user_name: Option<String>,
    pub at: Instant,
}

/// The part of a Roster event body the benchmark reads.
#[derive(Deserialize)]
struct Body {
    id: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    data: Data,
}

#[derive(Deserialize, Default)]
struct Data {
    user_name: Option<String>,
}

#[derive(Default)]
struct State {
    arrivals: Mutex<Vec<Arrival>>,
    count: AtomicUsize,
    user_events: AtomicUsize,
    member_events: AtomicUsize,
    hung: AtomicUsize,
    unreadable: AtomicUsize,
}

/// Endpoints listening on `127.0.0.1`, each on its own port.
pub struct Receiver {
    urls: Vec<String>,
    state: Arc<State>,
    handle: actix_web::dev::ServerHandle,
}

async fn hook(
    path: web::Path<(String, usize)>,
    body: web::Bytes,
    state: web::Data<State>,
    hang: web::Data<Vec<bool>>,
) -> HttpResponse {
    let at = Instant::now();
    let endpoint = path.1;
    if hang.get(endpoint).copied().unwrap_or(false) {
        state.hung.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(HANG_FOR).await;
        return HttpResponse::ServiceUnavailable().finish();
    }
    match serde_json::from_slice::<Body>(&body) {
        Ok(b) => {
            if b.data.user_name.is_some() {
                state.user_events.fetch_add(1, Ordering::Relaxed);
            }
            if b.kind == "group.user_added" {
                state.member_events.fetch_add(1, Ordering::Relaxed);
            }
            state.arrivals.lock().expect("arrivals lock").push(Arrival {
                endpoint,
                event_id: b.id,
                kind: b.kind,
                user_name: b.data.user_name,
                at,
            });
            state.count.fetch_add(1, Ordering::Relaxed);
        }
        Err(_) => {
            state.unreadable.fetch_add(1, Ordering::Relaxed);
        }
    }
    HttpResponse::NoContent().finish()
}

impl Receiver {
    /// Starts `endpoints` endpoints; those whose index is in `hanging` never answer.
    /// `tag` goes into the URL path (`/hook/<tag>/<index>`) so every scenario's endpoints differ.
    pub fn start(tag: &str, endpoints: usize, hanging: &[usize]) -> Result<Receiver> {
        let state = web::Data::new(State::default());
        let hang: web::Data<Vec<bool>> =
            web::Data::new((0..endpoints).map(|i| hanging.contains(&i)).collect());
        let factory = {
            let (state, hang) = (state.clone(), hang.clone());
            move || {
                App::new()
                    .app_data(state.clone())
                    .app_data(hang.clone())
                    .route("/hook/{tag}/{n}", web::post().to(hook))
            }
        };
        let mut server = HttpServer::new(factory)
            .workers(1)
            .backlog(2048)
            .max_connections(10_000)
            .disable_signals()
            .shutdown_timeout(1);
        let mut urls = Vec::with_capacity(endpoints);
        for i in 0..endpoints {
            let listener = TcpListener::bind("127.0.0.1:0").context("binding a receiver port")?;
            let port = listener.local_addr()?.port();
            server = server.listen(listener)?;
            urls.push(format!("http://127.0.0.1:{port}/hook/{tag}/{i}"));
        }
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Receiver {
            urls,
            state: state.into_inner(),
            handle,
        })
    }

    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Webhooks received (hung requests not included).
    pub fn count(&self) -> usize {
        self.state.count.load(Ordering::Relaxed)
    }

    /// Webhooks received whose `data` has a `user_name` (user events).
    pub fn user_events(&self) -> usize {
        self.state.user_events.load(Ordering::Relaxed)
    }

    /// `group.user_added` webhooks received.
    pub fn member_events(&self) -> usize {
        self.state.member_events.load(Ordering::Relaxed)
    }

    /// Requests a hanging endpoint accepted and never answered.
    pub fn hung(&self) -> usize {
        self.state.hung.load(Ordering::Relaxed)
    }

    /// Bodies that were not a Roster event.
    pub fn unreadable(&self) -> usize {
        self.state.unreadable.load(Ordering::Relaxed)
    }

    /// Every arrival so far.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.state.arrivals.lock().expect("arrivals lock").clone()
    }

    /// Waits until `want` user events arrived, or nothing new arrived for `stall`, or `limit`
    /// passed. Returns whether they all arrived.
    pub async fn wait(&self, want: usize, stall: Duration, limit: Duration) -> bool {
        self.wait_until(|r| r.user_events() >= want, stall, limit)
            .await
    }

    /// Waits until `done`, or nothing new arrived for `stall`, or `limit` passed. Returns
    /// whether `done` came true.
    pub async fn wait_until(
        &self,
        done: impl Fn(&Receiver) -> bool,
        stall: Duration,
        limit: Duration,
    ) -> bool {
        let started = Instant::now();
        let mut last = (self.count(), Instant::now());
        loop {
            let n = self.count();
            if done(self) {
                return true;
            }
            if n != last.0 {
                last = (n, Instant::now());
            }
            if last.1.elapsed() > stall || started.elapsed() > limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops listening and drops the requests still held.
    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// First arrival per (endpoint, event), and how many arrivals repeated one.
pub fn first_arrivals(arrivals: &[Arrival]) -> (HashMap<(usize, &str), &Arrival>, usize) {
    let mut first: HashMap<(usize, &str), &Arrival> = HashMap::with_capacity(arrivals.len());
    let mut duplicates = 0;
    for a in arrivals {
        let key = (a.endpoint, a.event_id.as_str());
        match first.get(&key) {
            Some(seen) if seen.at <= a.at => duplicates += 1,
            Some(_) => {
                first.insert(key, a);
                duplicates += 1;
            }
            None => {
                first.insert(key, a);
            }
        }
    }
    (first, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_arrivals_and_holds_hanging_requests() {
        let receiver = Receiver::start("t", 2, &[1]).unwrap();
        let http = reqwest::Client::new();
        let body = r#"{"id":"e1","type":"user.created","data":{"object":"user","user_name":"a@x.example"}}"#;
        let ok = http
            .post(&receiver.urls()[0])
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status().as_u16(), 204);
        let hung = http
            .post(&receiver.urls()[1])
            .body(body)
            .timeout(Duration::from_millis(300))
            .send()
            .await;
        assert!(hung.unwrap_err().is_timeout());
        let arrivals = receiver.arrivals();
        assert_eq!(arrivals.len(), 1);
        assert_eq!(arrivals[0].user_name.as_deref(), Some("a@x.example"));
        assert_eq!(arrivals[0].kind, "user.created");
        assert_eq!((arrivals[0].endpoint, receiver.hung()), (0, 1));
        let twice = [arrivals[0].clone(), arrivals[0].clone()];
        let (first, dups) = first_arrivals(&twice);
        assert_eq!((first.len(), dups), (1, 1));
        receiver.stop().await;
    }
}
