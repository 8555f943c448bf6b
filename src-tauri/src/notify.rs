//! Desktop notifications, in the main process. What to say and when is the core's [`Notifier`]; this file feeds
//! it the keeper's events and snapshots, wakes it when a disagreement becomes due, and hands each [`Notice`] to
//! `tauri-plugin-notification`. A desktop without a notification server (Xvfb, a bare window manager) is normal:
//! a notice that cannot be shown is logged, never an error. On Linux the plugin dispatches on a background task
//! and drops delivery errors, so [`show`] first asks the session bus whether a notification server answers, to
//! log the reason.

use jiff::Timestamp;
use presently_core::listen;
use presently_core::notify::{Input, Notice, Notifier, Observed, Policy};
use presently_core::{AppEvent, Presently};
use tauri::{AppHandle, Runtime};

/// Starts notifying: the keeper's events and snapshots go through a [`Notifier`] with the default [`Policy`]
/// and the `notifications` setting as it is at each moment; what it decides is shown with [`show`].
pub fn install<R: Runtime>(app: &AppHandle<R>, presently: Presently) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut notifier = Notifier::new(Policy::default());
        let mut events = presently.events();
        let mut states = presently.subscribe();
        loop {
            let wake = notifier.next_check().map(|at| {
                let wait = at.duration_since(Timestamp::now());
                std::time::Duration::try_from(wait).unwrap_or_default()
            });
            let sleep = async {
                match wake {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            let notice = tokio::select! {
                event = listen::next(&mut events) => match event {
                    Some(AppEvent::Keeper(event)) => {
                        notifier.decide(Input::Event(&event), Timestamp::now(), enabled(&presently))
                    }
                    Some(_) => None,
                    None => break,
                },
                changed = states.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let observed = Observed::of(&states.borrow_and_update());
                    notifier.decide(Input::State(&observed), Timestamp::now(), enabled(&presently))
                }
                () = sleep => notifier.decide(Input::Tick, Timestamp::now(), enabled(&presently)),
            };
            if let Some(notice) = notice {
                show(&app, notice);
            }
        }
    });
}

fn enabled(presently: &Presently) -> bool {
    presently.settings().notifications.value
}

/// Shows `notice` through `tauri-plugin-notification`; a failure is logged (there may be no notification server).
pub fn show<R: Runtime>(app: &AppHandle<R>, notice: Notice) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        #[cfg(target_os = "linux")]
        if let Err(e) = notify_rust::get_server_information() {
            tracing::warn!(
                kind = ?notice.kind,
                error = %e,
                "notification not shown: no notification server answers on the session bus"
            );
            return;
        }
        use tauri_plugin_notification::NotificationExt;
        match app
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body)
            .show()
        {
            Ok(()) => tracing::info!(kind = ?notice.kind, title = %notice.title, "notification shown"),
            Err(e) => tracing::warn!(kind = ?notice.kind, error = %e, "notification not shown"),
        }
    });
}

/// The plugin, for the main process's builder.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_notification::init()
}
