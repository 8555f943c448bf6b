//! Where output goes and how it looks.
//!
//! - Text mode: results on stdout, warnings, hints, prompts and errors on stderr.
//! - `--json`: exactly one JSON object on stdout (camelCase, the shapes in `docs/cli.md`); errors as
//!   `{"error": {"kind", "message", "action", "retryInSecs"}}`; anything meant for people (a device-code
//!   prompt, a sign-in address, warnings) still goes to stderr, and warnings are also in the object.
//!
//! No output path ever receives a token, a refresh token or an authorization code: the values printed are
//! accounts, statuses, times, paths and URLs without credentials.

use std::io::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use presently_auth::Account;
use presently_core::{Action, Problem};
use presently_graph::Presence;
use serde::Serialize;

/// How this run prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json` was given.
    pub json: bool,
}

impl Output {
    /// Prints a line of the human result on stdout (nothing in JSON mode).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            println!("{}", text.as_ref());
        }
    }

    /// Prints a line meant for the person at the terminal on stderr, in both modes (prompts, addresses).
    pub fn note(&self, text: impl AsRef<str>) {
        eprintln!("{}", text.as_ref());
    }

    /// Prints a warning on stderr, in both modes (JSON callers also put it in their object's `warnings`).
    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("warning: {}", text.as_ref());
    }

    /// Prints the command's JSON object on stdout (nothing in text mode).
    pub fn json_value<T: Serialize>(&self, value: &T) {
        if self.json {
            print_json(value);
        }
    }

    /// Prints a problem: `{"error": ...}` on stdout in JSON mode, else `error: ...` and a hint on stderr.
    pub fn problem(&self, problem: &Problem) {
        if self.json {
            print_json(&ErrorJson { error: problem });
            return;
        }
        eprintln!("error: {}", problem.message);
        if let Some(hint) = hint(problem) {
            eprintln!("{hint}");
        }
    }
}

/// The `--json` error object.
#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'a Problem,
}

fn print_json<T: Serialize>(value: &T) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        // Serializing our own plain data cannot fail; say so in JSON rather than print nothing.
        format!(r#"{{"error":{{"kind":"internal","message":"cannot write JSON: {e}","action":null,"retryInSecs":null}}}}"#)
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

/// What the person can do about a problem, as a line of text.
pub fn hint(problem: &Problem) -> Option<String> {
    let retry = problem
        .retry_in_secs
        .map(|s| format!(" in {s} s"))
        .unwrap_or_default();
    match problem.action.as_ref()? {
        Action::SignIn => Some("Run `presently login` to sign in.".to_owned()),
        Action::SignInWithBrowser => {
            Some("Run `presently login` and complete the sign-in in the browser.".to_owned())
        }
        Action::CopyAdminConsentLink { url } => Some(format!(
            "Ask an administrator of your organization to approve Presently: {url}"
        )),
        Action::Retry => Some(format!("Try again{retry}.")),
        Action::OpenSettings => Some(
            "Check the settings: `presently doctor` shows each value and where it comes from.".to_owned(),
        ),
        Action::UseOrganisationApp { consent_url } => Some(format!(
            "Use my organisation's app: ask IT for its application (client) id, then run `presently config set \
             client-id ID` and `presently login` (docs/own-app.md has the steps to register one).{}",
            consent_url
                .as_ref()
                .map(|url| format!(" Or ask an administrator to approve this app: {url}"))
                .unwrap_or_default()
        )),
    }
}

/// An account as the CLI shows it (never a token).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountJson {
    /// Display name.
    pub name: String,
    /// Sign-in name.
    pub username: String,
    /// Object id.
    pub oid: String,
    pub tenant_id: String,
}

impl From<&Account> for AccountJson {
    fn from(a: &Account) -> Self {
        Self {
            name: a.name.clone(),
            username: a.username.clone(),
            oid: a.oid.clone(),
            tenant_id: a.tid.clone(),
        }
    }
}

/// "Adele Vance <adele@contoso.com>".
pub fn account_label(a: &Account) -> String {
    match (a.name.is_empty(), a.username.is_empty()) {
        (false, false) => format!("{} <{}>", a.name, a.username),
        (true, false) => a.username.clone(),
        (false, true) => a.name.clone(),
        (true, true) => a.oid.clone(),
    }
}

/// What Graph reports, as the CLI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    /// Graph's `availability`, as sent (e.g. `DoNotDisturb`).
    pub availability: String,
    /// Graph's `activity`, as sent (e.g. `InAMeeting`).
    pub activity: String,
    /// The status message colleagues see under the name (contract §2), as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageJson>,
}

/// A status message as the CLI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageJson {
    /// The text.
    pub text: String,
    /// When it goes; `None`: until replaced or cleared.
    pub expires_at: Option<Timestamp>,
}

impl MessageJson {
    /// `“Back at 3” (until 15:00)` for people.
    pub fn words(&self, now: Timestamp) -> String {
        match self.expires_at {
            Some(at) => format!("“{}” (until {})", self.text, local_time(at, now)),
            None => format!("“{}” (until you clear it)", self.text),
        }
    }
}

impl From<&Presence> for Reading {
    fn from(p: &Presence) -> Self {
        Self {
            availability: p.availability.as_str().to_owned(),
            activity: p.activity.as_str().to_owned(),
            message: presently_core::writer::reported_message(p).map(|m| MessageJson {
                text: m.text,
                expires_at: m.expires_at,
            }),
        }
    }
}

impl std::fmt::Display for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.availability == self.activity {
            f.write_str(&self.availability)
        } else {
            write!(f, "{} ({})", self.availability, self.activity)
        }
    }
}

/// A time for people, in the local zone: `17:30` today, else `2025-04-01 17:30`.
pub fn local_time(at: Timestamp, now: Timestamp) -> String {
    let tz = TimeZone::system();
    let at = at.to_zoned_datetime(tz.clone());
    let now = now.to_zoned_datetime(tz);
    if at.date() == now.date() {
        format!("{:02}:{:02}", at.hour(), at.minute())
    } else {
        format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_core::ProblemKind;

    #[test]
    fn the_json_error_object_has_the_documented_fields() {
        let problem = Problem::new(ProblemKind::Throttled, "slow down")
            .with_action(Action::Retry)
            .retrying_in(std::time::Duration::from_secs(7));
        let json = serde_json::to_value(ErrorJson { error: &problem }).unwrap();
        assert_eq!(json["error"]["kind"], "throttled");
        assert_eq!(json["error"]["message"], "slow down");
        assert_eq!(json["error"]["action"]["type"], "retry");
        assert_eq!(json["error"]["retryInSecs"], 7);
    }

    #[test]
    fn every_action_has_a_hint_and_the_admin_link_is_in_it() {
        let url = "https://login.example/adminconsent?client_id=x".to_owned();
        let p = Problem::new(ProblemKind::ConsentRequired, "m")
            .with_action(Action::CopyAdminConsentLink { url: url.clone() });
        assert!(hint(&p).unwrap().contains(&url));
        for action in [
            Action::SignIn,
            Action::SignInWithBrowser,
            Action::Retry,
            Action::OpenSettings,
            Action::UseOrganisationApp { consent_url: None },
        ] {
            let p = Problem::new(ProblemKind::Internal, "m").with_action(action);
            assert!(hint(&p).is_some());
        }
        assert!(hint(&Problem::new(ProblemKind::Internal, "m")).is_none());
    }

    #[test]
    fn a_reading_shows_the_activity_only_when_it_adds_something() {
        let same = Reading {
            availability: "Busy".into(),
            activity: "Busy".into(),
            message: None,
        };
        let other = Reading {
            availability: "Busy".into(),
            activity: "InAMeeting".into(),
            message: None,
        };
        assert_eq!(same.to_string(), "Busy");
        assert_eq!(other.to_string(), "Busy (InAMeeting)");
    }
}
