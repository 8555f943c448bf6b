//! The popup's commands (the contract's table). Each takes its arguments, makes one call to the main process
//! over the local IPC, and maps the error to a shape the UI can act on; none holds logic of its own. Results
//! pass through as the JSON the core serialised (Snapshot, Intent, settings), so there is one definition of
//! every payload: the Rust type in the core.

use presently_core::config::edit::{SettingsPatch, SettingsRejected};
use presently_core::diagnostics::Diagnostics;
use presently_core::ipc::{Client, Request};
use presently_core::{Problem, ProblemKind, SignInMethod};
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

    /// The settings page's view (`SettingsView`) of the settings the main process uses.
    pub async fn settings_view(&self) -> Reply {
        self.call(Request::SettingsView).await
    }

    /// Checks and saves `patch` in the main process, which reloads and announces it; returns the new view.
    /// Refused fields come back as a `{fieldErrors}` answer and become the command's error for the page.
    pub async fn save_settings(&self, patch: SettingsPatch) -> Reply {
        let answer = self.call(Request::SaveSettings { patch }).await?;
        if answer.get("fieldErrors").is_some() {
            let rejected: SettingsRejected = serde_json::from_value(answer).map_err(|e| {
                CommandError::Problem(Problem::new(
                    ProblemKind::Internal,
                    format!("unexpected answer: {e}"),
                ))
            })?;
            return Err(CommandError::Rejected(rejected));
        }
        Ok(answer)
    }
}

type Reply = Result<Value, CommandError>;

impl Ipc {
    /// The main process's diagnostics report and log folder.
    async fn diagnostics(&self) -> Result<Diagnostics, CommandError> {
        serde_json::from_value(self.call(Request::Diagnostics).await?).map_err(|e| {
            CommandError::Problem(Problem::new(
                ProblemKind::Internal,
                format!("unexpected answer: {e}"),
            ))
        })
    }
}

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

/// Sets the status message; `until` (`until 15:00`) ends it, else the `clear-message-with-status` setting decides.
#[tauri::command]
pub async fn set_message(ipc: State<'_, Ipc>, text: String, until: Option<String>) -> Reply {
    ipc.call(Request::SetMessage {
        text,
        until,
        origin: Origin::Popup,
    })
    .await
}

/// Removes the status message.
#[tauri::command]
pub async fn clear_message(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::ClearMessage).await
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

/// The settings page's view: every editable setting, its value in force and where it came from.
#[tauri::command]
pub async fn get_settings(ipc: State<'_, Ipc>) -> Reply {
    ipc.settings_view().await
}

/// Saves a settings patch; refused fields come back as `{ fieldErrors }` and nothing is written.
#[tauri::command]
pub async fn save_settings(ipc: State<'_, Ipc>, patch: SettingsPatch) -> Reply {
    ipc.save_settings(patch).await
}

/// The settings page's "Copy diagnostics": the main process's report, as text the page copies.
#[tauri::command]
pub async fn get_diagnostics(ipc: State<'_, Ipc>) -> Result<String, CommandError> {
    Ok(ipc.diagnostics().await?.text)
}

/// The settings page's "Open log folder": the main process's log folder in the file manager.
#[tauri::command]
pub async fn open_log_folder(ipc: State<'_, Ipc>) -> Result<(), CommandError> {
    let Some(dir) = ipc.diagnostics().await?.log_dir else {
        return Err(Problem::new(ProblemKind::Internal, "Presently is not writing a log file.").into());
    };
    opener::open(&dir).map_err(|e| {
        Problem::new(
            ProblemKind::Internal,
            format!(
                "The log folder {} could not be opened: {e}",
                presently_core::wording::short_path(&dir)
            ),
        )
        .into()
    })
}

/// Hides the popup (Esc); the process lingers a while for a quick reopen.
#[tauri::command]
pub fn hide_popup<R: Runtime>(window: Window<R>) {
    crate::popup::hide(&window);
}

/// The note the popup shows when it stands in for a tray icon no one can see (how to get tray icons); `null`
/// when it is the tray's popup.
#[tauri::command]
pub fn get_no_tray_note(mode: State<'_, crate::popup::NoTray>) -> Option<String> {
    mode.0.clone()
}

/// Quits Presently, as the tray menu's Quit does (the window's Quit when there is no tray menu).
#[tauri::command]
pub async fn quit_app(ipc: State<'_, Ipc>) -> Reply {
    ipc.call(Request::Quit).await
}

/// The invoke handler with every command above.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_state,
        choose,
        back_to_automatic,
        set_message,
        clear_message,
        retry,
        sign_in,
        cancel_sign_in,
        sign_out,
        get_settings,
        save_settings,
        get_diagnostics,
        open_log_folder,
        hide_popup,
        get_no_tray_note,
        quit_app,
    ]
}

#[cfg(test)]
mod tests {
    //! Each command against a real IPC server backed by a core `Presently` on the emulator (auto-approving
    //! sign-ins), invoked through Tauri's own IPC on the mock runtime, as the webview would.

    use std::time::Duration;

    use presently_core::Presently;
    use presently_core::keeper::{AccountView, Snapshot};
    use serde_json::json;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;
    use tauri::{App, Manager, WebviewWindow};

    use super::*;
    use crate::popup::{Anchor, Linger, POPUP};

    struct Rig {
        presently: Presently,
        app: App<MockRuntime>,
        webview: WebviewWindow<MockRuntime>,
        _served: presently_testkit::ServedCore,
    }

    /// The emulator, a core on it, its IPC server, and a mock popup app connected as the real one is.
    fn rig() -> Rig {
        let (served, client) = tauri::async_runtime::block_on(async {
            let served = presently_testkit::served_core().await;
            let client = Client::connect(served.server.endpoint()).await.unwrap();
            (served, client)
        });
        let app = mock_builder()
            .manage(Ipc(client))
            .manage(Linger::new(Duration::from_secs(180)))
            .manage(Anchor::default())
            .invoke_handler(handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, POPUP, Default::default())
            .build()
            .unwrap();
        Rig {
            presently: served.presently.clone(),
            app,
            webview,
            _served: served,
        }
    }

    impl Rig {
        fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
            let request = InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
        }

        /// Waits (a few seconds at most) until the core's state satisfies `pred`.
        fn wait_for(&self, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
            let mut states = self.presently.subscribe();
            tauri::async_runtime::block_on(async {
                tokio::time::timeout(Duration::from_secs(20), async {
                    loop {
                        let snapshot = states.borrow_and_update().clone();
                        if pred(&snapshot) {
                            return snapshot;
                        }
                        states.changed().await.unwrap();
                    }
                })
                .await
                .unwrap_or_else(|_| panic!("{what}: not within 20 s; last {:#?}", self.presently.snapshot()))
            })
        }

        fn sign_in(&self) {
            assert_eq!(
                self.invoke("sign_in", json!({"method": "browser"})),
                Ok(Value::Null)
            );
            self.wait_for("signed in", |s| matches!(s.account, AccountView::SignedIn { .. }));
        }
    }

    #[test]
    fn choose_keeps_the_status_as_a_popup_choice_and_get_state_shows_it() {
        let rig = rig();
        rig.sign_in();
        let intent = rig
            .invoke("choose", json!({"status": "dnd", "duration": "2h"}))
            .unwrap();
        assert_eq!(intent["status"], "dnd");
        assert_eq!(intent["origin"], "popup");
        assert_eq!(intent["until"]["kind"], "at");
        let kept = rig.wait_for("Do not disturb kept", |s| s.intent.is_some());
        let kept = kept.intent.unwrap();
        assert_eq!(kept.status, presently_model::PreferredPresence::DoNotDisturb);
        assert_eq!(kept.origin, Origin::Popup);

        let state = rig.invoke("get_state", json!({})).unwrap();
        assert_eq!(state["intent"]["status"], "dnd");
        assert_eq!(state["account"]["state"], "signedIn");
    }

    #[test]
    fn a_bad_choice_comes_back_as_an_invalid_choice_problem_the_ui_can_show() {
        let rig = rig();
        let problem = rig
            .invoke("choose", json!({"status": "busy", "duration": "-5m"}))
            .unwrap_err();
        assert_eq!(problem["kind"], "invalidChoice");
        assert!(
            problem["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{problem}"
        );
        assert!(
            problem.get("action").is_some() && problem.get("retryInSecs").is_some(),
            "{problem}"
        );
        let problem = rig
            .invoke("choose", json!({"status": "sleepy", "duration": "1h"}))
            .unwrap_err();
        assert_eq!(problem["kind"], "invalidChoice");
        assert_eq!(rig.presently.snapshot().intent, None, "nothing was kept");
    }

    #[test]
    fn set_message_and_clear_message_reach_the_keeper_and_a_bad_message_is_an_invalid_choice() {
        let rig = rig();
        rig.sign_in();
        rig.invoke("choose", json!({"status": "busy", "duration": "1h"}))
            .unwrap();
        rig.wait_for("Busy kept", |s| s.intent.is_some());
        assert_eq!(
            rig.invoke("set_message", json!({"text": " Back at 3 ", "until": null})),
            Ok(Value::Null)
        );
        let kept = rig.wait_for("the message kept", |s| s.message.is_some());
        let message = kept.message.unwrap();
        assert_eq!(message.text, "Back at 3");
        assert_eq!(message.origin, Origin::Popup);
        assert!(message.with_status, "clear-message-with-status is on by default");
        assert_eq!(message.expires_at, kept.ends_at);

        let problem = rig
            .invoke("set_message", json!({"text": "x".repeat(281)}))
            .unwrap_err();
        assert_eq!(problem["kind"], "invalidChoice", "{problem}");
        assert_eq!(rig.invoke("clear_message", json!({})), Ok(Value::Null));
        rig.wait_for("the message cleared", |s| s.message.is_none());
    }

    #[test]
    fn back_to_automatic_and_sign_out_reach_the_keeper() {
        let rig = rig();
        rig.sign_in();
        rig.invoke("choose", json!({"status": "busy", "duration": "forever"}))
            .unwrap();
        rig.wait_for("Busy kept", |s| s.intent.is_some());
        assert_eq!(rig.invoke("back_to_automatic", json!({})), Ok(Value::Null));
        rig.wait_for("back to automatic", |s| s.intent.is_none());
        assert_eq!(rig.invoke("sign_out", json!({})), Ok(Value::Null));
        rig.wait_for("signed out", |s| s.account == AccountView::SignedOut);
    }

    #[test]
    fn diagnostics_come_from_the_main_process_and_a_missing_log_folder_says_so() {
        let rig = rig();
        let report = rig.invoke("get_diagnostics", json!({})).unwrap();
        let report = report.as_str().unwrap();
        assert!(report.starts_with("Presently "), "{report}");
        assert!(report.contains("  workday-end = 17:30 (default)"), "{report}");
        // This core writes no log file (the tray app reports its folder when it opens one): nothing to open.
        let problem = rig.invoke("open_log_folder", json!({})).unwrap_err();
        assert_eq!(problem["kind"], "internal");
        assert_eq!(problem["message"], "Presently is not writing a log file.");
    }

    #[test]
    fn retry_and_cancel_sign_in_answer_from_the_core() {
        let rig = rig();
        assert_eq!(rig.invoke("retry", json!({})), Ok(Value::Null));
        assert_eq!(rig.invoke("cancel_sign_in", json!({})), Ok(Value::Null));
    }

    #[test]
    fn settings_show_their_sources_and_a_saved_patch_reaches_the_core() {
        let rig = rig();
        let view = rig.invoke("get_settings", json!({})).unwrap();
        assert_eq!(view["workdayEnd"]["value"], "17:30");
        assert_eq!(view["workdayEnd"]["source"]["kind"], "default");
        let user_file = rig.presently.settings().user_file.display().to_string();
        assert_eq!(view["userFile"], user_file.as_str());

        let saved = rig
            .invoke(
                "save_settings",
                json!({"patch": {"workdayEnd": "18:15", "onQuit": "clear"}}),
            )
            .unwrap();
        assert_eq!(saved["workdayEnd"]["value"], "18:15");
        assert_eq!(saved["workdayEnd"]["source"]["kind"], "user");
        assert_eq!(saved["onQuit"]["value"], "clear");
        // The main process reloaded: its core uses the new values.
        let core = rig.presently.settings();
        assert_eq!(core.workday_end.value, jiff::civil::time(18, 15, 0, 0));
        assert_eq!(core.on_quit.value, presently_core::config::OnQuit::Clear);
    }

    #[test]
    fn a_refused_settings_patch_names_each_bad_field_and_writes_nothing() {
        let rig = rig();
        let refused = rig
            .invoke(
                "save_settings",
                json!({"patch": {"workdayEnd": "25:99", "hotkeyDuration": "-5m"}}),
            )
            .unwrap_err();
        let fields: Vec<_> = refused["fieldErrors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["workdayEnd", "hotkeyDuration"], "{refused}");
        assert!(
            !rig.presently.settings().user_file.exists(),
            "nothing was written"
        );
    }

    #[test]
    fn an_unknown_sign_in_method_is_refused_before_reaching_the_core() {
        let rig = rig();
        let error = rig
            .invoke("sign_in", json!({"method": "carrier-pigeon"}))
            .unwrap_err();
        assert!(error.as_str().is_some_and(|e| e.contains("method")), "{error}");
        assert!(
            matches!(
                rig.presently.snapshot().account,
                AccountView::SignedOut | AccountView::Unknown
            ),
            "the core never started a sign-in"
        );
    }

    #[test]
    fn hide_popup_hides_and_starts_the_linger_countdown() {
        let rig = rig();
        let linger = rig.app.state::<Linger>();
        let before = linger.hidden(); // the ticket a hide at this moment would get
        assert_eq!(rig.invoke("hide_popup", json!({})), Ok(Value::Null));
        assert!(
            !linger.expired(before),
            "the command hid the popup, which starts a new countdown"
        );
        assert!(linger.expired(before + 1));
    }
}
