//! `presently logout`: forgets the saved sign-in (and the last-set record) on this computer. Nothing is sent
//! to Microsoft: a pin Presently set stays until it ends, and its session until it lapses.

use presently_core::Problem;
use serde::Serialize;

use crate::args::Global;
use crate::context::{Wired, auth_problem};
use crate::output::{AccountJson, Output, account_label};
use crate::record;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoutJson {
    signed_out: bool,
    account: Option<AccountJson>,
    warnings: Vec<String>,
}

/// Runs `presently logout`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let wired = Wired::new(global)?;
    let tokens = &wired.services.tokens;
    // A damaged store is still forgotten: that is what logging out means.
    let _ = tokens.load().await;
    let account = tokens.account().await;
    tokens.sign_out().await.map_err(|e| auth_problem(&e))?;
    let mut warnings = Vec::new();
    if let Err(e) = record::remove(&wired.data_dir) {
        out.warn(&e);
        warnings.push(e);
    }
    match &account {
        Some(a) => out.line(format!(
            "Signed out {}. Your status in Teams is unchanged: a status Presently set stays until it ends.",
            account_label(a)
        )),
        None => out.line("Nobody was signed in."),
    }
    if let Some(note) = crate::keeper_backend::tell_running_keeper(&wired.data_dir).await {
        out.note(&note);
    }
    out.json_value(&LogoutJson {
        signed_out: true,
        account: account.as_ref().map(AccountJson::from),
        warnings,
    });
    Ok(crate::exit::OK)
}
