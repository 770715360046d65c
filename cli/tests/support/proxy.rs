//! A TCP proxy in front of a shared service (RabbitMQ), so a test can cut the app off from it
//! without stopping the service other tests use. `down()` closes every live connection and
//! refuses new ones (accepted, then closed at once) until `up()`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

struct State {
    upstream: String,
    link: Mutex<Link>,
    refused: AtomicUsize,
    opened: AtomicUsize,
}

struct Link {
    up: bool,
    /// Cancelled by `down()`: every connection opened while up holds a clone.
    live: CancellationToken,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            upstream: upstream.to_string(),
            link: Mutex::new(Link {
                up: true,
                live: CancellationToken::new(),
            }),
            refused: AtomicUsize::new(0),
            opened: AtomicUsize::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, state.clone()));
        Proxy {
            addr,
            state,
            accept,
        }
    }

    /// A proxy in front of the server of `url` (e.g. `amqp://…@host:5672/…`), and the same URL
    /// pointing at the proxy instead.
    pub async fn in_front_of(url: &str) -> (Proxy, String) {
        let mut via = url::Url::parse(url).expect("a service URL");
        let host = via.host_str().expect("a host in the service URL");
        let port = via.port_or_known_default().unwrap_or(5672);
        let proxy = Proxy::start(&format!("{host}:{port}")).await;
        via.set_host(Some("127.0.0.1")).unwrap();
        via.set_port(Some(proxy.addr.port())).unwrap();
        (proxy, via.to_string())
    }

    /// Closes every live connection and refuses new ones.
    pub fn down(&self) {
        let mut link = self.state.link.lock().unwrap();
        link.up = false;
        link.live.cancel();
        link.live = CancellationToken::new();
    }

    /// Forwards new connections again.
    pub fn up(&self) {
        self.state.link.lock().unwrap().up = true;
    }

    /// Connections refused while down, since the start.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    /// Connections forwarded, since the start.
    pub fn opened(&self) -> usize {
        self.state.opened.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.state.link.lock().unwrap().live.cancel();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let live = {
            let link = state.link.lock().unwrap();
            link.up.then(|| link.live.clone())
        };
        let Some(live) = live else {
            state.refused.fetch_add(1, Ordering::SeqCst);
            drop(client);
            continue;
        };
        state.opened.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(forward(client, state.upstream.clone(), live));
    }
}

/// Copies both ways until either side closes or the proxy goes down (both sockets are dropped).
async fn forward(mut client: TcpStream, upstream: String, live: CancellationToken) {
    let connect = tokio::select! {
        _ = live.cancelled() => return,
        server = TcpStream::connect(&upstream) => server,
    };
    let Ok(mut server) = connect else {
        return;
    };
    tokio::select! {
        _ = live.cancelled() => {}
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
    }
}
