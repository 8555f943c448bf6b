//! The popup's commands (the contract's table). Each takes its arguments, makes one call to the main process
//! over the local IPC, and maps the error to a shape the UI can act on; none holds logic of its own. Results
//! pass through as the JSON the core serialised (Snapshot, Intent, settings), so there is one definition of
//! every payload: the Rust type in the core.

use presently_core::SignInMethod;
use presently_core::ipc::{Client, Request};
use presently_model::Origin;
use serde_json::Value;
use tauri::{Runtime, State, Window};

use crate::error::CommandError;

/// The popup process's connection to the main process.
#[derive(Debug)]
pub struct Ipc(pub Client);

impl Ipc {
    /// One request, its answer or the problem.
    pub async fn call(&self, request: Request) -> Result<Value, CommandError> {
        Ok(self.0.call(request).await?)
    }
}

type Reply = Result<Value, CommandError>;

/// The keeper's current `Snapshot`.
#[tauri::command]
pub async fn get_state(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::Snapshot).await
}

/// Keeps `status` for `duration` (a preset such as `1h`, `eod`, `forever`, or typed text like `90m`).
#[tauri::command]
pub async fn choose(ipc: State<'_, Ipc>, status: String, duration: String) -> Reply {
    ipc.call(Request::Choose {
        status,
        duration,
        origin: Origin::Popup,
    })
    .await
}

/// Back to automatic.
#[tauri::command]
pub async fn back_to_automatic(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::BackToAutomatic).await
}

/// Retries pending work now.
#[tauri::command]
pub async fn retry(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::Retry).await
}

/// Signs in with the browser or a device code; progress and the result also arrive as events.
#[tauri::command]
pub async fn sign_in(ipc: State<'_, Ipc>, method: SignInMethod) -> Reply {
    ipc.call(Request::SignIn { method }).await
}

/// Cancels a sign-in in progress.
#[tauri::command]
pub async fn cancel_sign_in(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::CancelSignIn).await
}

/// Back to automatic and sign out.
#[tauri::command]
pub async fn sign_out(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::SignOut).await
}

/// The settings in force, each with where it came from.
#[tauri::command]
pub async fn get_settings(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::Settings).await
}

/// Hides the popup (Esc); the process lingers a while for a quick reopen.
#[tauri::command]
pub fn hide_popup<R: Runtime>(window: Window<R>) {
    crate::popup::hide(&window);
}

/// The invoke handler with every command above.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_state,
        choose,
        back_to_automatic,
        retry,
        sign_in,
        cancel_sign_in,
        sign_out,
        get_settings,
        hide_popup,
    ]
}
