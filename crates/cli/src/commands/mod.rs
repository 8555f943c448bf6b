//! One module per command. Each `run` prints its own result (text or its `--json` object) and returns the
//! exit code, or the [`Problem`] that stopped it, which `main` prints and maps to an exit code.

pub mod clear;
pub mod config;
pub mod consent_url;
pub mod doctor;
pub mod login;
pub mod logout;
pub mod message;
pub mod run;
pub mod set;
pub mod status;
pub mod whoami;

use presently_auth::StoreKind;
use presently_core::Problem;
use serde::Serialize;

use crate::args::{Cli, Command};
use crate::context::Wired;
use crate::output::Output;

/// Runs the parsed command line.
pub async fn run(cli: &Cli, out: Output) -> Result<u8, Problem> {
    let global = &cli.global;
    match &cli.command {
        Command::Login(args) => login::run(global, args, out).await,
        Command::Logout => logout::run(global, out).await,
        Command::Whoami => whoami::run(global, out).await,
        Command::Status => status::run(global, out).await,
        Command::Set(args) => set::run(global, args, out).await,
        Command::Clear => clear::run(global, out).await,
        Command::Message(args) => message::run(global, args, out).await,
        Command::Doctor => doctor::run(global, out).await,
        Command::Run => run::run(global, out).await,
        Command::Config(command) => config::run(global, command, out),
        Command::ConsentUrl => consent_url::run(global, out),
    }
}

/// The token store, as `login`, `whoami` and `doctor` show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStoreJson {
    /// `credentialStore`, `file` or `memory`.
    pub kind: StoreKind,
    /// Whether tokens never rest on disk unencrypted.
    pub secure: bool,
    /// Where, in words.
    pub location: String,
    /// Why this store was chosen.
    pub reason: String,
    /// The kind in words ("a plain file (not encrypted)").
    #[serde(skip)]
    pub kind_text: String,
}

impl TokenStoreJson {
    /// The store in use.
    pub fn of(wired: &Wired) -> Self {
        let kind = wired.store_kind();
        Self {
            kind,
            secure: kind.is_secure(),
            location: wired.store.location(),
            reason: wired.store_sentences(),
            kind_text: kind.to_string(),
        }
    }
}
