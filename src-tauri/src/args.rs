//! The command line of `presently-app`: which of its two processes to be, and the few switches each takes.
//! Parsed by hand (no clap): it is a GUI program whose only callers are the user's launcher, the tray process
//! (spawning the popup) and the end-to-end tests.

use std::path::PathBuf;

/// Which process to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The main process: tray, native menu, keeper and IPC server; never a webview.
    Tray(TrayArgs),
    /// The popup process: one webview window talking to the main process over the local IPC.
    Popup(PopupArgs),
    /// `--help` or `--version`: print this text and exit.
    Print(String),
}

/// What `presently-app --help` prints.
pub const USAGE: &str = "\
Presently: set your Microsoft Teams presence from the tray, and keep it true.

Usage:
  presently-app [--demo] [--autostart]   start in the tray (when Presently already runs: show its popup)
  presently-app [--demo] set STATUS [--for D | --until T | --preset NAME]
                                         keep a status (the running Presently applies it; else it starts)
  presently-app [--demo] clear           back to automatic
  presently-app --help | --version

Options:
  --demo        against the built-in emulator of Microsoft 365 (no account needed)
  --autostart   as the login entry starts it: the tray only, and nothing when Presently already runs
Statuses: available, busy, dnd, brb, away, offline. Durations as `presently set --help` explains.
The `presently` command line does the same and more (status, login, config).
";

/// Switches of the main process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrayArgs {
    /// `--demo`: run against the emulator (a child process, `presently-emulator`) instead of Microsoft.
    pub demo: bool,
    /// `--show-popup-on-start` or `PRESENTLY_SHOW_POPUP=1` (end-to-end tests): open the popup at once.
    pub show_popup_on_start: bool,
    /// `--autostart`: started by the login entry ([`crate::autostart`]): tray only, no popup, no demo page, and
    /// nothing at all when the app already runs.
    pub autostart: bool,
    /// `set STATUS [--for D]` or `clear`: applied by the running app, or by this one once started
    /// ([`crate::single_instance`]).
    pub command: Option<crate::single_instance::AppCommand>,
}

/// Switches of the popup process (set by the main process when it spawns it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PopupArgs {
    /// `--ipc ADDRESS`: the main process's IPC endpoint (socket path or pipe name).
    pub ipc: Option<PathBuf>,
    /// `--tray-rect X,Y,W,H`: where the tray icon was clicked, in physical pixels, to open beside it.
    pub tray_rect: Option<TrayRect>,
    /// `--no-tray NOTE`: no tray icon can be seen, so the popup is a normal window (decorated, in the taskbar,
    /// kept open when it loses focus) that shows NOTE (how to get tray icons) and a Quit button.
    pub no_tray: Option<String>,
}

/// The tray icon's rectangle in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrayRect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl TrayRect {
    /// `X,Y,W,H` as `--tray-rect` takes it.
    pub fn to_arg(self) -> String {
        format!("{},{},{},{}", self.x, self.y, self.width, self.height)
    }

    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(',').map(str::trim);
        let rect = TrayRect {
            x: parts.next()?.parse().ok()?,
            y: parts.next()?.parse().ok()?,
            width: parts.next()?.parse().ok()?,
            height: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(rect)
    }
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// A switch this program does not know.
    #[error(
        "unknown argument \"{0}\" (presently-app takes --demo, --autostart, --show-popup-on-start, \
         set STATUS [--for D | --until T | --preset NAME], clear, or --popup)"
    )]
    Unknown(String),
    /// A status or duration the model refuses.
    #[error("{0}")]
    Invalid(String),
    /// A switch without its value, or with a malformed one.
    #[error("{0} needs a value: {1}")]
    BadValue(&'static str, &'static str),
}

/// Parses the arguments after the program name; `env` reads `PRESENTLY_SHOW_POPUP`.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Mode, ArgsError> {
    let mut tray = TrayArgs {
        show_popup_on_start: env("PRESENTLY_SHOW_POPUP").is_some_and(|v| v == "1" || v == "true"),
        ..TrayArgs::default()
    };
    let mut popup: Option<PopupArgs> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Mode::Print(USAGE.to_string())),
            "--version" | "-V" => {
                return Ok(Mode::Print(format!(
                    "presently-app {}\n",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            "--demo" => tray.demo = true,
            "--show-popup-on-start" => tray.show_popup_on_start = true,
            "--autostart" => tray.autostart = true,
            "set" | "clear" if tray.command.is_none() => {
                tray.command = Some(crate::single_instance::AppCommand::parse(&arg, &mut args)?);
            }
            "--popup" => {
                popup.get_or_insert_with(PopupArgs::default);
            }
            "--ipc" => {
                let value = args
                    .next()
                    .ok_or(ArgsError::BadValue("--ipc", "a socket path or pipe name"))?;
                popup.get_or_insert_with(PopupArgs::default).ipc = Some(PathBuf::from(value));
            }
            "--no-tray" => {
                let note = args
                    .next()
                    .ok_or(ArgsError::BadValue("--no-tray", "the note to show"))?;
                popup.get_or_insert_with(PopupArgs::default).no_tray = Some(note);
            }
            "--tray-rect" => {
                let rect = args
                    .next()
                    .as_deref()
                    .and_then(TrayRect::parse)
                    .ok_or(ArgsError::BadValue("--tray-rect", "X,Y,W,H in pixels"))?;
                popup.get_or_insert_with(PopupArgs::default).tray_rect = Some(rect);
            }
            _ => return Err(ArgsError::Unknown(arg)),
        }
    }
    Ok(match popup {
        Some(popup) => Mode::Popup(popup),
        None => Mode::Tray(tray),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str], env: &dyn Fn(&str) -> Option<String>) -> Result<Mode, ArgsError> {
        parse(words.iter().map(|w| w.to_string()), env)
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn no_arguments_run_the_tray_against_microsoft() {
        assert_eq!(parse_words(&[], &no_env), Ok(Mode::Tray(TrayArgs::default())));
    }

    #[test]
    fn demo_and_the_test_switch_are_tray_switches() {
        let mode = parse_words(&["--demo", "--show-popup-on-start"], &no_env);
        assert_eq!(
            mode,
            Ok(Mode::Tray(TrayArgs {
                demo: true,
                show_popup_on_start: true,
                ..TrayArgs::default()
            }))
        );
        let env = |k: &str| (k == "PRESENTLY_SHOW_POPUP").then(|| "1".to_string());
        assert_eq!(
            parse_words(&[], &env),
            Ok(Mode::Tray(TrayArgs {
                demo: false,
                show_popup_on_start: true,
                ..TrayArgs::default()
            }))
        );
    }

    #[test]
    fn the_popup_takes_the_ipc_address_and_the_tray_rectangle() {
        let mode = parse_words(
            &[
                "--popup",
                "--ipc",
                "/run/user/1/presently/keeper.sock",
                "--tray-rect",
                "1800,1040,24,-1",
            ],
            &no_env,
        );
        assert_eq!(mode, Err(ArgsError::BadValue("--tray-rect", "X,Y,W,H in pixels")));
        let mode = parse_words(
            &[
                "--popup",
                "--ipc",
                "/run/user/1/presently/keeper.sock",
                "--tray-rect",
                "1800,-4,24,24",
            ],
            &no_env,
        );
        assert_eq!(
            mode,
            Ok(Mode::Popup(PopupArgs {
                ipc: Some(PathBuf::from("/run/user/1/presently/keeper.sock")),
                tray_rect: Some(TrayRect {
                    x: 1800,
                    y: -4,
                    width: 24,
                    height: 24
                }),
                no_tray: None,
            }))
        );
    }

    #[test]
    fn the_popup_takes_the_note_of_a_desktop_without_a_tray() {
        let mode = parse_words(
            &["--popup", "--ipc", "/tmp/k.sock", "--no-tray", "Add a tray."],
            &no_env,
        );
        assert_eq!(
            mode,
            Ok(Mode::Popup(PopupArgs {
                ipc: Some(PathBuf::from("/tmp/k.sock")),
                tray_rect: None,
                no_tray: Some("Add a tray.".into()),
            }))
        );
        assert_eq!(
            parse_words(&["--popup", "--no-tray"], &no_env),
            Err(ArgsError::BadValue("--no-tray", "the note to show"))
        );
    }

    #[test]
    fn a_tray_rectangle_survives_the_round_trip_through_the_command_line() {
        let rect = TrayRect {
            x: -1920,
            y: 0,
            width: 32,
            height: 30,
        };
        assert_eq!(TrayRect::parse(&rect.to_arg()), Some(rect));
        assert_eq!(TrayRect::parse("1,2,3"), None);
        assert_eq!(TrayRect::parse("1,2,3,4,5"), None);
    }

    #[test]
    fn a_command_for_the_running_app_and_the_login_entrys_switch_are_tray_arguments() {
        use crate::single_instance::AppCommand;
        let Ok(Mode::Tray(tray)) = parse_words(&["--demo", "set", "busy", "--for", "1h"], &no_env) else {
            panic!("not the tray")
        };
        assert!(tray.demo);
        assert_eq!(
            tray.command,
            Some(AppCommand::Set {
                status: presently_model::PreferredPresence::Busy,
                duration: "1h".parse().unwrap()
            })
        );
        let Ok(Mode::Tray(tray)) = parse_words(&["--autostart"], &no_env) else {
            panic!("not the tray")
        };
        assert!(tray.autostart && tray.command.is_none());
        assert_eq!(
            parse_words(&["clear"], &no_env),
            Ok(Mode::Tray(TrayArgs {
                command: Some(AppCommand::Clear),
                ..TrayArgs::default()
            }))
        );
        assert!(matches!(
            parse_words(&["set", "sleepy"], &no_env),
            Err(ArgsError::Invalid(_))
        ));
    }

    #[test]
    fn help_and_version_print_and_start_nothing() {
        let Ok(Mode::Print(help)) = parse_words(&["--demo", "--help"], &no_env) else {
            panic!("no help")
        };
        assert!(help.contains("presently-app [--demo] set STATUS"), "{help}");
        assert_eq!(
            parse_words(&["--version"], &no_env),
            Ok(Mode::Print(format!(
                "presently-app {}\n",
                env!("CARGO_PKG_VERSION")
            )))
        );
    }

    #[test]
    fn unknown_switches_and_missing_values_are_refused() {
        assert_eq!(
            parse_words(&["--verbose"], &no_env),
            Err(ArgsError::Unknown("--verbose".into()))
        );
        assert!(matches!(
            parse_words(&["--popup", "--ipc"], &no_env),
            Err(ArgsError::BadValue("--ipc", _))
        ));
    }
}
