//! No token, code, verifier or device code ever reaches a log line or an error (architecture convention 7).
//!
//! Every identity-platform request of a full run (browser sign-in, refresh, device-code sign-in, a refused refresh)
//! passes through a recording reverse proxy, so the test knows every secret that went over the wire, including the
//! PKCE verifier the crate generates internally. A global subscriber captures all `tracing` output (and `log`
//! records, bridged) at TRACE while that runs, in memory and through the app's size-rotated log file writer
//! (`presently_core::log_file`, cut small here so the run spans several files). Then no 16-character piece of any
//! secret may appear in the captured output, in any of the log files, nor in any error's `Display` or `Debug`,
//! nor in a token set's `Debug`.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::{Choice, FakeBrowser, client_for, device_login, emulator, first_user, http};
use presently_auth::{BrowserSignIn, CancellationToken, MemoryStore, TokenManager};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A reverse proxy in front of the emulator that records every request and answer, raw.
async fn recording_proxy(upstream: SocketAddr, traffic: Arc<Mutex<Vec<String>>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let traffic = traffic.clone();
            tokio::spawn(async move {
                let _ = relay(client, upstream, traffic).await;
            });
        }
    });
    addr
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    traffic: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // One request per upstream connection: ask the server to close, then read its answer to the end.
    let rewritten: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .replacen("\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1);
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(rewritten.as_bytes()).await?;
    server.write_all(&buf[head_end..]).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    traffic.lock().unwrap().push(format!(
        "{}\n{}",
        String::from_utf8_lossy(&buf),
        String::from_utf8_lossy(&answer)
    ));
    client.write_all(&answer).await?;
    client.shutdown().await
}

/// Every secret value in the recorded traffic: form fields, JSON fields and redirect queries named like secrets.
fn secrets_in(traffic: &[String]) -> Vec<(String, String)> {
    const NAMES: [&str; 6] = [
        "code",
        "code_verifier",
        "refresh_token",
        "access_token",
        "id_token",
        "device_code",
    ];
    let mut found = Vec::new();
    for exchange in traffic {
        for line in exchange.lines() {
            let line = line.trim();
            // Form bodies and redirect queries.
            let query = line
                .strip_prefix("location: ")
                .or_else(|| line.strip_prefix("Location: "))
                .and_then(|l| l.split_once('?').map(|(_, q)| q.to_owned()))
                .unwrap_or_else(|| line.to_owned());
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                if NAMES.contains(&k.as_ref()) && v.len() >= 16 {
                    found.push((k.into_owned(), v.into_owned()));
                }
            }
            // JSON answers.
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) {
                for (k, v) in map {
                    if let (true, Some(v)) = (NAMES.contains(&k.as_str()), v.as_str()) {
                        found.push((k, v.to_owned()));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Pieces of 16 characters every 8, so any leaked run of 24 or more characters contains one whole piece.
fn pieces(secret: &str) -> Vec<&str> {
    let bytes = secret.as_bytes();
    (0..bytes.len().saturating_sub(16))
        .step_by(8)
        .filter_map(|i| secret.get(i..i + 16))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_full_run_with_trace_logging_leaks_no_token_code_verifier_or_device_code() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let captured = Captured::default();
    let sink = captured.clone();
    let log_dir = tempfile::tempdir().unwrap();
    let file =
        presently_core::log_file::LogFile::open_with_limits(log_dir.path(), "app", 4 * 1024, 10_000).unwrap();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || sink.clone()),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file)),
        )
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .try_init()
        .unwrap();

    let emu = emulator(false).await;
    let traffic = Arc::new(Mutex::new(Vec::new()));
    let proxy = recording_proxy(emu.addr(), traffic.clone()).await;
    let client = client_for(&format!("http://{proxy}"));
    let mut texts: Vec<String> = Vec::new();

    // Browser sign-in through the emulator's pages.
    let browser = FakeBrowser::new(Choice::Approve);
    let first = client
        .sign_in_with_browser(&browser, &BrowserSignIn::default(), &CancellationToken::new())
        .await
        .unwrap();
    texts.push(format!("{first:?}"));
    let manager = TokenManager::new(client.clone(), Arc::new(MemoryStore::new()));
    manager.adopt(first.clone()).await.unwrap();

    // A refresh (as after a 401).
    let refreshed = manager
        .refresh_after_rejection(&first.access_token)
        .await
        .unwrap();
    texts.push(format!("{refreshed:?} {refreshed}"));

    // A device-code sign-in.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let device = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .sign_in_with_device_code(
                    move |p| {
                        let _ = tx.send(p);
                    },
                    &CancellationToken::new(),
                )
                .await
        })
    };
    let prompt = rx.await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    device_login(emu.base_url(), &prompt.user_code, true).await;
    let by_device = device.await.unwrap().unwrap();
    texts.push(format!("{by_device:?}"));

    // A failure: the user's refresh tokens are revoked, the next refresh is refused.
    http()
        .post(format!(
            "{}/_emulator/users/{}/revoke",
            emu.base_url(),
            first_user().id
        ))
        .send()
        .await
        .unwrap();
    let current = manager.access_token().await.unwrap();
    let err = manager.refresh_after_rejection(&current).await.unwrap_err();
    texts.push(format!("{err} {err:?} {:?}", std::error::Error::source(&err)));
    // And a state mismatch, whose redirect carried a real code.
    let tampered = FakeBrowser::new(Choice::TamperState);
    let err = client
        .sign_in_with_browser(&tampered, &BrowserSignIn::default(), &CancellationToken::new())
        .await
        .unwrap_err();
    texts.push(format!("{err} {err:?}"));
    if let Some((_, page)) = tampered.finished().await.final_page {
        texts.push(page);
    }

    let traffic = traffic.lock().unwrap().clone();
    let mut secrets = secrets_in(&traffic);
    // The code of the tampered redirect went to our listener, not through the proxy.
    if let Some(redirect) = tampered.run().redirect {
        for (k, v) in redirect.query_pairs() {
            if k == "code" {
                secrets.push(("code".into(), v.into_owned()));
            }
        }
    }
    let count = |name: &str| secrets.iter().filter(|(k, _)| k == name).count();
    assert!(count("code") >= 2, "{secrets:?}");
    assert!(count("code_verifier") >= 1);
    assert!(count("access_token") >= 3);
    assert!(count("refresh_token") >= 3);
    assert!(count("id_token") >= 2);
    assert!(count("device_code") >= 1);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("browser sign-in complete"), "the capture works");
    assert!(log.contains("access token refreshed"));
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "lower levels are captured too"
    );
    let mut files: Vec<_> = std::fs::read_dir(log_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let in_files: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let file_bytes: usize = in_files.iter().map(String::len).sum();
    assert!(files.len() >= 3, "the run spans several log files: {files:?}");
    assert!(
        in_files.iter().any(|t| t.contains("browser sign-in complete")),
        "the log file gets the lines too"
    );
    // The two writers format the same events; only their timestamps differ (in value, not in width).
    assert!(
        file_bytes.abs_diff(log.len()) < log.len() / 100,
        "the files hold the whole run: {file_bytes} bytes against {} in memory",
        log.len()
    );
    let _ = writeln!(
        std::io::stderr(),
        "checked {} secrets against {} bytes of TRACE output, {} files ({file_bytes} bytes) of the log file and \
         {} error/debug texts",
        secrets.len(),
        log.len(),
        files.len(),
        texts.len()
    );

    for (name, secret) in &secrets {
        for piece in pieces(secret) {
            assert!(
                !log.contains(piece),
                "a piece of a {name} appears in the tracing output"
            );
            for (file, text) in files.iter().zip(&in_files) {
                assert!(
                    !text.contains(piece),
                    "a piece of a {name} appears in the log file {}",
                    file.display()
                );
            }
            for text in &texts {
                assert!(
                    !text.contains(piece),
                    "a piece of a {name} appears in an error or debug text: {text}"
                );
            }
        }
    }
}
