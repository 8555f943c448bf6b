//! The `proxy` and `no-proxy` settings, for real: a forward proxy on 127.0.0.1 (`presently_testkit::proxy`)
//! carries every sign-in and Graph request of `presently login` and `presently set` when `no-proxy` is empty;
//! a proxy that answers 407, or where nothing listens, is named in the error, with exit code 5, and the keeper
//! keeps the chosen status.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Harness, Run};
use presently_testkit::proxy::{Mode, TestProxy, closed_port_url};

/// The emulator's log position now.
fn log_mark(h: &Harness) -> u64 {
    h.emu
        .state()
        .world()
        .log
        .since(0)
        .map(|e| e.seq)
        .max()
        .unwrap_or(0)
}

/// `METHOD absolute-URL` of every identity and Graph request the emulator answered after `mark`.
fn answered_since(h: &Harness, mark: u64) -> Vec<String> {
    let base = h.base();
    h.emu
        .state()
        .world()
        .log
        .since(mark)
        .map(|e| format!("{} {base}{}", e.method, e.path))
        .collect()
}

/// `METHOD URL` of what the proxy carried from index `from` on, the query left off (the emulator logs paths).
fn carried_since(proxy: &TestProxy, from: usize) -> Vec<String> {
    proxy.seen()[from..]
        .iter()
        .map(|s| format!("{} {}", s.method, s.target.split('?').next().unwrap_or_default()))
        .collect()
}

async fn use_proxy(h: &Harness, url: &str) {
    h.run(&["config", "set", "proxy", url]).await.expect(0);
    h.run(&["config", "set", "no-proxy", ""]).await.expect(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_proxy_empty_every_sign_in_and_graph_request_goes_through_the_proxy() {
    let h = Harness::auto_approving().await;
    let proxy = TestProxy::start(Mode::Forward).await;
    use_proxy(&h, &proxy.url()).await;
    let shown = h.run(&["--json", "config", "get", "proxy"]).await;
    assert_eq!(shown.expect(0).json()["value"], proxy.url());

    // The browser (curl) reaches the emulator's pages and the loopback listener directly; Presently redeems
    // the code through the proxy.
    let mark = log_mark(&h);
    h.login_with_curl().await.expect(0);
    let redeemed = carried_since(&proxy, 0);
    assert!(
        redeemed
            .iter()
            .any(|r| r.starts_with("POST ") && r.ends_with("/oauth2/v2.0/token")),
        "the code was redeemed through the proxy: {redeemed:?}"
    );
    let answered: Vec<String> = answered_since(&h, mark)
        .into_iter()
        .filter(|r| r.contains("/oauth2/v2.0/token") || r.contains("/v1.0/"))
        .collect();
    assert_eq!(
        redeemed, answered,
        "every token and Graph request of the sign-in, and nothing else"
    );

    // An hour and more later the access token has lapsed: `set` refreshes it, then writes and reads back.
    h.advance(2 * 3600).await;
    let mark = log_mark(&h);
    let from = proxy.seen().len();
    let run = h.run(&["--json", "set", "busy", "--for", "1h"]).await;
    run.expect(0);
    let answered = answered_since(&h, mark);
    let carried = carried_since(&proxy, from);
    assert!(
        answered
            .iter()
            .any(|r| r.starts_with("POST ") && r.ends_with("/oauth2/v2.0/token")),
        "the set refreshed the token: {answered:?}"
    );
    assert!(
        answered.iter().any(|r| r.ends_with("/setUserPreferredPresence")),
        "{answered:?}"
    );
    assert_eq!(
        carried, answered,
        "the proxy carried every request the emulator answered during the set, and only those"
    );
    assert!(
        proxy
            .seen()
            .iter()
            .all(|s| s.method != "CONNECT" && s.proxy_authorization.is_none()),
        "plain http goes in absolute form, and no credentials were set"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_no_proxy_keeps_loopback_direct() {
    let h = Harness::auto_approving().await;
    let proxy = TestProxy::start(Mode::Refuse).await;
    h.run(&["config", "set", "proxy", &proxy.url()]).await.expect(0);
    h.login_with_curl().await.expect(0);
    h.run(&["set", "busy", "--for", "1h"]).await.expect(0);
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_url_with_a_password_is_never_written_to_the_settings_file() {
    let h = Harness::auto_approving().await;
    std::fs::write(
        h.settings_file(),
        "proxy = \"http://me:hunter2@127.0.0.1:3128\"\n",
    )
    .unwrap();
    let run = h.run(&["status"]).await;
    run.expect(2);
    assert!(run.stderr.contains("credential store"), "{}", run.stderr);
    assert!(!run.all().contains("hunter2"), "{}", run.all());

    // `config set` keeps them in the credential store; there is none here (no D-Bus), so it refuses and
    // writes nothing.
    std::fs::remove_file(h.settings_file()).unwrap();
    if !cfg!(windows) {
        let run = h
            .run(&["config", "set", "proxy", "http://me:hunter2@127.0.0.1:3128"])
            .await;
        assert_ne!(run.code, 0, "{}", run.all());
        assert!(run.stderr.contains("credential store"), "{}", run.stderr);
        assert!(!run.all().contains("hunter2"), "{}", run.all());
        assert!(
            !h.settings_file().exists()
                || !std::fs::read_to_string(h.settings_file())
                    .unwrap()
                    .contains("hunter2")
        );
    }
}

/// Starts `presently run` and waits until it serves its IPC.
async fn start_keeper(h: &Harness) -> tokio::process::Child {
    let mut daemon = h.command(&["run"]);
    daemon.stdout(Stdio::null()).stderr(Stdio::null());
    let daemon = daemon.spawn().unwrap();
    let address = h.ipc_address();
    for _ in 0..200 {
        if listens(&address) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        listens(&address),
        "the keeper serves its IPC at {}",
        address.display()
    );
    daemon
}

fn listens(address: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        address.exists()
    }
    #[cfg(windows)]
    {
        // ERROR_PIPE_BUSY (231): the server is there, between accepting a connection and offering the next one.
        match tokio::net::windows::named_pipe::ClientOptions::new().open(address) {
            Ok(_) => true,
            Err(e) => e.raw_os_error() == Some(231),
        }
    }
}

/// Signs in directly, then points Presently at `proxy_url` (no host bypassing it), starts the keeper and sets
/// a status through it.
async fn set_through(proxy_url: &str) -> (Harness, tokio::process::Child, Run) {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    use_proxy(&h, proxy_url).await;
    let daemon = start_keeper(&h).await;
    let run = h.run(&["--json", "set", "dnd", "--for", "30m"]).await;
    (h, daemon, run)
}

#[track_caller]
fn assert_names_the_proxy(run: &Run, proxy_url: &str, why: &str) {
    run.expect(5);
    let json = run.json();
    let error = &json["error"];
    assert_eq!(error["kind"], "offline", "{json:#}");
    assert_eq!(error["action"]["type"], "openSettings", "{json:#}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(proxy_url), "names the proxy: {message}");
    assert!(message.contains(why), "says why: {message}");
    assert!(message.contains("proxy setting"), "says what to check: {message}");
}

async fn assert_intent_kept(h: &Harness) {
    let status = h.run(&["--json", "status"]).await;
    let json = status.json();
    assert_eq!(json["presently"]["status"], "dnd", "the choice is kept: {json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_answering_407_is_named_with_exit_5_and_the_status_is_kept() {
    let proxy = TestProxy::start(Mode::Refuse).await;
    let (h, mut daemon, run) = set_through(&proxy.url()).await;
    assert_names_the_proxy(&run, &proxy.url(), "407");
    assert!(!proxy.seen().is_empty(), "the request reached the proxy");
    assert_intent_kept(&h).await;
    daemon.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_refusing_connections_is_named_with_exit_5_and_the_status_is_kept() {
    let url = closed_port_url().await;
    let (h, mut daemon, run) = set_through(&url).await;
    assert_names_the_proxy(&run, &url, "cannot be reached");
    assert_intent_kept(&h).await;
    daemon.kill().await.unwrap();
}
