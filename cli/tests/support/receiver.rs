//! An in-process webhook receiver: records every request it gets.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The `webhook-id` header: the event id, what receivers deduplicate on.
    pub fn webhook_id(&self) -> String {
        self.headers["webhook-id"].to_str().unwrap().to_string()
    }

    /// Verifies the signature with the Standard Webhooks Rust library.
    pub fn verify(&self, secret: &str) -> Result<(), String> {
        standardwebhooks::Webhook::new(secret)
            .map_err(|e| e.to_string())?
            .verify(&self.body, &self.headers)
            .map_err(|e| e.to_string())
    }
}

/// How many times each `webhook-id` arrived.
pub fn count_by_webhook_id(received: &[Received]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for hook in received {
        *counts.entry(hook.webhook_id()).or_insert(0) += 1;
    }
    counts
}

pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: actix_web::dev::ServerHandle,
    gate: Arc<Gate>,
}

/// Holds requests open until released (a hung endpoint), counting how many wait at once.
pub struct Gate {
    open: tokio::sync::watch::Sender<bool>,
    in_flight: std::sync::atomic::AtomicUsize,
    max_in_flight: std::sync::atomic::AtomicUsize,
}

impl Gate {
    fn new(open: bool) -> Arc<Gate> {
        Arc::new(Gate {
            open: tokio::sync::watch::channel(open).0,
            in_flight: Default::default(),
            max_in_flight: Default::default(),
        })
    }

    async fn pass(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.max_in_flight.fetch_max(now, SeqCst);
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|o| *o).await;
        self.in_flight.fetch_sub(1, SeqCst);
    }
}

/// Answers to give, in order (then 204): a status and an optional `Retry-After`.
type Script = Arc<Mutex<std::collections::VecDeque<(u16, Option<&'static str>)>>>;

async fn record(
    req: HttpRequest,
    body: web::Bytes,
    store: web::Data<Arc<Mutex<Vec<Received>>>>,
    script: web::Data<Script>,
    gate: web::Data<Arc<Gate>>,
) -> HttpResponse {
    gate.pass().await;
    let mut headers = http::HeaderMap::new();
    for (name, value) in req.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    store.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
    });
    let (status, retry_after) = script.lock().unwrap().pop_front().unwrap_or((204, None));
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(after) = retry_after {
        res.insert_header(("Retry-After", after));
    }
    res.finish()
}

impl Receiver {
    pub fn start() -> Receiver {
        Self::scripted(&[])
    }

    /// A receiver that answers with `script` in order, then 204.
    pub fn scripted(script: &[(u16, Option<&'static str>)]) -> Receiver {
        Self::build(script, Gate::new(true))
    }

    /// A receiver that holds every request until [`Receiver::release`].
    pub fn gated() -> Receiver {
        Self::build(&[], Gate::new(false))
    }

    fn build(script: &[(u16, Option<&'static str>)], gate: Arc<Gate>) -> Receiver {
        let gate_data = web::Data::new(gate.clone());
        let script: Script = Arc::new(Mutex::new(script.iter().copied().collect()));
        let script = web::Data::new(script);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = web::Data::new(received.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(store.clone())
                .app_data(script.clone())
                .app_data(gate_data.clone())
                .default_service(web::post().to(record))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url,
            received,
            server: handle,
            gate,
        }
    }

    /// Lets held requests (and every later one) through.
    pub fn release(&self) {
        self.gate.open.send_replace(true);
    }

    /// Requests waiting at the gate now, and the most there ever were at once.
    pub fn held(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (
            self.gate.in_flight.load(SeqCst),
            self.gate.max_in_flight.load(SeqCst),
        )
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub async fn stop(self) {
        self.server.stop(true).await;
    }
}
