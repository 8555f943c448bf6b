//! The tray icon and its native menu, in the main process. The menu exists on every platform (Linux panels
//! deliver no clicks, only the menu): the six statuses with a check mark on the current choice, the duration
//! that status clicks use, Back to automatic, Open Presently, Sign in / Sign out and Quit. Icon, tooltip and
//! menu re-render from every keeper snapshot (`Presently::subscribe`, never polled) through the pure
//! [`TrayView`]; a left click (Windows, macOS) opens the popup beside the icon.

use presently_core::listen::{self, Heard};
use presently_model::text::shortened;
use std::sync::{Arc, Mutex};

use presently_core::{Presently, SignInMethod, Snapshot};
use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::args::TrayRect;
use crate::launcher::Launcher;
use presently_core::tray_view::{MENU_DURATIONS, SignItem, TrayIcon, TrayView, duration_label};

#[cfg(windows)]
mod windows_clicks;

/// The tray icon's id.
pub const TRAY_ID: &str = "presently";

/// What a menu item does; its id is [`MenuCommand::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuCommand {
    /// Keep this status for the chosen duration.
    Choose(PreferredPresence),
    /// Use this duration for the next status clicks.
    Duration(Preset),
    /// Back to automatic.
    Automatic,
    /// Remove the status message.
    ClearMessage,
    /// Open the popup.
    Open,
    /// Turn launch at login on or off (the `launch-at-login` setting, saved through the core).
    LaunchAtLogin,
    /// Sign in with the browser.
    SignIn,
    SignOut,
    /// Quit (applying the on-quit setting).
    Quit,
}

impl MenuCommand {
    /// The menu item id.
    pub fn id(self) -> String {
        match self {
            MenuCommand::Choose(status) => format!("status:{}", status.short_name()),
            MenuCommand::Duration(preset) => format!("duration:{}", preset.short_name()),
            MenuCommand::Automatic => "automatic".into(),
            MenuCommand::ClearMessage => "clear-message".into(),
            MenuCommand::Open => "open".into(),
            MenuCommand::LaunchAtLogin => "launch-at-login".into(),
            MenuCommand::SignIn => "sign-in".into(),
            MenuCommand::SignOut => "sign-out".into(),
            MenuCommand::Quit => "quit".into(),
        }
    }

    /// The command of a menu item id (`None` for the informational lines).
    pub fn parse(id: &str) -> Option<Self> {
        if let Some(name) = id.strip_prefix("status:") {
            return PreferredPresence::ALL
                .into_iter()
                .find(|s| s.short_name() == name)
                .map(MenuCommand::Choose);
        }
        if let Some(name) = id.strip_prefix("duration:") {
            return MENU_DURATIONS
                .into_iter()
                .find(|p| p.short_name() == name)
                .map(MenuCommand::Duration);
        }
        match id {
            "automatic" => Some(MenuCommand::Automatic),
            "clear-message" => Some(MenuCommand::ClearMessage),
            "open" => Some(MenuCommand::Open),
            "launch-at-login" => Some(MenuCommand::LaunchAtLogin),
            "sign-in" => Some(MenuCommand::SignIn),
            "sign-out" => Some(MenuCommand::SignOut),
            "quit" => Some(MenuCommand::Quit),
            _ => None,
        }
    }
}

/// The tray's own state, behind one lock. Rendering happens on the main thread only ([`render_on_main`]): a tray
/// call from another thread waits for the main thread, so a render elsewhere holding this lock could wait on a
/// menu click that waits on the lock.
#[derive(Debug)]
pub struct TrayState(Mutex<TrayModel>);

/// What the tray keeps between events.
#[derive(Debug)]
struct TrayModel {
    /// The duration status clicks use (the menu's "For:" choice).
    duration: Preset,
    /// The settings it shows or follows.
    settings: TraySettings,
    /// What is on screen now, as rendered (`None`: render again in full).
    shown: Option<(TrayView, Preset, TraySettings)>,
    /// Quit was clicked (a second click does nothing).
    quitting: bool,
}

impl TrayState {
    fn lock(&self) -> std::sync::MutexGuard<'_, TrayModel> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The settings the tray shows or follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraySettings {
    /// The "Launch at login" item.
    pub login: LoginItem,
    /// The `tray-time-left` setting: the time left beside the icon (the tooltip on Windows).
    pub time_left: bool,
}

impl TraySettings {
    /// The tray's settings in force.
    pub fn of(presently: &Presently) -> Self {
        Self {
            login: LoginItem::of(presently),
            time_left: presently.settings().tray_time_left.value,
        }
    }
}

/// The "Launch at login" check item: checked as the setting is, greyed out when an environment variable or a
/// flag sets it (saving could not change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginItem {
    /// The `launch-at-login` setting.
    pub checked: bool,
    /// False when the setting is locked.
    pub enabled: bool,
}

impl LoginItem {
    /// The item for the settings in force.
    pub fn of(presently: &Presently) -> Self {
        let view = presently.settings_view().launch_at_login;
        Self {
            checked: view.value,
            enabled: !view.locked,
        }
    }
}

/// The PNGs of one folder of `icons/`, by file stem, embedded in the binary. One list of names serves every
/// folder; a test checks that each [`TrayIcon`] has its picture.
macro_rules! icon_folder {
    ($folder:literal) => {
        icon_folder!(
            $folder: "available", "busy", "dnd", "brb", "away", "offline", "unknown", "signed-out", "problem",
            "syncing"
        )
    };
    ($folder:literal: $($stem:literal),+) => {
        [$(($stem, include_bytes!(concat!("../../icons/", $folder, "/", $stem, ".png")) as &[u8])),+]
    };
}

/// The colour icons (32 px, generated by `scripts/icons.sh` from `icons/src/tray/`).
const COLOUR_ICONS: [(&str, &[u8]); TrayIcon::ALL.len()] = icon_folder!("tray");

/// The macOS menu-bar templates (32 px, black and transparent only, generated by `scripts/icons.sh` from
/// `icons/src/tray-template/`): macOS tints them to suit a light or dark menu bar, as menu-bar apps do.
const TEMPLATE_ICONS: [(&str, &[u8]); TrayIcon::ALL.len()] = icon_folder!("tray-template");

fn picture(folder: &[(&str, &'static [u8])], icon: TrayIcon) -> &'static [u8] {
    folder
        .iter()
        .find(|(stem, _)| *stem == icon.file_stem())
        .map_or(&[], |(_, png)| *png)
}

/// The tray icon image of `icon`, in colour.
pub fn icon_png(icon: TrayIcon) -> &'static [u8] {
    picture(&COLOUR_ICONS, icon)
}

/// The macOS menu-bar template of `icon`.
pub fn template_png(icon: TrayIcon) -> &'static [u8] {
    picture(&TEMPLATE_ICONS, icon)
}

/// Whether this platform shows the tray icon as a template (macOS menu bar) rather than in colour.
pub const USE_TEMPLATE: bool = cfg!(target_os = "macos");

/// The icon image this platform shows for `icon`: the template on macOS, the coloured icon elsewhere.
pub fn platform_png(icon: TrayIcon) -> &'static [u8] {
    if USE_TEMPLATE {
        template_png(icon)
    } else {
        icon_png(icon)
    }
}

/// The "Launch at login" item's click: turns the `launch-at-login` setting over through the core, like the
/// settings page does; the core announces the change, and the login entry (`autostart.rs`) and the item follow.
/// Returns the new value.
pub fn toggle_launch_at_login(
    presently: &Presently,
) -> Result<bool, presently_core::config::edit::SettingsRejected> {
    let wanted = !presently.settings().launch_at_login.value;
    let patch = presently_core::config::edit::SettingsPatch {
        launch_at_login: Some(wanted),
        ..Default::default()
    };
    presently.save_settings(&patch)?;
    Ok(wanted)
}

/// The duration the menu starts with: the hotkey duration of the settings when the menu offers it, else 1 hour.
pub fn initial_duration(choice: &DurationChoice) -> Preset {
    match choice {
        DurationChoice::Preset(preset) if MENU_DURATIONS.contains(preset) => *preset,
        _ => Preset::Hour1,
    }
}

/// Creates the tray icon with its menu and keeps both in step with the keeper.
pub fn install<R: Runtime>(
    app: &AppHandle<R>,
    presently: Presently,
    launcher: Arc<Launcher>,
) -> tauri::Result<()> {
    let duration = initial_duration(&presently.settings().hotkey_duration.value);
    let settings = TraySettings::of(&presently);
    app.manage(TrayState(Mutex::new(TrayModel {
        duration,
        settings,
        shown: None,
        quitting: false,
    })));
    let view = view_now(&presently.snapshot(), settings.time_left);
    let (menu, items) = build_menu(app, &view, duration, settings.login)?;
    app.manage(MenuHandles {
        inner: Mutex::new(items),
    });
    let on_menu = {
        let (presently, launcher) = (presently.clone(), launcher.clone());
        move |app: &AppHandle<R>, event: tauri::menu::MenuEvent| {
            if let Some(command) = MenuCommand::parse(event.id().as_ref()) {
                on_menu(app, &presently, &launcher, command);
            }
        }
    };
    let on_click = {
        let launcher = launcher.clone();
        move |_tray: &tauri::tray::TrayIcon<R>, event: TrayIconEvent| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                rect,
                ..
            } = event
            {
                let position = rect.position.to_physical::<i32>(1.0);
                let size = rect.size.to_physical::<u32>(1.0);
                launcher.open(Some(TrayRect {
                    x: position.x,
                    y: position.y,
                    width: size.width,
                    height: size.height,
                }));
            }
        }
    };
    match app.tray_by_id(TRAY_ID) {
        // The icon shown while the core started ([`show_starting`]) gets the real menu, picture and handlers.
        Some(tray) => {
            tray.set_icon(Some(Image::from_bytes(platform_png(view.icon))?))?;
            tray.set_icon_as_template(USE_TEMPLATE)?;
            tray.set_tooltip(Some(view.tooltip(!LABEL_BESIDE_ICON)))?;
            set_label(&tray, &view)?;
            tray.set_menu(Some(menu.clone()))?;
            tray.set_show_menu_on_left_click(false)?;
            tray.on_menu_event(on_menu);
            tray.on_tray_icon_event(on_click);
        }
        None => {
            TrayIconBuilder::with_id(TRAY_ID)
                .icon(Image::from_bytes(platform_png(view.icon))?)
                .icon_as_template(USE_TEMPLATE)
                .tooltip(view.tooltip(!LABEL_BESIDE_ICON))
                .title(label_of(&view).unwrap_or_default())
                .menu(&menu)
                .show_menu_on_left_click(false)
                .on_menu_event(on_menu)
                .on_tray_icon_event(on_click)
                .build(app)?;
        }
    }
    app.state::<TrayState>().lock().shown = Some((view, duration, settings));
    #[cfg(windows)]
    windows_clicks::install(app, &menu, launcher);

    // The launch-at-login item and the time-left label follow their settings, wherever they were changed.
    let mut events = presently.events();
    let (settings_app, settings_presently) = (app.clone(), presently.clone());
    // Tells the render loop below to plan its next wake again (the label was turned on or off).
    let replan = Arc::new(tokio::sync::Notify::new());
    let settings_replan = replan.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(heard) = listen::hear(&mut events).await {
            match heard {
                Heard::Event(presently_core::AppEvent::SettingsChanged) | Heard::Missed => {
                    settings_app.state::<TrayState>().lock().settings = TraySettings::of(&settings_presently);
                    render_on_main(&settings_app, settings_presently.snapshot());
                    settings_replan.notify_one();
                }
                Heard::Event(_) => {}
            }
        }
    });

    // Re-rendered when the state changes, and when its words change by the clock alone (the time left, the age of
    // the reading): a timer only while such a change is ahead, so an idle tray with nothing timed never wakes.
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut snapshots = presently.subscribe();
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            render_on_main(&app, snapshot.clone());
            let now = jiff::Timestamp::now();
            let time_left = app.state::<TrayState>().lock().settings.time_left;
            let wake = TrayView::next_change(&snapshot, now, time_left)
                .and_then(|at| std::time::Duration::try_from(at.duration_since(now)).ok());
            let sleep = async {
                match wake {
                    Some(after) => tokio::time::sleep(after).await,
                    None => std::future::pending().await,
                }
            };
            let changed = tokio::select! {
                changed = snapshots.changed() => changed,
                () = sleep => Ok(()),
                () = replan.notified() => Ok(()),
            };
            if changed.is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Whether the platform shows a text label beside the tray icon (Linux: the indicator's label; macOS: the
/// menu-bar title). Windows has none: the time left goes in the tooltip there.
const LABEL_BESIDE_ICON: bool = !cfg!(windows);

/// The label beside the icon: the time left of a timed status.
fn label_of(view: &TrayView) -> Option<String> {
    if LABEL_BESIDE_ICON {
        view.time_left.clone()
    } else {
        None
    }
}

fn set_label<R: Runtime>(tray: &tauri::tray::TrayIcon<R>, view: &TrayView) -> tauri::Result<()> {
    if LABEL_BESIDE_ICON {
        tray.set_title(label_of(view))?;
    }
    Ok(())
}

/// Shows the tray icon before the core has started (the app's first act, so the icon docks at once): the
/// "syncing" picture, a tooltip saying Presently is starting, and a menu with only Quit. [`install`] then turns
/// this icon into the real one.
pub fn show_starting<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let starting = MenuItem::with_id(app, "starting", STARTING, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, MenuCommand::Quit.id(), "Quit Presently", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&starting, &PredefinedMenuItem::separator(app)?, &quit])?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(platform_png(TrayIcon::Syncing))?)
        .icon_as_template(USE_TEMPLATE)
        .tooltip(format!("Presently: {STARTING}"))
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app: &AppHandle<R>, event: tauri::menu::MenuEvent| {
            if MenuCommand::parse(event.id().as_ref()) == Some(MenuCommand::Quit) {
                app.exit(0);
            }
        })
        .build(app)?;
    Ok(())
}

/// The headline while the core starts.
const STARTING: &str = "Starting…";

fn view_now(snapshot: &Snapshot, time_left: bool) -> TrayView {
    let mut view = TrayView::of(snapshot, jiff::Timestamp::now(), &jiff::tz::TimeZone::system());
    if !time_left {
        view.time_left = None;
    }
    view
}

/// Brings icon, tooltip and menu up to date with `snapshot` (nothing is redone when nothing visible changed).
///
/// The menu is updated in place (texts, check marks, enabled states) so that one the user has open stays open
/// while the keeper works: replacing it closes it, and a click landing at that moment would be lost. It is built
/// anew only when its shape changes (the problem line appears or goes, sign in becomes sign out).
pub fn render<R: Runtime>(app: &AppHandle<R>, snapshot: &Snapshot) {
    let state = app.state::<TrayState>();
    let mut model = state.lock();
    let (duration, settings) = (model.duration, model.settings);
    let login = settings.login;
    let view = view_now(snapshot, settings.time_left);
    let shown = &mut model.shown;
    if shown.as_ref() == Some(&(view.clone(), duration, settings)) {
        return;
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let result = (|| -> tauri::Result<()> {
        let icon_changed = shown.as_ref().is_none_or(|(old, _, _)| old.icon != view.icon);
        if icon_changed {
            tray.set_icon(Some(Image::from_bytes(platform_png(view.icon))?))?;
            if USE_TEMPLATE {
                tray.set_icon_as_template(true)?;
            }
        }
        tray.set_tooltip(Some(view.tooltip(!LABEL_BESIDE_ICON)))?;
        if shown
            .as_ref()
            .is_none_or(|(old, _, _)| old.time_left != view.time_left)
        {
            set_label(&tray, &view)?;
        }
        let shape = MenuShape::of(&view);
        let updated = match app.try_state::<MenuHandles<R>>() {
            Some(handles) => handles.update(shape, &view, duration, login)?,
            None => false,
        };
        if !updated {
            let (menu, handles) = build_menu(app, &view, duration, login)?;
            #[cfg(windows)]
            windows_clicks::menu_set(app, &menu);
            tray.set_menu(Some(menu))?;
            match app.try_state::<MenuHandles<R>>() {
                Some(current) => current.replace(handles),
                None => {
                    app.manage(MenuHandles {
                        inner: Mutex::new(handles),
                    });
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => *shown = Some((view, duration, settings)),
        Err(e) => tracing::warn!(error = %e, "cannot update the tray"),
    }
}

/// What decides the menu's items and their ids; anything else is updated in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MenuShape {
    has_detail: bool,
    has_message: bool,
    sign: MenuCommand,
}

impl MenuShape {
    fn of(view: &TrayView) -> Self {
        let sign = match view.sign {
            SignItem::SignOut => MenuCommand::SignOut,
            SignItem::SignIn { .. } => MenuCommand::SignIn,
        };
        Self {
            has_detail: view.detail.is_some(),
            has_message: view.message.is_some(),
            sign,
        }
    }
}

/// The items of the menu on screen, kept to update them in place.
struct MenuItems<R: Runtime> {
    shape: MenuShape,
    headline: MenuItem<R>,
    detail: Option<MenuItem<R>>,
    /// The status message (read-only) and "Clear message", while there is one.
    message: Option<(MenuItem<R>, MenuItem<R>)>,
    statuses: Vec<(PreferredPresence, CheckMenuItem<R>)>,
    durations: Vec<(Preset, CheckMenuItem<R>)>,
    duration_menu: Submenu<R>,
    automatic: MenuItem<R>,
    launch_at_login: CheckMenuItem<R>,
    sign: MenuItem<R>,
}

/// Managed state holding the [`MenuItems`] of the tray's menu.
struct MenuHandles<R: Runtime> {
    inner: Mutex<MenuItems<R>>,
}

impl<R: Runtime> MenuHandles<R> {
    fn replace(&self, items: MenuItems<R>) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = items;
    }

    /// Updates the items in place; false when the shape changed and the menu must be built anew.
    fn update(
        &self,
        shape: MenuShape,
        view: &TrayView,
        duration: Preset,
        login: LoginItem,
    ) -> tauri::Result<bool> {
        let items = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if items.shape != shape {
            return Ok(false);
        }
        items.headline.set_text(&view.headline)?;
        if let (Some(item), Some(detail)) = (&items.detail, &view.detail) {
            item.set_text(shortened(detail, 69))?;
        }
        if let (Some((line, _)), Some(message)) = (&items.message, &view.message) {
            line.set_text(shortened(message, 69))?;
        }
        for (status, item) in &items.statuses {
            item.set_checked(view.checked == Some(*status))?;
        }
        for (preset, item) in &items.durations {
            item.set_checked(*preset == duration)?;
        }
        items
            .duration_menu
            .set_text(format!("For: {}", duration_label(duration)))?;
        items.automatic.set_enabled(view.can_go_automatic)?;
        items.launch_at_login.set_checked(login.checked)?;
        items.launch_at_login.set_enabled(login.enabled)?;
        items.sign.set_text(view.sign.label())?;
        Ok(true)
    }
}

fn build_menu<R: Runtime>(
    app: &AppHandle<R>,
    view: &TrayView,
    duration: Preset,
    login: LoginItem,
) -> tauri::Result<(Menu<R>, MenuItems<R>)> {
    let headline = MenuItem::with_id(app, "headline", &view.headline, false, None::<&str>)?;
    let detail = match &view.detail {
        Some(detail) => Some(MenuItem::with_id(
            app,
            "detail",
            shortened(detail, 69),
            false,
            None::<&str>,
        )?),
        None => None,
    };
    let message = match &view.message {
        Some(message) => Some((
            MenuItem::with_id(app, "message", shortened(message, 69), false, None::<&str>)?,
            MenuItem::with_id(
                app,
                MenuCommand::ClearMessage.id(),
                "Clear message",
                true,
                None::<&str>,
            )?,
        )),
        None => None,
    };
    let statuses = PreferredPresence::ALL
        .into_iter()
        .map(|status| {
            CheckMenuItem::with_id(
                app,
                MenuCommand::Choose(status).id(),
                status.display_name(),
                true,
                view.checked == Some(status),
                None::<&str>,
            )
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let durations = MENU_DURATIONS
        .into_iter()
        .map(|preset| {
            CheckMenuItem::with_id(
                app,
                MenuCommand::Duration(preset).id(),
                duration_label(preset),
                true,
                preset == duration,
                None::<&str>,
            )
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let duration_items: Vec<&dyn IsMenuItem<R>> = durations.iter().map(|i| i as &dyn IsMenuItem<R>).collect();
    let duration_menu = Submenu::with_id_and_items(
        app,
        "duration",
        format!("For: {}", duration_label(duration)),
        true,
        &duration_items,
    )?;
    let automatic = MenuItem::with_id(
        app,
        MenuCommand::Automatic.id(),
        "Back to automatic",
        view.can_go_automatic,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(app, MenuCommand::Open.id(), "Open Presently", true, None::<&str>)?;
    let launch_at_login = CheckMenuItem::with_id(
        app,
        MenuCommand::LaunchAtLogin.id(),
        "Launch at login",
        login.enabled,
        login.checked,
        None::<&str>,
    )?;
    let sign_command = match view.sign {
        SignItem::SignOut => MenuCommand::SignOut,
        SignItem::SignIn { .. } => MenuCommand::SignIn,
    };
    let sign = MenuItem::with_id(app, sign_command.id(), view.sign.label(), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, MenuCommand::Quit.id(), "Quit Presently", true, None::<&str>)?;
    let separators = [
        PredefinedMenuItem::separator(app)?,
        PredefinedMenuItem::separator(app)?,
        PredefinedMenuItem::separator(app)?,
    ];

    // What stops the keeper comes first (architecture convention 14), then the status line.
    let mut items: Vec<&dyn IsMenuItem<R>> = vec![];
    if let Some(detail) = &detail {
        items.push(detail);
    }
    items.push(&headline);
    if let Some((line, _)) = &message {
        items.push(line);
    }
    items.push(&separators[0]);
    items.extend(statuses.iter().map(|i| i as &dyn IsMenuItem<R>));
    items.push(&duration_menu);
    items.push(&automatic);
    if let Some((_, clear)) = &message {
        items.push(clear);
    }
    items.push(&separators[1]);
    items.push(&open);
    items.push(&launch_at_login);
    items.push(&sign);
    items.push(&separators[2]);
    items.push(&quit);
    let menu = Menu::with_items(app, &items)?;
    let handles = MenuItems {
        shape: MenuShape::of(view),
        headline,
        detail,
        message,
        statuses: PreferredPresence::ALL.into_iter().zip(statuses).collect(),
        durations: MENU_DURATIONS.into_iter().zip(durations).collect(),
        duration_menu,
        automatic,
        launch_at_login,
        sign,
    };
    Ok((menu, handles))
}

fn on_menu<R: Runtime>(
    app: &AppHandle<R>,
    presently: &Presently,
    launcher: &Arc<Launcher>,
    command: MenuCommand,
) {
    let state = app.state::<TrayState>();
    match command {
        MenuCommand::Choose(status) => {
            let duration = state.lock().duration;
            if let Err(problem) =
                presently.choose(status.short_name(), duration.short_name(), Origin::TrayMenu)
            {
                tracing::warn!(message = %problem.message, "the tray's choice was refused");
            }
        }
        MenuCommand::Duration(preset) => {
            state.lock().duration = preset;
        }
        MenuCommand::Automatic => {
            if let Err(problem) = presently.back_to_automatic() {
                tracing::warn!(message = %problem.message, "back to automatic failed");
            }
        }
        MenuCommand::ClearMessage => {
            if let Err(problem) = presently.clear_message() {
                tracing::warn!(message = %problem.message, "clearing the message failed");
            }
        }
        MenuCommand::Open => launcher.open(None),
        MenuCommand::LaunchAtLogin => {
            if let Err(rejected) = toggle_launch_at_login(presently) {
                tracing::warn!(error = %rejected, "launch at login was not changed");
            }
        }
        MenuCommand::SignIn => {
            let presently = presently.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(problem) = presently.sign_in(SignInMethod::Browser).await {
                    tracing::warn!(message = %problem.message, "sign-in from the tray failed");
                }
            });
        }
        MenuCommand::SignOut => {
            let presently = presently.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(problem) = presently.sign_out().await {
                    tracing::warn!(message = %problem.message, "sign-out from the tray failed");
                }
            });
        }
        MenuCommand::Quit => {
            if std::mem::replace(&mut state.lock().quitting, true) {
                return;
            }
            let (app, presently, launcher) = (app.clone(), presently.clone(), launcher.clone());
            tauri::async_runtime::spawn(async move {
                presently.shutdown().await;
                launcher.close();
                app.exit(0);
            });
            return;
        }
    }
    // Check marks toggle by themselves when clicked; put them back where the state says.
    render_forced(app, &presently.snapshot());
}

fn render_forced<R: Runtime>(app: &AppHandle<R>, snapshot: &Snapshot) {
    app.state::<TrayState>().lock().shown = None;
    render(app, snapshot);
}

/// Renders `snapshot` on the main thread, on a later turn of the event loop (see [`TrayState`]).
fn render_on_main<R: Runtime>(app: &AppHandle<R>, snapshot: Snapshot) {
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || render(&handle, &snapshot)) {
        tracing::warn!(error = %e, "cannot update the tray");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_line_ends_in_one_mark_and_reads_well() {
        let text =
            "Adele Vance (adele.vance@contoso.onmicrosoft.com) must sign in again. Presently needs it.";
        let cut = shortened(text, 69);
        assert_eq!(
            cut,
            "Adele Vance (adele.vance@contoso.onmicrosoft.com) must sign in again…"
        );
        assert!(presently_core::wording::flaws(&cut, &[]).is_empty(), "{cut}");
        assert_eq!(shortened("short.", 69), "short.");
    }

    #[test]
    fn every_menu_command_survives_the_round_trip_through_its_id() {
        let mut commands: Vec<MenuCommand> = PreferredPresence::ALL
            .into_iter()
            .map(MenuCommand::Choose)
            .collect();
        commands.extend(MENU_DURATIONS.into_iter().map(MenuCommand::Duration));
        commands.extend([
            MenuCommand::Automatic,
            MenuCommand::ClearMessage,
            MenuCommand::Open,
            MenuCommand::LaunchAtLogin,
            MenuCommand::SignIn,
            MenuCommand::SignOut,
            MenuCommand::Quit,
        ]);
        for command in commands {
            assert_eq!(
                MenuCommand::parse(&command.id()),
                Some(command),
                "{}",
                command.id()
            );
        }
        assert_eq!(MenuCommand::parse("status:sleepy"), None);
        assert_eq!(
            MenuCommand::parse("duration:default"),
            None,
            "the menu does not offer Graph's default"
        );
        assert_eq!(MenuCommand::parse("headline"), None);
    }

    #[test]
    fn every_tray_icon_is_a_32_pixel_png() {
        for icon in TrayIcon::ALL {
            let image = Image::from_bytes(icon_png(icon)).unwrap();
            assert_eq!((image.width(), image.height()), (32, 32), "{icon:?}");
            // Not blank: some pixel is opaque.
            assert!(image.rgba().chunks(4).any(|p| p[3] == 255), "{icon:?} is empty");
        }
    }

    #[test]
    fn every_macos_template_is_a_32_pixel_black_shape_on_transparency_and_the_states_differ_in_shape() {
        let mut shapes = Vec::new();
        for icon in TrayIcon::ALL {
            let image = Image::from_bytes(template_png(icon)).unwrap();
            assert_eq!((image.width(), image.height()), (32, 32), "{icon:?}");
            let pixels: Vec<&[u8]> = image.rgba().chunks(4).collect();
            assert!(pixels.iter().any(|p| p[3] == 255), "{icon:?} is empty");
            assert!(
                pixels
                    .iter()
                    .all(|p| p[3] == 0 || (p[0], p[1], p[2]) == (0, 0, 0)),
                "{icon:?} has colour: macOS templates are black and alpha only"
            );
            // Colour cannot tell the states apart on macOS, so the shapes must.
            let alpha: Vec<u8> = pixels.iter().map(|p| p[3]).collect();
            assert!(!shapes.contains(&alpha), "{icon:?} looks like another state");
            shapes.push(alpha);
        }
    }

    #[test]
    fn the_launch_at_login_item_turns_the_setting_over_and_the_core_announces_it() {
        let dir = tempfile::tempdir().unwrap();
        tauri::async_runtime::block_on(async {
            let emulator = presently_emulator::Emulator::start(Default::default())
                .await
                .unwrap();
            let presently = presently_testkit::start_presently(&emulator, dir.path()).await;
            let mut events = presently.events();
            assert_eq!(
                LoginItem::of(&presently),
                LoginItem {
                    checked: false,
                    enabled: true
                }
            );

            assert_eq!(toggle_launch_at_login(&presently), Ok(true));
            assert_eq!(
                events.recv().await.unwrap(),
                presently_core::AppEvent::SettingsChanged
            );
            assert!(LoginItem::of(&presently).checked);
            let file = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
            assert!(file.contains("launch-at-login = true"), "{file}");

            assert_eq!(toggle_launch_at_login(&presently), Ok(false));
            assert!(!LoginItem::of(&presently).checked);
            drop(emulator);
        });
    }

    #[test]
    fn the_menu_starts_with_the_hotkey_duration_when_it_offers_it() {
        assert_eq!(
            initial_duration(&DurationChoice::Preset(Preset::Hours2)),
            Preset::Hours2
        );
        assert_eq!(
            initial_duration(&DurationChoice::Preset(Preset::GraphDefault)),
            Preset::Hour1
        );
        assert_eq!(initial_duration(&"90m".parse().unwrap()), Preset::Hour1);
    }
}
