//! `presently whoami`: who is signed in, from the saved sign-in only (no network; `presently doctor` checks
//! the sign-in against Microsoft). Exits 3 when nobody is signed in or the account must sign in again, so
//! scripts can test it.

use jiff::Timestamp;
use presently_auth::AuthStatus;
use presently_core::Problem;
use serde::Serialize;

use super::TokenStoreJson;
use crate::args::Global;
use crate::context::Wired;
use crate::exit;
use crate::output::{AccountJson, Output, account_label, local_time};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WhoamiJson {
    signed_in: bool,
    sign_in_required: bool,
    account: Option<AccountJson>,
    access_token_expires_at: Option<Timestamp>,
    token_store: TokenStoreJson,
}

/// Runs `presently whoami`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let wired = Wired::new(global)?;
    let status = wired.load_tokens().await?;
    let now = wired.services.clock.now();
    let store = TokenStoreJson::of(&wired);
    let (json, code) = match &status {
        AuthStatus::SignedIn {
            account, expires_at, ..
        } => {
            out.line(format!(
                "Signed in as {} (tenant {}).",
                account_label(account),
                account.tid
            ));
            out.line(format!("Object id: {}", account.oid));
            out.line(format!(
                "Access token valid until {} (renewed automatically).",
                local_time(*expires_at, now)
            ));
            out.line(format!("Tokens kept in {}.", store.kind_text));
            (
                WhoamiJson {
                    signed_in: true,
                    sign_in_required: false,
                    account: Some(AccountJson::from(account)),
                    access_token_expires_at: Some(*expires_at),
                    token_store: store,
                },
                exit::OK,
            )
        }
        AuthStatus::SignInRequired { account } => {
            out.line(format!(
                "{} must sign in again: run `presently login`.",
                account_label(account)
            ));
            (
                WhoamiJson {
                    signed_in: false,
                    sign_in_required: true,
                    account: Some(AccountJson::from(account)),
                    access_token_expires_at: None,
                    token_store: store,
                },
                exit::SIGN_IN,
            )
        }
        AuthStatus::SignedOut => {
            out.line("Not signed in: run `presently login`.");
            (
                WhoamiJson {
                    signed_in: false,
                    sign_in_required: true,
                    account: None,
                    access_token_expires_at: None,
                    token_store: store,
                },
                exit::SIGN_IN,
            )
        }
    };
    out.json_value(&json);
    Ok(code)
}
