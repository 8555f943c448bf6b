//! `presently login`: browser sign-in (authorization code + PKCE on a 127.0.0.1 redirect) or, with
//! `--device-code`, a code to enter on another device (contract §5). Ctrl-C cancels either cleanly.
//!
//! A damaged saved sign-in does not stop a new one: it is reported and replaced. When the saved account must
//! sign in again, its user name is passed as `login_hint` so the right account is preselected.

use presently_auth::{AuthStatus, BrowserSignIn, CancellationToken, DeviceCodePrompt};
use presently_core::{Problem, config::Settings};
use serde::Serialize;

use crate::args::{Global, LoginArgs};
use crate::browser::Browser;
use crate::context::{Wired, auth_problem};
use crate::output::{AccountJson, Output, account_label};

use super::TokenStoreJson;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginJson {
    account: AccountJson,
    method: &'static str,
    token_store: TokenStoreJson,
    warnings: Vec<String>,
}

/// Runs `presently login`.
pub async fn run(global: &Global, args: &LoginArgs, out: Output) -> Result<u8, Problem> {
    let wired = Wired::new(global)?;
    let mut warnings = Vec::new();
    let hint = match wired.services.tokens.load().await {
        Ok(AuthStatus::SignInRequired { account }) => Some(account.username),
        Ok(_) => None,
        Err(e) => {
            let text = format!("{} A new sign-in replaces it.", auth_problem(&e).message);
            out.warn(&text);
            warnings.push(text);
            None
        }
    };
    announce_target(&wired.settings, out);

    let cancel = CancellationToken::new();
    let on_ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let tokens = &wired.services.tokens;
    let result = if args.device_code {
        tokens
            .sign_in_with_device_code(
                |prompt: DeviceCodePrompt| show_device_prompt(&prompt, out),
                &cancel,
            )
            .await
    } else {
        let browser = Browser::choose(args.no_browser, std::env::var("BROWSER").ok());
        let options = BrowserSignIn {
            login_hint: hint,
            ..BrowserSignIn::default()
        };
        tokens.sign_in_with_browser(&browser, &options, &cancel).await
    };
    on_ctrl_c.abort();
    let account = result.map_err(|e| auth_problem(&e))?;

    let store = TokenStoreJson::of(&wired);
    if !store.secure {
        let text = format!("tokens are saved unencrypted: {}", wired.store_sentences());
        warnings.push(text);
    } else if !store.kind.is_persistent() {
        warnings.push(format!("the sign-in was not saved: {}", wired.store_sentences()));
    }
    out.line(format!(
        "Signed in as {} (tenant {}); tokens kept in {}: {}",
        account_label(&account),
        account.tid,
        store.kind_text,
        wired.store_sentences()
    ));
    if let Some(note) = crate::keeper_backend::tell_running_keeper(&wired.data_dir).await {
        out.note(&note);
    }
    out.json_value(&LoginJson {
        account: AccountJson::from(&account),
        method: if args.device_code { "deviceCode" } else { "browser" },
        token_store: store,
        warnings,
    });
    Ok(crate::exit::OK)
}

/// Says which tenant and app the sign-in is for, so a wrong setting is visible before the browser opens.
fn announce_target(settings: &Settings, out: Output) {
    out.note(format!(
        "Signing in to tenant {} with app {} ({}).",
        settings.tenant.value,
        settings.client_id.value,
        settings.cloud.value.display_name()
    ));
}

fn show_device_prompt(prompt: &DeviceCodePrompt, out: Output) {
    out.note(&prompt.message);
    out.note(format!(
        "Code: {}  (at {}; Ctrl-C to cancel)",
        prompt.user_code, prompt.verification_uri
    ));
}
