//! `presently`: set your Microsoft Teams presence from the command line, through Microsoft Graph.
//!
//! Map (behaviour → file):
//! - the grammar and `--help`: [`args`]; exit codes: [`exit`]; text and `--json` output: [`output`];
//! - settings, token store and clients: [`context`]; how the sign-in page is opened: [`browser`];
//! - how `set`, `clear` and `status` reach Graph (one-shot today, the keeper later): [`backend`], with the
//!   one-shot "last set" note in [`record`];
//! - one module per command: [`commands`].
//!
//! Usage errors (clap) exit 2 like any other bad input; with `--json` they are printed as the same
//! `{"error": ...}` object as every other problem.

mod args;
mod backend;
mod browser;
mod commands;
mod context;
mod exit;
mod keeper_backend;
mod output;
mod record;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;
use presently_core::{Problem, ProblemKind};
use tracing_subscriber::EnvFilter;

use crate::args::Cli;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    init_tracing(cli.global.verbose);
    presently_core::paths::move_earlier_windows_folders(&presently_core::paths::process_env);
    let out = Output {
        json: cli.global.json,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            let problem = Problem::new(ProblemKind::Internal, format!("cannot start: {e}"));
            out.problem(&problem);
            return exit::exit_code(exit::code_for(problem.kind));
        }
    };
    let code = match runtime.block_on(commands::run(&cli, out)) {
        Ok(code) => code,
        Err(problem) => {
            tracing::debug!(kind = ?problem.kind, "command failed");
            out.problem(&problem);
            exit::code_for(problem.kind)
        }
    };
    exit::exit_code(code)
}

/// Help and version exit 0; every other clap error is bad input (exit 2), as JSON when `--json` was given.
fn usage_error(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return exit::exit_code(exit::OK);
        }
        _ => {}
    }
    if std::env::args().any(|a| a == "--json") {
        let text = error.render().to_string();
        let message = text
            .lines()
            .map(str::trim)
            .take_while(|l| !l.starts_with("Usage:"))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let message = message.trim_start_matches("error: ").to_owned();
        Output { json: true }.problem(&Problem::new(ProblemKind::InvalidChoice, message));
    } else {
        let _ = error.print();
    }
    exit::exit_code(exit::BAD_INPUT)
}

/// Tracing to stderr: `-v` info, `-vv` debug, `-vvv` trace; `PRESENTLY_LOG` (an `EnvFilter`) wins. Errors only
/// by default, since every failure is also reported as a problem. The libraries never log secrets.
fn init_tracing(verbose: u8) {
    let filter = std::env::var("PRESENTLY_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| {
            EnvFilter::new(match verbose {
                0 => "error",
                1 => "info",
                2 => "debug",
                _ => "trace",
            })
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .try_init();
}
