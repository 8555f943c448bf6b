//! The IPC client: the popup process, the CLI and a second app launch use it to talk to the running keeper.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::protocol::{EventFrame, ReplyFrame, Request, RequestFrame};
use super::{Endpoint, IpcError};
use crate::problem::Problem;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<ReplyFrame>>>>;

/// A connection to the running keeper.
#[derive(Debug)]
pub struct Client {
    out: mpsc::UnboundedSender<String>,
    pending: Pending,
    next_id: AtomicU64,
    events: broadcast::Sender<EventFrame>,
    closed: watch::Receiver<bool>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The keeper answered with a problem.
    #[error("{}", .0.message)]
    Problem(Problem),
    /// The connection closed before the answer.
    #[error("the connection to Presently closed")]
    Disconnected,
}

impl Client {
    /// Connects; [`IpcError::NotRunning`] when nothing listens.
    pub async fn connect(endpoint: &Endpoint) -> Result<Self, IpcError> {
        #[cfg(unix)]
        {
            match tokio::net::UnixStream::connect(&endpoint.address).await {
                Ok(stream) => Ok(Self::over(stream)),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    Err(IpcError::NotRunning(endpoint.clone()))
                }
                Err(e) => Err(IpcError::io(e)),
            }
        }
        #[cfg(windows)]
        {
            use tokio::net::windows::named_pipe::ClientOptions;
            // ERROR_PIPE_BUSY: the server is between accepting a connection and offering the next instance.
            const PIPE_BUSY: i32 = 231;
            let mut opened = ClientOptions::new().open(&endpoint.address);
            for _ in 0..50 {
                match &opened {
                    Err(e) if e.raw_os_error() == Some(PIPE_BUSY) => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        opened = ClientOptions::new().open(&endpoint.address);
                    }
                    _ => break,
                }
            }
            match opened {
                Ok(pipe) => {
                    // Before anything is sent: anyone may create a pipe of this name first.
                    let me = presently_winpipe::current_user_sid().map_err(IpcError::io)?;
                    let owner = presently_winpipe::server_owner_sid(&pipe).map_err(IpcError::io)?;
                    same_user(&owner, &me, endpoint)?;
                    Ok(Self::over(pipe))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(IpcError::NotRunning(endpoint.clone()))
                }
                Err(e) => Err(IpcError::io(e)),
            }
        }
    }

    /// A client over any byte stream (tests).
    pub fn over<S: AsyncRead + AsyncWrite + Send + 'static>(stream: S) -> Self {
        let (read, mut write) = tokio::io::split(stream);
        let (out, mut outgoing) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(mut line) = outgoing.recv().await {
                line.push('\n');
                if write.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let (events, _) = broadcast::channel(256);
        let (closed_tx, closed) = watch::channel(false);
        let reader = tokio::spawn(read_frames(read, pending.clone(), events.clone(), closed_tx));
        Self {
            out,
            pending,
            next_id: AtomicU64::new(1),
            events,
            closed,
            reader,
        }
    }

    /// Sends a request and waits for its answer.
    pub async fn call(&self, request: Request) -> Result<Value, CallError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        let line =
            serde_json::to_string(&RequestFrame { id, request }).map_err(|_| CallError::Disconnected)?;
        self.out.send(line).map_err(|_| CallError::Disconnected)?;
        let reply = rx.await.map_err(|_| CallError::Disconnected)?;
        match (reply.ok, reply.error) {
            (_, Some(problem)) => Err(CallError::Problem(problem)),
            (ok, None) => Ok(ok.unwrap_or(Value::Null)),
        }
    }

    /// Resolves when the connection to the keeper has closed (the keeper quit or crashed).
    pub async fn closed(&self) {
        let mut closed = self.closed.clone();
        let _ = closed.wait_for(|c| *c).await;
    }

    /// Events pushed after [`Request::Subscribe`].
    pub fn events(&self) -> broadcast::Receiver<EventFrame> {
        self.events.subscribe()
    }
}

/// Refuses a server run by another user than this process's (Windows, where SIDs name the users).
#[cfg(any(windows, test))]
fn same_user(server: &str, me: &str, endpoint: &Endpoint) -> Result<(), IpcError> {
    if server == me {
        Ok(())
    } else {
        Err(IpcError::Io(format!(
            "refused {endpoint}: the process serving it runs as another user ({server}), not as you ({me})"
        )))
    }
}

async fn read_frames<R: AsyncRead + Send + Unpin>(
    read: R,
    pending: Pending,
    events: broadcast::Sender<EventFrame>,
    closed: watch::Sender<bool>,
) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(reply) = serde_json::from_str::<ReplyFrame>(&line) {
            if let Some(tx) = pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&reply.id)
            {
                let _ = tx.send(reply);
            }
        } else if let Ok(event) = serde_json::from_str::<EventFrame>(&line) {
            let _ = events.send(event);
        }
    }
    // Closing: every waiting call learns the connection is gone, and later calls are refused.
    let _ = closed.send(true);
    pending.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_of_another_user_is_refused_and_ours_is_not() {
        let endpoint = Endpoint::at(r"\\.\pipe\presently-keeper-adele");
        assert!(same_user("S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1001", &endpoint).is_ok());
        let refused = same_user("S-1-5-21-1-2-3-1002", "S-1-5-21-1-2-3-1001", &endpoint).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("runs as another user (S-1-5-21-1-2-3-1002)"),
            "{refused}"
        );
    }
}
