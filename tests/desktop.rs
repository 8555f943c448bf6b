//! The real `presently-app` on a desktop: one instance, commands forwarded by a second launch, the login entry, and
//! a start that fails.
//! It needs an X display with a tray, so it is `#[ignore]`d in a plain `cargo test` and run on a throw-away
//! virtual desktop by the test command:
//!
//! ```sh
//! scripts/gui-session.sh cargo test -p presently-app --test desktop -- --ignored
//! ```
//!
//! Everything runs in demo mode (the app's emulator as its child process, sign-in auto-approved) inside a temporary
//! home, data folder and runtime folder, so neither this machine's real app nor another test is touched.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failure must fail it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use presently_core::ipc::{Client, Endpoint, Request};
use serde_json::{Value, json};

const EXE: &str = env!("CARGO_BIN_EXE_presently-app");

/// A temporary home, data folder and runtime folder, and the processes started in them (ended on drop).
struct Desk {
    root: tempfile::TempDir,
    started: Vec<Child>,
    output: Arc<Mutex<String>>,
}

impl Desk {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        for dir in ["home/.config", "data/demo", "run"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root.path().join("run"), std::fs::Permissions::from_mode(0o700))
                .unwrap();
        }
        // A "browser" that follows the sign-in redirects, as a person clicking through the auto-approving
        // emulator would (and opens no real browser for the colleagues page).
        let browser = root.path().join("browser");
        std::fs::write(&browser, "#!/bin/sh\ncurl -fsSL -o /dev/null \"$1\" &\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self {
            root,
            started: Vec::new(),
            output: Arc::default(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(EXE);
        command
            .args(args)
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("PRESENTLY_DATA_DIR", self.path("data"))
            .env("BROWSER", self.path("browser"))
            .env("PRESENTLY_DEMO_AUTO_APPROVE", "1")
            .env("RUST_LOG", "presently_app=info")
            .env("NO_COLOR", "1")
            .current_dir("/");
        command
    }

    /// Starts `presently-app ARGS` with its output piped.
    fn start(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Starts `presently-app ARGS` in the background; its output is collected.
    fn spawn(&mut self, args: &[&str]) -> u32 {
        let mut child = self.start(args);
        let pid = child.id();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = self.output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut all = output.lock().unwrap();
                    all.push_str(&format!("[{pid}] {line}\n"));
                }
            });
        }
        self.started.push(child);
        pid
    }

    /// Runs `presently-app ARGS` to its end (a second launch).
    fn run(&self, args: &[&str]) -> Output {
        let mut child = self.start(args);
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "presently-app {args:?} did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    }

    fn log(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::at(self.path("run/presently/keeper-demo.sock"))
    }

    /// One IPC request to the running app.
    fn ipc(&self, request: Request) -> Value {
        let endpoint = self.endpoint();
        runtime().block_on(async move {
            let client = Client::connect(&endpoint).await.unwrap();
            client.call(request).await.unwrap()
        })
    }

    /// The app processes of this desk: (pid, arguments), found by their data folder.
    fn processes(&self) -> Vec<(u32, Vec<String>)> {
        let marker = format!("PRESENTLY_DATA_DIR={}", self.path("data").display());
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            if !environ.split(|b| *b == 0).any(|v| v == marker.as_bytes()) {
                continue;
            }
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let is_app = args
                .first()
                .is_some_and(|a| Path::new(a).file_name() == Path::new(EXE).file_name());
            // A zombie has no command line any more; skip it.
            if is_app {
                found.push((pid, args[1..].to_vec()));
            }
        }
        found
    }

    /// The running main processes (not popups).
    fn keepers(&self) -> Vec<u32> {
        self.processes()
            .into_iter()
            .filter(|(_, args)| !args.iter().any(|a| a == "--popup"))
            .map(|(pid, _)| pid)
            .collect()
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        for (pid, _) in self.processes() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        for child in &mut self.started {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn wait_until(what: &str, desk: &Desk, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            desk.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET url` on the loopback emulator, as JSON.
fn get_json(url: &str) -> Value {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    serde_json::from_str(body).unwrap()
}

/// `POST url` with a JSON body on the loopback emulator.
fn post_json(url: &str, body: &Value) -> Value {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let body = body.to_string();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
#[ignore = "needs a desktop: scripts/gui-session.sh cargo test -p presently-app --test desktop -- --ignored"]
fn one_keeper_runs_a_second_launch_forwards_its_command_and_the_login_entry_follows_the_setting() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under scripts/gui-session.sh"
    );
    let mut desk = Desk::new();
    std::fs::write(desk.path("data/demo/settings.toml"), "launch-at-login = true\n").unwrap();
    let entry = desk.path("home/.config/autostart/Presently demo.desktop");

    // Two launches at the same moment: one keeper, the other hands over (the instance lock).
    let a = desk.spawn(&["--demo"]);
    let b = desk.spawn(&["--demo"]);
    wait_until("the IPC to answer", &desk, Duration::from_secs(60), || {
        desk.endpoint().address.exists()
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !desk.started.iter_mut().any(|c| c.try_wait().unwrap().is_some()) {
        assert!(
            Instant::now() < deadline,
            "both launches still run\n{}",
            desk.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let keepers = desk.keepers();
    assert_eq!(keepers.len(), 1, "{keepers:?}\n{}", desk.log());
    let keeper = keepers[0];
    assert!(keeper == a || keeper == b);
    let other = if keeper == a { b } else { a };
    let child = desk.started.iter_mut().find(|c| c.id() == other).unwrap();
    assert!(child.wait().unwrap().success(), "{}", desk.log());
    assert!(
        desk.log().contains(&format!(
            "[{other}] Presently is already running: showing its popup"
        )),
        "{}",
        desk.log()
    );

    // Launch at login is on in the settings: the entry starts the demo's tray with its absolute path.
    wait_until("the login entry", &desk, Duration::from_secs(10), || {
        entry.exists()
    });
    let desktop_file = std::fs::read_to_string(&entry).unwrap();
    assert!(
        desktop_file
            .lines()
            .any(|l| l == format!("Exec={EXE} --autostart --demo")),
        "{desktop_file}"
    );

    // Signed in (the emulator approves at once), then `presently-app set busy --for 1h` from a second launch.
    desk.ipc(Request::SignIn {
        method: presently_core::SignInMethod::Browser,
    });
    wait_until("signed in", &desk, Duration::from_secs(10), || {
        desk.ipc(Request::Snapshot)["account"]["state"] == "signedIn"
    });
    let user = desk.ipc(Request::Snapshot)["account"]["username"]
        .as_str()
        .unwrap()
        .to_string();
    let second = desk.run(&["--demo", "set", "busy", "--for", "1h"]);
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        text(&second).contains("Presently is running: Busy until "),
        "{}",
        text(&second)
    );
    assert_eq!(desk.keepers(), [keeper], "a second keeper started");
    let intent = desk.ipc(Request::Snapshot)["intent"].clone();
    assert_eq!(intent["status"], "busy", "{intent}");
    assert_eq!(intent["origin"], "cli", "{intent}");

    // The emulator (what colleagues see) shows Busy.
    wait_until("the demo's page address", &desk, Duration::from_secs(20), || {
        desk.log().contains("what colleagues see is at ")
    });
    let base = desk
        .log()
        .lines()
        .find_map(|l| {
            l.split_once("what colleagues see is at ")
                .map(|(_, url)| url.trim().to_string())
        })
        .unwrap_or_else(|| panic!("the demo prints its page\n{}", desk.log()));
    let presence_url = format!("{}/_emulator/users/{user}/presence", base.trim_end_matches('/'));
    wait_until(
        "the emulator to show Busy",
        &desk,
        Duration::from_secs(20),
        || get_json(&presence_url)["effective"]["availability"] == "Busy",
    );

    // A bad command is refused by this launch, with the reason, and changes nothing.
    let refused = desk.run(&["--demo", "set", "busy", "--for", "soon"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("soon"), "{}", text(&refused));

    // The login entry's launch while the app runs does nothing, not even the popup.
    let popups_before = desk.processes().len() - desk.keepers().len();
    let login = desk.run(&["--demo", "--autostart"]);
    assert!(login.status.success(), "{}", text(&login));
    assert!(
        text(&login).contains("Presently is already running"),
        "{}",
        text(&login)
    );
    assert_eq!(desk.keepers(), [keeper]);
    assert_eq!(desk.processes().len() - desk.keepers().len(), popups_before);

    // Turning launch at login off (as the settings page does) removes the entry.
    desk.ipc(Request::SaveSettings {
        patch: serde_json::from_value(json!({"launchAtLogin": false})).unwrap(),
    });
    wait_until("the login entry to go", &desk, Duration::from_secs(10), || {
        !entry.exists()
    });

    // `presently-app clear` from a second launch: back to automatic.
    let clear = desk.run(&["--demo", "clear"]);
    assert!(clear.status.success(), "{}", text(&clear));
    wait_until("automatic", &desk, Duration::from_secs(10), || {
        desk.ipc(Request::Snapshot)["intent"].is_null()
    });
    wait_until(
        "the emulator to drop the pin",
        &desk,
        Duration::from_secs(20),
        || get_json(&presence_url)["pin"].is_null(),
    );
    assert_eq!(desk.keepers(), [keeper]);

    // Microsoft revokes the sign-in: the keeper needs the user, and says so with a notification. This desktop
    // has no notification server: the app logs why none showed, and runs on.
    let emulator = base.trim_end_matches('/');
    post_json(&format!("{emulator}/_emulator/users/{user}/revoke"), &json!({}));
    post_json(
        &format!("{emulator}/_emulator/clock/advance"),
        &json!({"seconds": 7200}),
    );
    let set = desk.run(&["--demo", "set", "dnd"]);
    assert!(set.status.success(), "{}", text(&set));
    wait_until("sign-in to be needed", &desk, Duration::from_secs(20), || {
        desk.ipc(Request::Snapshot)["account"]["state"] == "signInRequired"
    });
    wait_until(
        "the notification's fate in the log",
        &desk,
        Duration::from_secs(30),
        || desk.log().contains("notification not shown"),
    );
    assert!(desk.log().contains("kind=SignInNeeded"), "{}", desk.log());
    assert_eq!(desk.keepers(), [keeper], "the app ended\n{}", desk.log());
}

#[test]
#[ignore = "needs a desktop: scripts/gui-session.sh cargo test -p presently-app --test desktop -- --ignored"]
fn a_core_that_cannot_start_ends_the_app_with_its_error_and_exit_code_1() {
    let desk = Desk::new();
    // Settings that do not parse: the core refuses to start (it never writes over a broken file).
    let settings = desk.path("data/demo/settings.toml");
    std::fs::write(&settings, "hotkey-duration = \"2h\"\nthis is not toml\n").unwrap();
    let started = desk.run(&["--demo"]);
    let output = text(&started);
    assert_eq!(started.status.code(), Some(1), "{output}");
    assert!(output.contains("Presently cannot start"), "{output}");
    assert!(
        output.contains("settings.toml"),
        "the error names the file: {output}"
    );
    // The file is left as it was, for the user to mend.
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        "hotkey-duration = \"2h\"\nthis is not toml\n"
    );
}

/// A StatusNotifierWatcher, the D-Bus service a panel that hosts indicators runs (KDE's StatusNotifierItem
/// protocol, which libayatana-appindicator speaks): with one on the bus, the tray icon registers itself here and
/// exports its label as the `XAyatanaLabel` property, which the test reads like a panel would. tint2, the panel
/// of the virtual desktop, only docks XEmbed icons and shows no label.
#[cfg(target_os = "linux")]
mod watcher {
    use std::sync::{Arc, Mutex};

    use zbus::message::Header;
    use zbus::names::{BusName, InterfaceName};

    /// The items registered so far: (bus name, object path).
    #[derive(Clone, Default)]
    pub struct Watcher {
        pub items: Arc<Mutex<Vec<(String, String)>>>,
    }

    #[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
    impl Watcher {
        fn register_status_notifier_item(&self, #[zbus(header)] header: Header<'_>, service: &str) {
            let sender = header.sender().map(ToString::to_string).unwrap_or_default();
            // An item names itself by object path (on the sender's connection) or by bus name.
            let item = if service.starts_with('/') {
                (sender, service.to_string())
            } else {
                (service.to_string(), "/StatusNotifierItem".to_string())
            };
            self.items.lock().unwrap().push(item);
        }

        fn register_status_notifier_host(&self, _service: &str) {}

        #[zbus(property)]
        fn registered_status_notifier_items(&self) -> Vec<String> {
            let items = self.items.lock().unwrap();
            items.iter().map(|(name, path)| format!("{name}{path}")).collect()
        }

        #[zbus(property)]
        fn is_status_notifier_host_registered(&self) -> bool {
            true
        }

        #[zbus(property)]
        fn protocol_version(&self) -> i32 {
            0
        }
    }

    /// Owns `org.kde.StatusNotifierWatcher` on the session bus while the connection lives.
    pub fn start() -> (zbus::blocking::Connection, Watcher) {
        let watcher = Watcher::default();
        let connection = zbus::blocking::connection::Builder::session()
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", watcher.clone())
            .unwrap()
            .build()
            .unwrap();
        (connection, watcher)
    }

    /// The item registered by process `pid`, if any.
    pub fn item_of(
        connection: &zbus::blocking::Connection,
        watcher: &Watcher,
        pid: u32,
    ) -> Option<(String, String)> {
        let bus = zbus::blocking::fdo::DBusProxy::new(connection).unwrap();
        let items = watcher.items.lock().unwrap().clone();
        items.into_iter().find(|(name, _)| {
            BusName::try_from(name.as_str())
                .ok()
                .and_then(|n| bus.get_connection_unix_process_id(n).ok())
                == Some(pid)
        })
    }

    /// The item's label, read afresh (not from a cache).
    pub fn label(connection: &zbus::blocking::Connection, (name, path): &(String, String)) -> String {
        let properties = zbus::blocking::fdo::PropertiesProxy::builder(connection)
            .destination(name.as_str())
            .unwrap()
            .path(path.as_str())
            .unwrap()
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .unwrap();
        let interface = InterfaceName::from_static_str("org.kde.StatusNotifierItem").unwrap();
        let value = properties.get(interface, "XAyatanaLabel").unwrap();
        String::try_from(value).unwrap()
    }
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a desktop: scripts/gui-session.sh cargo test -p presently-app --test desktop -- --ignored"]
fn the_tray_label_shows_the_time_left_of_a_timed_status_and_goes_when_it_does() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under scripts/gui-session.sh"
    );
    let (bus, watcher) = watcher::start();
    let mut desk = Desk::new();
    let app = desk.spawn(&["--demo"]);
    wait_until("the IPC to answer", &desk, Duration::from_secs(60), || {
        desk.endpoint().address.exists()
    });
    wait_until(
        "the tray icon to register with the watcher",
        &desk,
        Duration::from_secs(30),
        || watcher::item_of(&bus, &watcher, app).is_some(),
    );
    let item = watcher::item_of(&bus, &watcher, app).unwrap();
    assert_eq!(watcher::label(&bus, &item), "", "no label before any status");

    desk.ipc(Request::SignIn {
        method: presently_core::SignInMethod::Browser,
    });
    wait_until("signed in", &desk, Duration::from_secs(10), || {
        desk.ipc(Request::Snapshot)["account"]["state"] == "signedIn"
    });
    // Busy for 90 minutes from a second launch: the label counts whole minutes up (crates/core/src/tray_view.rs).
    let set = desk.run(&["--demo", "set", "busy", "--for", "90m"]);
    assert!(set.status.success(), "{}", text(&set));
    let label_is = |want: &[&str]| {
        let label = watcher::label(&bus, &item);
        want.contains(&label.as_str())
    };
    wait_until("the label 1h 30m", &desk, Duration::from_secs(20), || {
        label_is(&["1h 30m", "1h 29m"])
    });

    // The setting turns the label off, and on again.
    desk.ipc(Request::SaveSettings {
        patch: serde_json::from_value(json!({"trayTimeLeft": false})).unwrap(),
    });
    wait_until(
        "the label to go with the setting",
        &desk,
        Duration::from_secs(10),
        || label_is(&[""]),
    );
    desk.ipc(Request::SaveSettings {
        patch: serde_json::from_value(json!({"trayTimeLeft": true})).unwrap(),
    });
    wait_until(
        "the label back with the setting",
        &desk,
        Duration::from_secs(10),
        || label_is(&["1h 30m", "1h 29m"]),
    );

    // "Until I change it" has no end: no label. Back to automatic: none either.
    let forever = desk.run(&["--demo", "set", "dnd", "--preset", "forever"]);
    assert!(forever.status.success(), "{}", text(&forever));
    wait_until("no label without an end", &desk, Duration::from_secs(20), || {
        label_is(&[""]) && desk.ipc(Request::Snapshot)["intent"]["status"] == "dnd"
    });
    let timed = desk.run(&["--demo", "set", "away", "--for", "30m"]);
    assert!(timed.status.success(), "{}", text(&timed));
    wait_until("the label 30m", &desk, Duration::from_secs(20), || {
        label_is(&["30m", "29m"])
    });
    let clear = desk.run(&["--demo", "clear"]);
    assert!(clear.status.success(), "{}", text(&clear));
    wait_until("no label once automatic", &desk, Duration::from_secs(20), || {
        label_is(&[""])
    });
}

/// The visible top-level windows titled "Presently" (the popup, or the window standing in for the tray).
fn visible_presently_windows() -> Vec<String> {
    let found = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Presently$"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&found.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `xprop -id WINDOW PROPERTY` as text.
fn xprop(window: &str, property: &str) -> String {
    let out = Command::new("xprop")
        .args(["-id", window, property])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs a desktop: scripts/gui-session.sh cargo test -p presently-app --test desktop -- --ignored (and again with GUI_NO_TRAY=1)"]
fn without_a_tray_host_the_popup_is_a_window_that_hides_on_close_and_quits_the_app() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run under scripts/gui-session.sh"
    );
    // scripts/gui-session.sh says whether its desktop has tint2's tray or none (GUI_NO_TRAY=1).
    let no_tray = std::env::var("GUI_SESSION_TRAY").is_ok_and(|t| t == "none");
    let mut desk = Desk::new();
    desk.spawn(&["--demo"]);
    wait_until("the IPC to answer", &desk, Duration::from_secs(60), || {
        desk.endpoint().address.exists()
    });
    wait_until(
        "the app to report its tray",
        &desk,
        Duration::from_secs(30),
        || !desk.ipc(Request::ProcessState)["tray"].is_null(),
    );
    let tray = desk.ipc(Request::ProcessState)["tray"].clone();
    let windowed = || {
        desk.processes()
            .iter()
            .any(|(_, args)| args.iter().any(|a| a == "--no-tray"))
    };

    if !no_tray {
        // tint2's tray is an XEmbed manager (another test of this file may play a StatusNotifierItem watcher).
        assert_eq!(tray["iconShown"], true, "{tray}");
        assert!(
            ["xEmbedManager", "statusNotifierWatcher"].contains(&tray["host"].as_str().unwrap_or_default()),
            "{tray}"
        );
        std::thread::sleep(Duration::from_secs(3));
        assert!(
            !windowed(),
            "a window opened although the tray shows the icon\n{}",
            desk.log()
        );
        assert!(
            desk.processes()
                .iter()
                .all(|(_, args)| !args.iter().any(|a| a == "--popup")),
            "a popup opened at start although nobody asked\n{}",
            desk.log()
        );
        assert_eq!(visible_presently_windows(), Vec::<String>::new());
        return;
    }

    assert_eq!(tray, json!({"host": "none", "iconShown": false}));
    wait_until("the window to appear", &desk, Duration::from_secs(30), || {
        windowed() && !visible_presently_windows().is_empty()
    });
    let window = visible_presently_windows().remove(0);
    // A normal window: framed by the window manager, and in the taskbar.
    let extents = xprop(&window, "_NET_FRAME_EXTENTS");
    assert!(
        extents.contains("=") && !extents.contains("= 0, 0, 0, 0"),
        "not decorated: {extents}"
    );
    assert!(
        !xprop(&window, "_NET_WM_STATE").contains("SKIP_TASKBAR"),
        "kept out of the taskbar"
    );

    // Its close hides it; the app keeps running.
    let closed = Command::new("xdotool")
        .args([
            "windowactivate",
            "--sync",
            &window,
            "key",
            "--clearmodifiers",
            "alt+F4",
        ])
        .status()
        .unwrap();
    assert!(closed.success());
    wait_until("the window to hide", &desk, Duration::from_secs(10), || {
        visible_presently_windows().is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(desk.keepers().len(), 1, "{}", desk.log());
    assert_eq!(desk.ipc(Request::Hello)["pid"], desk.keepers()[0]);

    // A second launch shows it again.
    let again = desk.run(&["--demo"]);
    assert!(again.status.success(), "{}", text(&again));
    wait_until("the window to show again", &desk, Duration::from_secs(20), || {
        !visible_presently_windows().is_empty()
    });

    // Its Quit (the IPC request the window's button sends) ends the app and the window.
    desk.ipc(Request::Quit);
    wait_until("the app to quit", &desk, Duration::from_secs(20), || {
        desk.processes().is_empty()
    });
}
