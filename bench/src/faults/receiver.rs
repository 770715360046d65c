//! The app's side of the fault runs: one loopback endpoint that verifies every webhook's
//! Standard Webhooks signature and notes each arrival; when `flaky`, half the requests, at
//! random, are answered 503 (before they are read), as a receiver in trouble would.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One webhook answered 204.
#[derive(Debug, Clone)]
pub struct Hook {
    pub id: String,
    pub signature_valid: bool,
    pub at: Instant,
}

#[derive(Deserialize)]
struct Body {
    id: String,
}

#[derive(Default)]
pub struct State {
    secret: Mutex<String>,
    hooks: Mutex<Vec<Hook>>,
    flaky: AtomicBool,
    refused: AtomicUsize,
}

pub struct FaultReceiver {
    pub url: String,
    state: Arc<State>,
    handle: actix_web::dev::ServerHandle,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn hook(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    if state.flaky.load(Ordering::Relaxed) && rand::random::<bool>() {
        state.refused.fetch_add(1, Ordering::Relaxed);
        return HttpResponse::ServiceUnavailable().finish();
    }
    let secret = state.secret.lock().expect("secret lock").clone();
    let timestamp = header(&req, "webhook-timestamp").parse().unwrap_or(0);
    let signature_valid = roster_domain::signing::verify(
        &secret,
        header(&req, "webhook-id"),
        timestamp,
        header(&req, "webhook-signature"),
        &body,
        chrono::Utc::now().timestamp(),
        300,
    )
    .is_ok();
    let Ok(parsed) = serde_json::from_slice::<Body>(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    state.hooks.lock().expect("hooks lock").push(Hook {
        id: parsed.id,
        signature_valid,
        at: Instant::now(),
    });
    HttpResponse::NoContent().finish()
}

impl FaultReceiver {
    pub fn start() -> Result<FaultReceiver> {
        let state = web::Data::new(State::default());
        let factory = {
            let state = state.clone();
            move || {
                App::new()
                    .app_data(state.clone())
                    .route("/faults", web::post().to(hook))
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the receiver")?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(factory)
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(listener)?
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(FaultReceiver {
            url: format!("http://127.0.0.1:{port}/faults"),
            state: state.into_inner(),
            handle,
        })
    }

    /// The endpoint's signing secret, once the endpoint exists.
    pub fn set_secret(&self, secret: &str) {
        *self.state.secret.lock().expect("secret lock") = secret.to_string();
    }

    pub fn set_flaky(&self, on: bool) {
        self.state.flaky.store(on, Ordering::Relaxed);
    }

    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::Relaxed)
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.state.hooks.lock().expect("hooks lock").clone()
    }

    pub fn count(&self) -> usize {
        self.state.hooks.lock().expect("hooks lock").len()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
