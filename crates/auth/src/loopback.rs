//! The loopback listener that receives the browser's redirect after sign-in (contract §5: redirect to
//! `http://localhost:{port}/`), and the pages it shows.
//!
//! It listens on 127.0.0.1 and, on the same port, on [::1] (the redirect names `localhost`, which a browser may
//! try over IPv6 first; holding both also keeps another process from answering there), on a port the OS picks;
//! nothing outside this computer can reach it. Each connection is read on its own task (a browser may open
//! speculative connections that never send anything), with a size cap on the request head. Requests for other
//! paths (such as `/favicon.ico`) get a 404 and the wait goes on. Every answer on `/` must carry this sign-in's
//! `state`, error redirects included: any local process or web page that finds the port could otherwise end or
//! spoil the sign-in, so a wrong or missing `state` gets an error page and the wait goes on. The redirect's
//! connection is held open until the code has been redeemed, so the page the browser shows tells the real
//! outcome.
//!
//! Neither the request line (which carries the code) nor any query value is ever logged.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::secret::AuthorizationCode;

/// The largest request head read from the browser.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How many ports to try for one that is free on both loopback addresses.
const BIND_ATTEMPTS: usize = 8;

/// A bound loopback listener: 127.0.0.1 and, where the system has IPv6, [::1] on the same port.
pub(crate) struct Loopback {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
}

/// What the browser brought back on `/`.
pub(crate) enum Redirect {
    /// `?code=...&state=...`
    Code { code: AuthorizationCode, state: String },
    /// `?error=...&error_description=...`
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

/// The browser's connection, waiting for the page that tells the outcome.
pub(crate) struct Responder {
    stream: TcpStream,
}

impl Loopback {
    /// Binds 127.0.0.1 on an ephemeral port and [::1] on the same one. A port taken on [::1] (by another
    /// process) means another port; a system without IPv6 loopback listens on 127.0.0.1 alone.
    pub(crate) async fn bind() -> std::io::Result<Self> {
        let mut last = None;
        for _ in 0..BIND_ATTEMPTS {
            let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
            let port = v4.local_addr()?.port();
            match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await {
                Ok(v6) => {
                    return Ok(Self {
                        v4,
                        v6: Some(v6),
                        port,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
                Err(e) => {
                    tracing::debug!(error = %e, "no IPv6 loopback; listening on 127.0.0.1 only");
                    return Ok(Self { v4, v6: None, port });
                }
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AddrInUse)))
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:{port}/`: the contract's loopback form (the registered `http://localhost` matches any
    /// port; `[::1]` is not supported, contract §5).
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }

    /// Waits for a request on `/` that carries `code` or `error` with `expected_state`, answering other paths
    /// with a 404 page and a wrong or missing `state` with an error page. Returns the redirect and the connection
    /// to answer on.
    pub(crate) async fn next_redirect(self, expected_state: &str) -> std::io::Result<(Redirect, Responder)> {
        let (tx, mut rx) = mpsc::channel::<(Option<String>, TcpStream)>(8);
        let mut readers = JoinSet::new();
        loop {
            tokio::select! {
                accepted = accept(&self.v4, self.v6.as_ref()) => {
                    let (stream, peer) = accepted?;
                    if !peer.ip().is_loopback() {
                        continue;
                    }
                    let tx = tx.clone();
                    readers.spawn(async move {
                        let mut stream = stream;
                        let target = tokio::time::timeout(HEAD_TIMEOUT, read_target(&mut stream)).await.ok().flatten();
                        let _ = tx.send((target, stream)).await;
                    });
                }
                Some((target, stream)) = rx.recv() => {
                    let mut responder = Responder { stream };
                    match target.as_deref().map(parse_target) {
                        Some(Some(redirect)) if redirect.has_state(expected_state) => {
                            return Ok((redirect, responder));
                        }
                        Some(Some(_)) => {
                            tracing::warn!("a sign-in redirect without this sign-in's state; refused, still waiting");
                            responder.send(400, &foreign_redirect_page()).await;
                        }
                        Some(None) => {
                            responder.send(404, &not_found_page()).await;
                        }
                        None => {
                            responder.send(400, &not_found_page()).await;
                        }
                    }
                }
            }
        }
    }
}

/// The next connection on either listener.
async fn accept(v4: &TcpListener, v6: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match v6 {
        Some(v6) => tokio::select! {
            a = v4.accept() => a,
            a = v6.accept() => a,
        },
        None => v4.accept().await,
    }
}

impl Redirect {
    /// Whether it carries exactly `expected` as its `state` (compared in constant time: the state is a secret
    /// shared only with the browser).
    pub(crate) fn has_state(&self, expected: &str) -> bool {
        let state = match self {
            Redirect::Code { state, .. } => Some(state.as_str()),
            Redirect::Error { state, .. } => state.as_deref(),
        };
        state.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes()))
    }
}

/// Compares without stopping at the first difference, so timing does not reveal how much of a guess was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Responder {
    /// Sends a complete HTML answer and closes the connection. A browser that went away is not an error.
    pub(crate) async fn send(&mut self, status: u16, html: &str) {
        let reason = match status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "OK",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\n\
             Cache-Control: no-store\r\n\
             Referrer-Policy: no-referrer\r\n\
             X-Content-Type-Options: nosniff\r\n\
             Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
             Connection: close\r\n\r\n",
            html.len()
        );
        let _ = self.stream.write_all(head.as_bytes()).await;
        let _ = self.stream.write_all(html.as_bytes()).await;
        let _ = self.stream.flush().await;
        let _ = self.stream.shutdown().await;
    }
}

/// Reads the request head and returns the request target of a `GET`, or `None`.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD_BYTES {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    request_target(&head)
}

/// The request target of a `GET` request head (`GET /?code=... HTTP/1.1`), or `None` for anything else.
pub(crate) fn request_target(head: &[u8]) -> Option<String> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("GET"), Some(target), Some(version)) if version.starts_with("HTTP/1.") => {
            Some(target.to_owned())
        }
        _ => None,
    }
}

/// Parses a request target: only `/` with `code`, `error` or `state` is a redirect.
pub(crate) fn parse_target(target: &str) -> Option<Redirect> {
    let url = url::Url::parse("http://localhost").ok()?.join(target).ok()?;
    if url.path() != "/" {
        return None;
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    match (code, error) {
        (_, Some(error)) => Some(Redirect::Error {
            error,
            description,
            state,
        }),
        (Some(code), None) => Some(Redirect::Code {
            code: AuthorizationCode::new(code),
            state: state.unwrap_or_default(),
        }),
        (None, None) if state.is_some() => Some(Redirect::Error {
            error: String::new(),
            description: None,
            state,
        }),
        (None, None) => None,
    }
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, accent: &str, body_html: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - Presently</title>\
         <style>body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f5f5f7;color:#1d1d1f;\
         display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}}\
         main{{background:#fff;border-radius:12px;padding:2rem 2.5rem;max-width:34rem;\
         box-shadow:0 2px 12px rgba(0,0,0,.08);border-top:6px solid {accent}}}\
         h1{{font-size:1.4rem;margin:0 0 .75rem}}p{{line-height:1.5}}.small{{color:#6e6e73;font-size:.9rem}}\
         a{{word-break:break-all}}</style></head><body><main><h1>{title}</h1>{body_html}</main></body></html>"
    )
}

/// The page after a successful sign-in.
pub(crate) fn success_page(who: &str) -> String {
    page(
        "You are signed in",
        "#2e7d32",
        &format!(
            "<p>Presently is signed in as <strong>{}</strong>.</p>\
             <p>You can close this tab and go back to Presently.</p>",
            escape(who)
        ),
    )
}

/// The page after a failed sign-in: what happened in plain words, and what to do.
pub(crate) fn failure_page(message: &str) -> String {
    page(
        "Sign-in did not complete",
        "#c62828",
        &format!(
            "<p>{}</p><p class=\"small\">You can close this tab. Presently shows the same message and what to do \
             next.</p>",
            linkify(&escape(message))
        ),
    )
}

/// The page for an answer that does not carry this sign-in's `state`. It quotes nothing from the request.
fn foreign_redirect_page() -> String {
    page(
        "Not this sign-in",
        "#c62828",
        "<p>This answer did not come from this sign-in, so Presently ignored it and is still waiting. If you \
         are signing in, finish in the tab Presently opened.</p>",
    )
}

fn not_found_page() -> String {
    page(
        "Nothing here",
        "#6e6e73",
        "<p>This address only receives Presently's sign-in. You can close this tab.</p>",
    )
}

/// Turns escaped `http(s)://...` words into links (the admin-consent URL in a 90094 message).
fn linkify(escaped: &str) -> String {
    escaped
        .split(' ')
        .map(|word| {
            if word.starts_with("https://") || word.starts_with("http://") {
                format!("<a href=\"{word}\">{word}</a>")
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_with_a_code_and_state_is_recognized() {
        match parse_target("/?code=abc%2Bdef&state=s1&session_state=x") {
            Some(Redirect::Code { code, state }) => {
                assert_eq!(code.expose_secret(), "abc+def");
                assert_eq!(state, "s1");
            }
            _ => panic!("not a code redirect"),
        }
    }

    #[test]
    fn an_error_redirect_keeps_error_and_description() {
        match parse_target("/?error=access_denied&error_description=AADSTS65004%3A+declined&state=s") {
            Some(Redirect::Error {
                error,
                description,
                state,
            }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("AADSTS65004: declined"));
                assert_eq!(state.as_deref(), Some("s"));
            }
            _ => panic!("not an error redirect"),
        }
    }

    #[test]
    fn other_paths_and_bare_requests_are_not_redirects() {
        assert!(parse_target("/favicon.ico").is_none());
        assert!(parse_target("/").is_none());
        assert!(parse_target("/other?code=x&state=y").is_none());
    }

    #[test]
    fn pages_escape_what_they_show_and_link_urls() {
        let p =
            failure_page("Bad <script>alert(1)</script> & see https://login.test/t/adminconsent?client_id=1");
        assert!(!p.contains("<script>alert"));
        assert!(p.contains("&lt;script&gt;"));
        assert!(p.contains("<a href=\"https://login.test/t/adminconsent?client_id=1\">"));
        assert!(success_page("Adele <A>").contains("Adele &lt;A&gt;"));
    }

    #[tokio::test]
    async fn the_listener_binds_loopback_only_and_answers_other_paths_with_404() {
        let lb = Loopback::bind().await.unwrap();
        let port = lb.port();
        assert_eq!(lb.redirect_uri(), format!("http://localhost:{port}/"));
        assert!(lb.v4.local_addr().unwrap().ip().is_loopback());
        if let Some(v6) = &lb.v6 {
            assert_eq!(
                v6.local_addr().unwrap(),
                SocketAddr::from((Ipv6Addr::LOCALHOST, port))
            );
        }
        let waiter = tokio::spawn(async move { lb.next_redirect("st").await });
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(b"GET /?code=c&state=st HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let (redirect, mut responder) = waiter.await.unwrap().unwrap();
        assert!(matches!(redirect, Redirect::Code { .. }));
        responder.send(200, &success_page("me")).await;
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"));
        assert!(answer.contains("You are signed in"));
    }
}
