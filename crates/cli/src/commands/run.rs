//! `presently run`: the keeper as a headless daemon, for people who use only the command line.
//!
//! It starts the same core the tray app embeds (settings, sign-in, the keeper) and serves the local IPC, so
//! `presently set/clear/status` in another terminal ask it instead of calling Graph once. It prints one line
//! per change that matters (or, with `--json`, one snapshot object per line) until Ctrl-C or SIGTERM, then quits
//! the way the `on-quit` setting says (keep the status until it ends, or go back to automatic).

use std::sync::Arc;

use presently_core::ipc::{self, Endpoint, IpcError};
use presently_core::keeper::{AccountView, Agreement, Snapshot};
use presently_core::paths::process_env;
use presently_core::{Presently, Problem, ProblemKind, StartOptions};

use crate::args::Global;
use crate::browser::Browser;
use crate::context::{data_folder, locations, overrides};
use crate::output::Output;

/// Runs `presently run`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let data_dir = data_folder()?;
    let options = StartOptions {
        locations: locations()?,
        overrides: overrides(global),
        env: process_env,
        data_dir: data_dir.clone(),
        clock: None,
        store: None,
        browser: Some(Arc::new(Browser::choose(false, process_env("BROWSER")))),
    };
    let endpoint = Endpoint::for_profile("keeper", &data_dir, &process_env);
    // Refuse early, before starting a second keeper that would fight the first.
    if crate::keeper_backend::KeeperBackend::connect(endpoint.clone())
        .await
        .is_some()
    {
        return Err(already_running(&endpoint));
    }
    let presently = Presently::start(options).await?;
    let _server = ipc::serve(presently.clone(), endpoint.clone())
        .await
        .map_err(|e| match e {
            IpcError::AlreadyRunning(endpoint) => already_running(&endpoint),
            other => Problem::new(ProblemKind::Internal, other.to_string()),
        })?;
    out.note(format!(
        "Presently keeper running; `presently set`, `clear` and `status` talk to it at {endpoint}. Ctrl-C stops it."
    ));

    let mut states = presently.subscribe();
    let mut last_line = String::new();
    loop {
        let snapshot = states.borrow_and_update().clone();
        report(&snapshot, &mut last_line, out);
        tokio::select! {
            changed = states.changed() => if changed.is_err() { break },
            () = stop_signal() => break,
        }
    }
    out.note("Stopping the keeper…");
    presently.shutdown().await;
    Ok(crate::exit::OK)
}

fn already_running(endpoint: &Endpoint) -> Problem {
    Problem::new(
        ProblemKind::Configuration,
        format!("a Presently keeper is already running (at {endpoint}); use `presently set` to talk to it"),
    )
}

/// One line per meaningful change (text), or every snapshot (JSON lines).
fn report(snapshot: &Snapshot, last: &mut String, out: Output) {
    if out.json {
        if let Ok(line) = serde_json::to_string(snapshot) {
            println!("{line}");
        }
        return;
    }
    let account = match &snapshot.account {
        AccountView::Unknown => return,
        AccountView::SignedOut => "not signed in: run `presently login`".to_owned(),
        AccountView::SignInRequired { username, .. } => {
            format!("{username} must sign in again: `presently login`")
        }
        AccountView::SignedIn { username, .. } => username.clone(),
    };
    let intent = match &snapshot.intent {
        Some(intent) => format!(
            "{} {}",
            intent.status,
            presently_core::wording::until_words(
                intent,
                jiff::Timestamp::now(),
                &jiff::tz::TimeZone::system(),
                snapshot.hour_cycle,
            )
        ),
        None => "automatic".to_owned(),
    };
    let graph = match (&snapshot.agreement, &snapshot.reported) {
        (Agreement::Differs { reason }, _) => format!(" — {reason}"),
        (Agreement::Matches, Some(r)) => format!(" — Graph reports {}", r.availability.as_str()),
        _ => String::new(),
    };
    let problem = snapshot
        .problem
        .as_ref()
        .map(|p| format!(" — {}", p.message))
        .unwrap_or_default();
    let line = format!("{account}: {intent}{graph}{problem}");
    if line != *last {
        println!("{line}");
        *last = line;
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
