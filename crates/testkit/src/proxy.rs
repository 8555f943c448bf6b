//! A small HTTP forward proxy on 127.0.0.1 for the proxy tests: it records every request it is asked to carry
//! and carries it to a **loopback** host only (anything else is answered 502, so a test can never reach out).
//!
//! It handles what reqwest sends to a proxy: for an `http://` target the request itself in absolute form
//! (`GET http://127.0.0.1:PORT/path HTTP/1.1`, RFC 9112 §3.2.2), which it rewrites to origin form with
//! `Connection: close` and relays; for an `https://` target a `CONNECT host:port` tunnel (RFC 9110 §9.3.6).
//! It can also refuse every request with 407, or ask for one user name and password.
// A test harness: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// One request the proxy was asked to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `GET`, `POST`, `CONNECT`...
    pub method: String,
    /// The absolute URL (`http://127.0.0.1:4000/v1.0/me`), or `host:port` for `CONNECT`.
    pub target: String,
    /// The `Proxy-Authorization` header, when one was sent.
    pub proxy_authorization: Option<String>,
}

/// What the proxy does with a request.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Carry it.
    Forward,
    /// Answer 407 to everything.
    Refuse,
    /// Carry it when `Proxy-Authorization` is `Basic base64(user:password)`; else answer 407.
    Require {
        /// The expected header value, `Basic ...`.
        authorization: String,
    },
}

/// A running proxy; it stops when dropped.
pub struct TestProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestProxy {
    /// Starts a proxy in `mode` on 127.0.0.1 and a free port.
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = log.clone();
                let mode = mode.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, mode, log).await;
                });
            }
        });
        Self { addr, seen, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request seen so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A loopback address where nothing listens (a proxy that refuses connections).
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// The header a client sends for `user:password`.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

async fn serve(mut client: TcpStream, mode: Mode, log: Arc<Mutex<Vec<Seen>>>) -> std::io::Result<()> {
    let (head, rest) = read_head(&mut client).await?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let proxy_authorization = header("proxy-authorization");
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        target: target.clone(),
        proxy_authorization: proxy_authorization.clone(),
    });
    let allowed = match &mode {
        Mode::Forward => true,
        Mode::Refuse => false,
        Mode::Require { authorization } => proxy_authorization.as_deref() == Some(authorization.as_str()),
    };
    if !allowed {
        client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\
                  Content-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await?;
        return client.shutdown().await;
    }
    if method == "CONNECT" {
        let Some(mut upstream) = connect_loopback(&target).await else {
            return refuse_502(client).await;
        };
        client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await?;
        upstream.write_all(&rest).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    let Ok(url) = url::Url::parse(&target) else {
        return refuse_502(client).await;
    };
    let authority = format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(80)
    );
    let Some(mut upstream) = connect_loopback(&authority).await else {
        return refuse_502(client).await;
    };
    let mut path = url.path().to_owned();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let version = parts.next().unwrap_or("HTTP/1.1");
    let mut out = format!("{method} {path} {version}\r\n");
    for (k, v) in &headers {
        let k_lower = k.to_ascii_lowercase();
        if k_lower == "proxy-authorization" || k_lower == "proxy-connection" || k_lower == "connection" {
            continue;
        }
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    upstream.write_all(out.as_bytes()).await?;
    upstream.write_all(&rest).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// Connects to `host:port` when the host is this machine; `None` otherwise.
async fn connect_loopback(authority: &str) -> Option<TcpStream> {
    let (host, port) = authority.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return None;
    }
    let ip = if host == "localhost" { "127.0.0.1" } else { host };
    TcpStream::connect((ip, port.parse::<u16>().ok()?)).await.ok()
}

async fn refuse_502(mut client: TcpStream) -> std::io::Result<()> {
    client
        .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await?;
    client.shutdown().await
}

/// Reads up to the end of the request head; returns it and any bytes read past it (the body's start).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Ok((head, buf[end + 4..].to_vec()));
        }
        if buf.len() > 64 * 1024 {
            return Err(std::io::Error::other("request head too large"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed before the request head ended",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
