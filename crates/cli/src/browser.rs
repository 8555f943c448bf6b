//! Opening the sign-in page: the command in `BROWSER` when it is set, else the system's default browser, or
//! nothing at all with `--no-browser`. Every way first prints the address on stderr, so a person can open it
//! by hand when no browser appears (a remote shell, a headless machine).
//!
//! `BROWSER` follows the common convention: one or more commands separated by `:`, each a program and its
//! arguments separated by spaces, with `%s` replaced by the address (or the address appended when there is
//! no `%s`). The first command that starts is used; it runs in the background with its output discarded
//! (a command such as `curl -fsSL` would otherwise print the sign-in result page into this terminal). This
//! is also how tests drive the browser sign-in against the emulator.

use std::process::{Command, Stdio};

use presently_auth::{BrowserOpener, SystemBrowser};
use url::Url;

/// How the sign-in page is opened.
#[derive(Debug, Clone)]
pub enum Browser {
    /// The commands in `BROWSER`.
    Command(Vec<Vec<String>>),
    /// The system's default browser.
    System,
    /// Only print the address (`--no-browser`).
    PrintOnly,
}

impl Browser {
    /// The browser for this run: `--no-browser`, else `BROWSER` when set and not blank, else the system's.
    pub fn choose(no_browser: bool, browser_var: Option<String>) -> Self {
        if no_browser {
            return Browser::PrintOnly;
        }
        match browser_var.as_deref().map(parse_browser_var) {
            Some(commands) if !commands.is_empty() => Browser::Command(commands),
            _ => Browser::System,
        }
    }
}

/// Splits a `BROWSER` value into commands (`:`) and their words (whitespace).
pub fn parse_browser_var(value: &str) -> Vec<Vec<String>> {
    value
        .split(':')
        .map(|command| command.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
        .collect()
}

/// The words of one command with the address put in.
fn with_url(words: &[String], url: &str) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| w.replace("%s", url)).collect();
    if !words.iter().any(|w| w.contains("%s")) {
        out.push(url.to_owned());
    }
    out
}

fn spawn(words: &[String]) -> Result<(), String> {
    let (program, args) = words.split_first().ok_or("empty command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // Reap it when it ends, without making the sign-in wait for it.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

const WAITING: &str = "Waiting for the sign-in to finish in the browser (Ctrl-C to cancel)...";

impl BrowserOpener for Browser {
    fn open(&self, url: &Url) -> Result<(), String> {
        let opened = self.open_quietly(url);
        if opened.is_ok() {
            eprintln!("{WAITING}");
        }
        opened
    }
}

impl Browser {
    fn open_quietly(&self, url: &Url) -> Result<(), String> {
        match self {
            Browser::PrintOnly => {
                eprintln!("Open this address in a browser to sign in:\n  {url}");
                Ok(())
            }
            Browser::System => {
                eprintln!("Opening your browser to sign in. If it does not open, go to:\n  {url}");
                SystemBrowser.open(url)
            }
            Browser::Command(commands) => {
                eprintln!("Opening your browser to sign in. If it does not open, go to:\n  {url}");
                let mut failures = Vec::new();
                for words in commands {
                    match spawn(&with_url(words, url.as_str())) {
                        Ok(()) => return Ok(()),
                        Err(e) => failures.push(e),
                    }
                }
                Err(format!("BROWSER: {}", failures.join("; ")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_commands_are_split_on_colons_and_spaces() {
        assert_eq!(
            parse_browser_var("curl -fsSL: firefox --new-tab"),
            vec![vec!["curl", "-fsSL"], vec!["firefox", "--new-tab"]]
        );
        assert!(parse_browser_var(" : ").is_empty());
    }

    #[test]
    fn the_address_replaces_percent_s_or_is_appended() {
        let words = vec!["open".to_owned(), "--url=%s".to_owned()];
        assert_eq!(with_url(&words, "http://x/"), vec!["open", "--url=http://x/"]);
        let words = vec!["curl".to_owned()];
        assert_eq!(with_url(&words, "http://x/"), vec!["curl", "http://x/"]);
    }

    #[test]
    fn no_browser_wins_and_a_blank_variable_means_the_system_browser() {
        assert!(matches!(
            Browser::choose(true, Some("curl".into())),
            Browser::PrintOnly
        ));
        assert!(matches!(
            Browser::choose(false, Some("  ".into())),
            Browser::System
        ));
        assert!(matches!(Browser::choose(false, None), Browser::System));
        assert!(matches!(
            Browser::choose(false, Some("curl -s".into())),
            Browser::Command(_)
        ));
    }

    #[test]
    fn a_command_that_does_not_exist_is_an_error_naming_it() {
        let browser = Browser::Command(vec![vec!["/nonexistent/presently-browser".to_owned()]]);
        let error = browser
            .open(&Url::parse("http://127.0.0.1:1/").unwrap())
            .unwrap_err();
        assert!(error.contains("presently-browser"), "{error}");
    }
}
