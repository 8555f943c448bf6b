//! The IPC server: answers requests on the local endpoint by calling the [`Presently`] core, and pushes state and
//! app events to connections that subscribed. Each connection is served by its own task; a request that takes
//! long (sign-in) runs apart so the connection keeps answering.
//!
//! What a local process sends cannot wear the server down: a failing `accept()` (out of file descriptors) backs
//! off instead of spinning; each connection's outgoing queue holds at most [`OUTGOING_QUEUE`] lines, and a client
//! that lets it fill (it never reads) is dropped rather than buffered for; a file at the socket path that is not
//! a socket is never removed.

use std::time::Duration;

use presently_auth::CancellationToken;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::protocol::{EventFrame, MAX_LINE, ReplyFrame, Request, RequestFrame, VERSION};
use super::{Endpoint, IpcError};
use crate::app::Presently;
use crate::problem::{Problem, ProblemKind};

/// Lines (replies and events) waiting to be written to one connection. A snapshot is a few KB, so this is at
/// most a few MB per client; a client that lets it fill is not reading and is dropped.
pub const OUTGOING_QUEUE: usize = 1024;

/// The first and the longest pause after a failed `accept()`.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// The pause after a failed `accept()`, given the previous one: doubling from 10 ms to 1 s, so a persistent
/// failure (EMFILE) costs a few wake-ups a second instead of a busy loop.
fn accept_backoff(previous: Option<Duration>) -> Duration {
    previous.map_or(ACCEPT_BACKOFF.0, |p| (p * 2).min(ACCEPT_BACKOFF.1))
}

/// A running IPC server. Dropping it stops listening (and removes the socket file).
#[derive(Debug)]
pub struct IpcServer {
    endpoint: Endpoint,
    task: tokio::task::JoinHandle<()>,
}

impl IpcServer {
    /// Where it listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl Drop for IpcServer {
    fn drop(&mut self) {
        self.task.abort();
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.endpoint.address);
    }
}

/// Starts serving `presently` on `endpoint`. Fails with [`IpcError::AlreadyRunning`] when another process
/// answers there (a second keeper must not start).
pub async fn serve(presently: Presently, endpoint: Endpoint) -> Result<IpcServer, IpcError> {
    let task = listen(presently, &endpoint).await?;
    Ok(IpcServer { endpoint, task })
}

#[cfg(unix)]
async fn listen(presently: Presently, endpoint: &Endpoint) -> Result<tokio::task::JoinHandle<()>, IpcError> {
    use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};

    let path = endpoint.address.clone();
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(IpcError::io)?;
        // The runtime subfolder is Presently's own (see `Endpoint::for_profile`): tighten it if it was created
        // looser. A folder holding an explicit PRESENTLY_IPC path is the user's and left alone.
        if dir.file_name().is_some_and(|n| n == "presently") {
            crate::config::file::ensure_private_dir(dir).map_err(IpcError::io)?;
        }
    }
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        if !meta.file_type().is_socket() {
            return Err(IpcError::Io(format!(
                "{} exists and is not a socket; it was left as it is (remove it or choose another PRESENTLY_IPC)",
                path.display()
            )));
        }
        if tokio::net::UnixStream::connect(&path).await.is_ok() {
            return Err(IpcError::AlreadyRunning(endpoint.clone()));
        }
        // A socket left by a process that died.
        std::fs::remove_file(&path).map_err(IpcError::io)?;
    }
    let listener = tokio::net::UnixListener::bind(&path).map_err(IpcError::io)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(IpcError::io)?;
    let owner = std::fs::metadata(&path).map_err(IpcError::io)?.uid();
    Ok(tokio::spawn(async move {
        let mut backoff = None;
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => {
                    backoff = None;
                    stream
                }
                Err(e) => {
                    let pause = accept_backoff(backoff);
                    if backoff.is_none() {
                        tracing::warn!(error = %e, "IPC accept failed; backing off");
                    }
                    backoff = Some(pause);
                    tokio::time::sleep(pause).await;
                    continue;
                }
            };
            // Only the user who owns the socket may talk to the keeper.
            match stream.peer_cred() {
                Ok(cred) if cred.uid() == owner => {
                    tokio::spawn(connection(stream, presently.clone()));
                }
                Ok(cred) => tracing::warn!(uid = cred.uid(), "refused an IPC connection from another user"),
                Err(e) => tracing::warn!(error = %e, "refused an IPC connection without credentials"),
            }
        }
    }))
}

/// Windows: a named pipe that refuses remote clients, with a DACL that admits the current user and SYSTEM only
/// (the default one lets every user read; `presently_winpipe::create_server`).
#[cfg(windows)]
async fn listen(presently: Presently, endpoint: &Endpoint) -> Result<tokio::task::JoinHandle<()>, IpcError> {
    use tokio::net::windows::named_pipe::ServerOptions;

    let name = endpoint.address.as_os_str().to_owned();
    // A keeper that answers is running. Asked first because Wine 8 does not enforce `first_pipe_instance` (a
    // second server on the same name was created there, in testkit's IPC tests); Windows does.
    if tokio::net::windows::named_pipe::ClientOptions::new()
        .open(&name)
        .is_ok()
    {
        return Err(IpcError::AlreadyRunning(endpoint.clone()));
    }
    let first = presently_winpipe::create_server(
        ServerOptions::new()
            .first_pipe_instance(true)
            .reject_remote_clients(true),
        &name,
    );
    let mut server = match first {
        Ok(server) => server,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(IpcError::AlreadyRunning(endpoint.clone()));
        }
        Err(e) => return Err(IpcError::io(e)),
    };
    Ok(tokio::spawn(async move {
        let mut backoff = None;
        loop {
            if let Err(e) = server.connect().await {
                let pause = accept_backoff(backoff);
                if backoff.is_none() {
                    tracing::warn!(error = %e, "IPC pipe connect failed; backing off");
                }
                backoff = Some(pause);
                tokio::time::sleep(pause).await;
                continue;
            }
            backoff = None;
            let next = match presently_winpipe::create_server(
                ServerOptions::new().reject_remote_clients(true),
                &name,
            ) {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot create the next pipe instance; IPC stops");
                    return;
                }
            };
            let connected = std::mem::replace(&mut server, next);
            tokio::spawn(connection(connected, presently.clone()));
        }
    }))
}

async fn connection<S>(stream: S, presently: Presently)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, mut write) = tokio::io::split(stream);
    let (sender, mut outgoing) = mpsc::channel::<String>(OUTGOING_QUEUE);
    let out = Outgoing {
        sender,
        overflow: CancellationToken::new(),
    };
    let writer = tokio::spawn(async move {
        while let Some(mut line) = outgoing.recv().await {
            line.push('\n');
            if write.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(read);
    let mut subscribed = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let limit = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
        let mut line = (&mut reader).take(limit);
        let read = tokio::select! {
            read = line.read_until(b'\n', &mut buf) => read,
            () = out.overflow.cancelled() => break,
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if out.overflow.is_cancelled() {
            break;
        }
        if buf.len() > MAX_LINE {
            reply(
                &out,
                0,
                Err(Problem::new(ProblemKind::InvalidChoice, "request too long")),
            );
            break;
        }
        let frame = match serde_json::from_slice::<RequestFrame>(&buf) {
            Ok(frame) => frame,
            Err(e) => {
                let id = serde_json::from_slice::<Value>(&buf)
                    .ok()
                    .and_then(|v| v["id"].as_u64())
                    .unwrap_or(0);
                reply(
                    &out,
                    id,
                    Err(Problem::new(
                        ProblemKind::InvalidChoice,
                        format!("not a request Presently knows: {e}"),
                    )),
                );
                continue;
            }
        };
        if frame.request == Request::Subscribe && !subscribed {
            subscribed = true;
            reply(&out, frame.id, Ok(Value::Null));
            tokio::spawn(forward_events(presently.clone(), out.clone()));
            continue;
        }
        if let Request::SignIn { method } = frame.request {
            // Minutes-long: answer when done without holding up the connection.
            let (presently, out) = (presently.clone(), out.clone());
            tokio::spawn(async move {
                let result = presently.sign_in(method).await.map(|()| Value::Null);
                reply(&out, frame.id, result);
            });
            continue;
        }
        let result = answer(&presently, frame.request).await;
        reply(&out, frame.id, result);
    }
    if out.overflow.is_cancelled() {
        // The client stopped reading; its writer is stuck on a full socket. Drop the connection.
        tracing::warn!("an IPC client stopped reading its answers; dropped it");
        writer.abort();
        return;
    }
    drop(out);
    let _ = writer.await;
}

/// One connection's bounded queue of lines to write. When it is full the client is not reading: `overflow`
/// fires and the connection is dropped.
#[derive(Clone)]
struct Outgoing {
    sender: mpsc::Sender<String>,
    overflow: CancellationToken,
}

impl Outgoing {
    /// Queues a line; false when the connection is gone or was dropped for not reading.
    fn send(&self, line: String) -> bool {
        match self.sender.try_send(line) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflow.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

async fn answer(presently: &Presently, request: Request) -> Result<Value, Problem> {
    let value = |v: Result<Value, serde_json::Error>| {
        v.map_err(|e| Problem::new(ProblemKind::Internal, format!("cannot encode the answer: {e}")))
    };
    match request {
        Request::Hello => Ok(json!({ "version": VERSION, "pid": std::process::id() })),
        Request::Snapshot => value(serde_json::to_value(presently.snapshot())),
        Request::Choose {
            status,
            duration,
            origin,
        } => {
            let intent = presently.choose(&status, &duration, origin)?;
            value(serde_json::to_value(intent))
        }
        Request::BackToAutomatic => presently.back_to_automatic().map(|()| Value::Null),
        Request::SetMessage { text, until, origin } => presently
            .set_message(&text, until.as_deref(), origin)
            .map(|()| Value::Null),
        Request::ClearMessage => presently.clear_message().map(|()| Value::Null),
        Request::Retry => presently.retry().map(|()| Value::Null),
        Request::Look => presently.look().map(|()| Value::Null),
        Request::CancelSignIn => {
            presently.cancel_sign_in();
            Ok(Value::Null)
        }
        Request::SignOut => presently.sign_out().await.map(|()| Value::Null),
        Request::SignInChanged => presently.sign_in_changed().map(|()| Value::Null),
        Request::Settings => value(serde_json::to_value(presently.settings())),
        Request::ReloadSettings => value(serde_json::to_value(presently.reload_settings()?)),
        Request::SettingsView => value(serde_json::to_value(presently.settings_view())),
        Request::SaveSettings { patch } => match presently.save_settings(&patch) {
            Ok(view) => value(serde_json::to_value(view)),
            Err(crate::config::edit::SettingsRejected::Problem(problem)) => Err(problem),
            // Refused fields are an answer for the page to show, not a failure of the request.
            Err(rejected) => value(serde_json::to_value(rejected)),
        },
        Request::ShowPopup => {
            presently.announce(crate::app::AppEvent::ShowPopup);
            Ok(Value::Null)
        }
        Request::Quit => {
            presently.announce(crate::app::AppEvent::Quit);
            Ok(Value::Null)
        }
        Request::ProcessState => value(serde_json::to_value(presently.process_state())),
        Request::Diagnostics => value(serde_json::to_value(presently.diagnostics())),
        // Handled by the connection loop.
        Request::Subscribe | Request::SignIn { .. } => Ok(Value::Null),
    }
}

fn reply(out: &Outgoing, id: u64, result: Result<Value, Problem>) {
    let frame = match result {
        Ok(ok) => ReplyFrame {
            id,
            ok: Some(ok),
            error: None,
        },
        Err(problem) => ReplyFrame {
            id,
            ok: None,
            error: Some(problem),
        },
    };
    if let Ok(line) = serde_json::to_string(&frame) {
        out.send(line);
    }
}

fn push(out: &Outgoing, frame: &EventFrame) -> bool {
    serde_json::to_string(frame).is_ok_and(|line| out.send(line))
}

/// Sends the current state, then every state change and app event, until the connection closes.
async fn forward_events(presently: Presently, out: Outgoing) {
    let mut states = presently.subscribe();
    let mut events = presently.events();
    let current = EventFrame::State(Box::new(states.borrow_and_update().clone()));
    if !push(&out, &current) {
        return;
    }
    loop {
        tokio::select! {
            changed = states.changed() => {
                if changed.is_err() { break; }
                let state = EventFrame::State(Box::new(states.borrow_and_update().clone()));
                if !push(&out, &state) { break; }
            }
            event = crate::listen::next(&mut events) => match event {
                Some(event) => {
                    if !push(&out, &EventFrame::App(event)) { break; }
                }
                None => break,
            },
            () = out.sender.closed() => break,
            () = out.overflow.cancelled() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_accept_backs_off_from_ten_milliseconds_to_a_second() {
        let mut pauses = Vec::new();
        let mut last = None;
        for _ in 0..10 {
            let pause = accept_backoff(last);
            pauses.push(pause.as_millis());
            last = Some(pause);
        }
        assert_eq!(pauses, vec![10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    }
}
