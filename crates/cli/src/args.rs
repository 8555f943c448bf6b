//! The command line's grammar (clap derive): global flags, the commands and their options, and the help text
//! that doubles as the manual (`presently --help`, `presently help set`).
//!
//! Values that the model knows how to read (statuses, durations, presets) are taken as plain strings here and
//! parsed by the commands with the model's own parsers, so every bad value gets the model's message (which
//! lists what is valid) and the same exit code and `--json` error shape as any other problem.

use clap::{Args, Parser, Subcommand};

/// The exit codes, shown under `presently --help` (and documented in `docs/cli.md`).
const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ok
  1  anything else (an unexpected failure; please report it)
  2  bad input: unknown status, bad duration, bad flag, broken settings file
  3  sign-in needed: not signed in, or the saved sign-in expired or was revoked (run `presently login`)
  4  permission: consent or an administrator's approval is needed (see `presently consent-url`)
  5  throttled, unavailable or offline, after retries: try again later
  6  configuration: the app registration or the sign-in settings must be fixed

Environment:
  PRESENTLY_CONFIG, PRESENTLY_MANAGED_CONFIG   other settings files (user, administrator)
  PRESENTLY_DATA_DIR                           where tokens and the last-set record live
  PRESENTLY_CLOUD, PRESENTLY_TENANT, PRESENTLY_CLIENT_ID, PRESENTLY_LOGIN_URL, PRESENTLY_GRAPH_URL
                                               the same as the flags of those names
  PRESENTLY_LOG                                tracing filter (e.g. `debug`), more precise than -v
  BROWSER                                      the command that opens the sign-in page (e.g. `firefox`)

With --json, every command prints exactly one JSON object on stdout, errors included
({\"error\": {\"kind\", \"message\", \"action\", \"retryInSecs\"}}); messages meant for people go to stderr.";

/// Set your Microsoft Teams presence from the command line, through Microsoft Graph.
///
/// Sign in once with `presently login`, then `presently set dnd --for 1h`, `presently status` and
/// `presently clear`. Without the keeper (`presently run` or the tray app) a status stays visible while
/// Teams is closed only until Presently's presence session lapses (at most 4 hours); `set` says when.
#[derive(Debug, Parser)]
#[command(name = "presently", version, about, long_about, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that apply to every command. Settings flags win over `PRESENTLY_*` variables, which win over the
/// settings files (see `presently doctor` for where each value came from).
#[derive(Debug, Args)]
pub struct Global {
    /// Microsoft cloud: global (also GCC), gcc-high or dod [env: PRESENTLY_CLOUD].
    #[arg(long, global = true, help_heading = "Global options", value_name = "CLOUD")]
    pub cloud: Option<String>,
    /// Tenant: organizations, your tenant id, or your domain [env: PRESENTLY_TENANT].
    #[arg(long, global = true, help_heading = "Global options", value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Application (client) id of the app registration to sign in with [env: PRESENTLY_CLIENT_ID].
    #[arg(long, global = true, help_heading = "Global options", value_name = "GUID")]
    pub client_id: Option<String>,
    /// Sign-in service base URL, e.g. an emulator's http://127.0.0.1:PORT [env: PRESENTLY_LOGIN_URL].
    #[arg(long, global = true, help_heading = "Global options", value_name = "URL")]
    pub login_url: Option<String>,
    /// Microsoft Graph base URL, e.g. an emulator's http://127.0.0.1:PORT [env: PRESENTLY_GRAPH_URL].
    #[arg(long, global = true, help_heading = "Global options", value_name = "URL")]
    pub graph_url: Option<String>,
    /// Print one JSON object on stdout instead of text (errors too; see docs/cli.md for the shapes).
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Log what happens to stderr: -v info, -vv debug, -vvv trace. Tokens and codes are never logged.
    #[arg(short, long, global = true, help_heading = "Global options", action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with your work or school account (browser by default, or a code with --device-code).
    ///
    /// The browser sign-in opens the sign-in page (through the BROWSER command when that variable is set)
    /// and also prints its address, in case no browser opens. It listens on 127.0.0.1 for the answer.
    /// --device-code prints a code to enter on another device instead; some organizations block it.
    Login(LoginArgs),
    /// Forget the saved sign-in on this computer. Your status in Teams is left as it is.
    Logout,
    /// Show who is signed in, from the saved sign-in (no network). Exits 3 when nobody is.
    Whoami,
    /// Show what Microsoft Graph reports for you now, and what Presently set and until when.
    ///
    /// Without the keeper, "what Presently set" comes from a small record `presently set` keeps on this
    /// computer; a change made in Teams or on another computer is visible only in Graph's reading.
    Status,
    /// Set your status: available, busy, dnd, brb, away or offline.
    ///
    /// It pins the status with Graph (setUserPreferredPresence) for the chosen time and starts Presently's
    /// own presence session so the status shows while Teams is closed (not for offline, which needs none).
    /// Then it reads your presence back and prints what Graph reports. Without the keeper, the session
    /// lapses after at most 4 hours; `set` warns when that is.
    #[command(after_long_help = SET_HELP)]
    Set(SetArgs),
    /// Go back to automatic: remove the pin and Presently's presence session.
    Clear,
    /// Set the status message colleagues see under your name, or remove it (--clear).
    ///
    /// At most 280 characters. Graph removes it by itself at its end: --until a time, else the end of the
    /// status in force when the clear-message-with-status setting is on (the default), else never.
    #[command(after_long_help = MESSAGE_HELP)]
    Message(MessageArgs),
    /// Check settings files, effective settings, the token store, the endpoints and the sign-in.
    Doctor,
    /// Keep your status true in the background (the keeper, without the tray app).
    ///
    /// Refreshes the sign-in before it lapses, keeps Presently's presence session alive so your status shows
    /// while Teams is closed, renews long pins, ends timed statuses on time, and adopts a change made in Teams.
    /// While it runs, `presently set`, `clear` and `status` talk to it over a local socket (pipe on Windows)
    /// that only your user can open. Ctrl-C or SIGTERM stops it; the on-quit setting decides whether your status
    /// stays until it ends (keep, the default) or goes back to automatic (clear). With --json it prints one
    /// state object per line.
    Run,
    /// Read or change the user's settings file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the admin-consent URL to send to an administrator who must approve the app for your tenant.
    ConsentUrl,
}

const SET_HELP: &str = "\
Statuses (as Teams shows them):
  available  Available           busy  Busy               dnd      Do not disturb
  brb        Be right back       away  Appear away        offline  Appear offline
  (aliases such as do-not-disturb, be-right-back, appear-offline are accepted)

Durations:
  --for 30m | 90m | 1h30m | 2 hours | PT2H | 1d
  --until 17:30 | 5pm | noon | tomorrow 9:00 | 2025-04-01 09:00   (the next such time; local zone)
  --preset 30m | 1h | 2h | 4h | 8h | eod | forever | default
  eod is the end of the working day (setting workday-end, default 17:30): today's, or tomorrow's once
  it has passed. forever lasts until you change it (the pin is sent for the longest time Graph takes,
  7 days). default (also when no duration is given) lets Graph decide: 1 day for busy and dnd, 7 days
  for the others.

Examples:
  presently set dnd --for 1h
  presently set busy --until 17:30
  presently set away --preset eod
  presently --json set available
  presently set busy --for 1h --message \"Back at 3\"";

const MESSAGE_HELP: &str = "\
Examples:
  presently message \"On a train, slow replies\" --until 17:00
  presently set busy --for 1h --message \"Back at 3\"
  presently message --clear";

/// `presently message`.
#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The message (at most 280 characters).
    #[arg(value_name = "TEXT", required_unless_present = "clear")]
    pub text: Option<String>,
    /// When it ends: 17:30, 5pm, tomorrow 9:00...
    #[arg(
        long,
        value_name = "TIME",
        allow_hyphen_values = true,
        conflicts_with = "clear"
    )]
    pub until: Option<String>,
    /// Remove the status message.
    #[arg(long, conflicts_with = "text")]
    pub clear: bool,
}

/// `presently login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Sign in with a code entered on another device instead of the browser.
    #[arg(long)]
    pub device_code: bool,
    /// Do not open a browser: print the sign-in address to open yourself.
    #[arg(long, conflicts_with = "device_code")]
    pub no_browser: bool,
}

/// `presently set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The status: available, busy, dnd, brb, away or offline.
    #[arg(value_name = "STATUS")]
    pub status: String,
    /// How long: 30m, 1h30m, PT2H, 2 hours...
    #[arg(
        long = "for",
        value_name = "DURATION",
        allow_hyphen_values = true,
        group = "duration"
    )]
    pub for_: Option<String>,
    /// Until a local time: 17:30, 5pm, tomorrow 9:00...
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, group = "duration")]
    pub until: Option<String>,
    /// A preset: 30m, 1h, 2h, 4h, 8h, eod, forever, default.
    #[arg(long, value_name = "NAME", group = "duration")]
    pub preset: Option<String>,
    /// Also set this status message; it ends with the status when the clear-message-with-status setting is
    /// on (the default).
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
}

/// `presently config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective value of a setting and where it came from (all settings without a key).
    Get {
        /// tenant, client-id, cloud, login-url, graph-url, workday-end, on-quit, launch-at-login,
        /// notifications or hotkey-duration.
        key: Option<String>,
    },
    /// Change a setting in the user's settings file (checked first; a broken file is never overwritten).
    Set {
        /// The setting (see `config get`).
        key: String,
        /// Its new value.
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Remove a setting from the user's settings file, so the managed file or the default applies.
    Unset {
        /// The setting (see `config get`).
        key: String,
    },
    /// Print where the user's and the managed settings files are.
    Path,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_negative_length_reaches_the_command_instead_of_being_taken_for_a_flag() {
        let cli = Cli::try_parse_from(["presently", "set", "busy", "--for", "-5m"]).unwrap();
        let Command::Set(args) = cli.command else {
            panic!("not set")
        };
        assert_eq!(args.for_.as_deref(), Some("-5m"));
    }

    #[test]
    fn only_one_duration_may_be_given() {
        let err =
            Cli::try_parse_from(["presently", "set", "busy", "--for", "1h", "--preset", "eod"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn json_and_verbose_are_accepted_before_or_after_the_command() {
        let cli = Cli::try_parse_from(["presently", "-vv", "status", "--json"]).unwrap();
        assert!(cli.global.json);
        assert_eq!(cli.global.verbose, 2);
    }

    #[test]
    fn the_help_documents_every_exit_code() {
        let help = Cli::command().render_long_help().to_string();
        for code in [
            "0  ok",
            "1  ",
            "2  bad input",
            "3  sign-in",
            "4  permission",
            "5  throttled",
            "6  configuration",
        ] {
            assert!(help.contains(code), "{code} missing from --help");
        }
    }
}
