//! Golden JSON of every payload that crosses between the core and the popup UI (architecture convention 13).
//!
//! Each payload is built here from the real Rust types and serialised with `serde_json::to_string_pretty`; the
//! result must equal the file of the same name in `ui/src/fixtures/`. The UI's tests load those files, so a Rust
//! change that alters a payload fails this test until the fixtures are regenerated, and then fails the UI's tests
//! until the views agree. The popup's TypeScript types are generated here too, from the same Rust types (ts-rs),
//! into `ui/src/generated/payloads.ts`: a change to a type fails [`the_checked_in_typescript_types_are_what_the_rust_types_generate`]
//! until that file is regenerated, `tsc` then checks the popup against it and vitest (`payloads.test.ts`) compiles
//! every fixture as a value of its generated type. Regenerate both with
//! `PRESENTLY_UPDATE_GOLDEN=1 cargo test -p presently-core --test ui_payloads`; CI never sets that variable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers build fixed test values: a failure must fail the test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::time;
use presently_auth::{Cloud, DEFAULT_CLIENT_ID, DEFAULT_TENANT, StoreKind, StorePlace, StorePreference};
use presently_core::app::{AppEvent, DeviceCodeView};
use presently_core::config::edit::{self, FieldError, SettingsPatch, SettingsRejected};
use presently_core::config::hotkeys::{
    Binding, HotkeyAction, HotkeyReport, HotkeySupport, Hotkeys, HotkeysFile, taken_by_another_application,
};
use presently_core::config::settings::Settings;
use presently_core::config::{OnQuit, Source, Sourced};
use presently_core::hour_cycle::HourCycle;
use presently_core::keeper::plan::{self, Verdict};
use presently_core::keeper::{
    AccountView, Agreement, KeeperActivity, KeeperEvent, NextAction, Planned, Reported, Snapshot,
    TokenStoreView,
};
use presently_core::net::NoProxy;
use presently_core::wording::KnownFolders;
use presently_core::{Action, Problem, ProblemKind};
use presently_model::{
    Activity, Availability, DurationChoice, Intent, Origin, PreferredPresence, Preset, StatusMessage, Until,
    WorkDays,
};
use serde::Serialize;

/// "Now" in every fixture: the UI tests set their fake clock here.
const NOW: &str = "2025-06-02T13:13:20Z";

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/fixtures")
}

fn ada() -> AccountView {
    AccountView::SignedIn {
        name: "Ada Lovelace".into(),
        username: "ada@contoso.com".into(),
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
    }
}

/// Ada's home folder in the fixtures: paths under it are shown with `~`.
const HOME: &str = "/home/ada";

fn folders() -> KnownFolders {
    KnownFolders {
        home: Some(HOME.into()),
        ..KnownFolders::default()
    }
}

fn data_dir() -> PathBuf {
    Path::new(HOME).join(".local/share/presently")
}

/// The usual store: an encrypted file, its key in the Secret Service.
fn keyring() -> TokenStoreView {
    let place = StorePlace {
        kind: StoreKind::CredentialStore,
        file: Some(data_dir().join(presently_auth::store::ENVELOPE_FILE)),
        key_kept_in: Some("the Secret Service (GNOME Keyring or KWallet)"),
        note: None,
    };
    TokenStoreView::of(&place, &folders())
}

/// Every token store as the popup can see it, with the auth crate's own notes: the encrypted file, the plain file
/// the settings asked for, memory while the credential store does not answer, and a store that cannot save.
fn token_stores() -> Vec<TokenStoreView> {
    let chosen = |answer: Result<presently_auth::KeyringStore, String>, preference| {
        presently_auth::store::choose_between(answer, preference, &data_dir(), "presently-golden").place
    };
    let file = chosen(Err(String::new()), StorePreference::File);
    let waiting = chosen(
        Err("the default collection is locked".into()),
        StorePreference::CredentialStore,
    );
    let mut failing = StorePlace {
        kind: StoreKind::CredentialStore,
        file: Some(data_dir().join(presently_auth::store::ENVELOPE_FILE)),
        key_kept_in: Some("the Secret Service (GNOME Keyring or KWallet)"),
        note: None,
    };
    failing.add_note(
        "The sign-in could not be saved (the system credential store failed to write the key: locked); Presently \
         keeps working and keeps trying, but if it quits now you will have to sign in again.",
    );
    vec![
        keyring(),
        TokenStoreView::of(&file, &folders()),
        TokenStoreView::of(&waiting, &folders()),
        TokenStoreView::of(&failing, &folders()),
    ]
}

fn reported(status: PreferredPresence, at: &str) -> Reported {
    let pair = status.preferred_pair();
    Reported {
        availability: pair.availability,
        activity: pair.activity,
        as_status: Some(status),
        at: ts(at),
    }
}

/// Busy for one hour, chosen at 13:05:30: 52:10 left at [`NOW`].
fn busy_for_an_hour() -> Intent {
    Intent::new(
        PreferredPresence::Busy,
        Until::at(ts("2025-06-02T14:05:30Z")),
        ts("2025-06-02T13:05:30Z"),
        Origin::Popup,
    )
}

fn snapshots() -> Vec<(&'static str, Snapshot)> {
    let starting = Snapshot {
        revision: 0,
        intent: None,
        ends_at: None,
        message: None,
        account: AccountView::Unknown,
        reported: None,
        agreement: Agreement::Unknown,
        activity: KeeperActivity::Starting,
        next: None,
        problem: None,
        problem_since: None,
        token_store: keyring(),
        hour_cycle: HourCycle::H23,
    };
    let signed_out = Snapshot {
        revision: 1,
        account: AccountView::SignedOut,
        activity: KeeperActivity::Blocked,
        ..starting.clone()
    };
    let busy = Snapshot {
        revision: 7,
        intent: Some(busy_for_an_hour()),
        ends_at: None,
        message: None,
        account: ada(),
        reported: Some(reported(PreferredPresence::Busy, "2025-06-02T13:11:20Z")),
        agreement: Agreement::Matches,
        activity: KeeperActivity::Idle,
        next: Some(Planned {
            action: NextAction::RenewSession,
            at: ts("2025-06-02T14:05:00Z"),
        }),
        problem: None,
        problem_since: None,
        token_store: keyring(),
        hour_cycle: HourCycle::H23,
    };
    let automatic = Snapshot {
        revision: 3,
        intent: None,
        reported: Some(Reported {
            availability: Availability::Available,
            activity: Activity::Available,
            as_status: Some(PreferredPresence::Available),
            at: ts("2025-06-02T13:12:50Z"),
        }),
        next: Some(Planned {
            action: NextAction::RefreshToken,
            at: ts("2025-06-02T14:02:00Z"),
        }),
        ..busy.clone()
    };
    let syncing = Snapshot {
        revision: 8,
        intent: Some(Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::UntilChanged,
            ts("2025-06-02T13:13:19Z"),
            Origin::Hotkey,
        )),
        agreement: Agreement::Unknown,
        activity: KeeperActivity::Syncing,
        // Chosen a second ago: the write is the next step, due now.
        next: Some(Planned {
            action: NextAction::Apply,
            at: ts(NOW),
        }),
        ..busy.clone()
    };
    let retrying = Snapshot {
        revision: 9,
        intent: Some(Intent::new(
            PreferredPresence::AppearAway,
            Until::at(ts("2025-06-02T17:30:00Z")),
            ts("2025-06-02T12:00:00Z"),
            Origin::TrayMenu,
        )),
        reported: Some(reported(PreferredPresence::AppearAway, "2025-06-02T12:58:00Z")),
        agreement: Agreement::Unknown,
        activity: KeeperActivity::Retrying,
        next: Some(Planned {
            action: NextAction::Retry,
            at: ts("2025-06-02T13:13:50Z"),
        }),
        problem: Some(
            Problem::new(
                ProblemKind::Offline,
                "Microsoft Graph cannot be reached: check your connection.",
            )
            .with_action(Action::Retry)
            .retrying_in(std::time::Duration::from_secs(30)),
        ),
        // Offline since 13:00: the reading of 12:58 is from before the problem.
        problem_since: Some(ts("2025-06-02T13:00:00Z")),
        token_store: token_stores().remove(1),
        ..busy.clone()
    };
    // The keeper's own words for a disagreement (contract §7: read back and say what Graph now reports).
    let wanted = Intent::new(
        PreferredPresence::Available,
        Until::GraphDefault,
        ts("2025-06-02T13:10:00Z"),
        Origin::Cli,
    );
    let meeting = presently_model::PresencePair::new(Availability::Busy, Activity::InAMeeting);
    let Verdict::Differs(reason) = plan::judge(&wanted, &meeting, false) else {
        panic!("the keeper should call this a disagreement")
    };
    let differs = Snapshot {
        revision: 12,
        intent: Some(wanted),
        reported: Some(Reported {
            availability: meeting.availability.clone(),
            activity: meeting.activity.clone(),
            as_status: None,
            at: ts("2025-06-02T13:11:00Z"),
        }),
        agreement: Agreement::Differs { reason },
        activity: KeeperActivity::Idle,
        next: Some(Planned {
            action: NextAction::ReadBack,
            at: ts("2025-06-02T13:16:00Z"),
        }),
        ..busy.clone()
    };
    let sign_in_required = Snapshot {
        revision: 15,
        intent: Some(Intent::new(
            PreferredPresence::BeRightBack,
            Until::at(ts("2025-06-02T13:45:00Z")),
            ts("2025-06-02T12:45:00Z"),
            Origin::Teams,
        )),
        account: AccountView::SignInRequired {
            name: "Ada Lovelace".into(),
            username: "ada@contoso.com".into(),
        },
        reported: Some(reported(PreferredPresence::BeRightBack, "2025-06-02T12:40:00Z")),
        agreement: Agreement::Unknown,
        activity: KeeperActivity::Blocked,
        next: None,
        problem: Some(
            Problem::new(
                ProblemKind::SignInRequired,
                "Your sign-in has expired or was revoked: sign in again to keep your status.",
            )
            .with_action(Action::SignIn),
        ),
        problem_since: Some(ts("2025-06-02T12:50:00Z")),
        ..busy.clone()
    };
    let consent = Snapshot {
        revision: 16,
        intent: None,
        reported: None,
        activity: KeeperActivity::Blocked,
        next: None,
        problem: Some(problems().remove(2)),
        ..busy.clone()
    };
    // The popup opened on a reading 40 minutes old: it is shown, marked as being checked, until the read returns.
    let checking = Snapshot {
        revision: 17,
        reported: Some(reported(PreferredPresence::Busy, "2025-06-02T12:33:00Z")),
        activity: KeeperActivity::Checking,
        next: Some(Planned {
            action: NextAction::ReadBack,
            at: ts(NOW),
        }),
        ..busy.clone()
    };
    // A user whose locale reads a 12-hour clock ("2:05 PM"): the popup writes times as the tray does.
    let twelve_hour = Snapshot {
        hour_cycle: HourCycle::H12,
        ..busy.clone()
    };
    // Busy for an hour with a message that ends with it ("clear the message when the status ends").
    let with_message = Snapshot {
        message: Some(StatusMessage {
            text: "Back at 3, on a train".into(),
            expires_at: busy.intent.and_then(|i| i.ends_at()),
            with_status: true,
            set_at: busy_for_an_hour().set_at,
            origin: Origin::Popup,
        }),
        ..busy.clone()
    };
    let mut all = vec![
        ("snapshot-starting", starting),
        ("snapshot-checking", checking),
        ("snapshot-signed-out", signed_out),
        ("snapshot-automatic", automatic),
        ("snapshot-busy", busy),
        ("snapshot-busy-twelve-hour", twelve_hour),
        ("snapshot-busy-with-message", with_message),
        ("snapshot-syncing", syncing),
        ("snapshot-retrying", retrying),
        ("snapshot-differs", differs),
        ("snapshot-sign-in-required", sign_in_required),
        ("snapshot-consent", consent),
    ];
    // The keeper resolves the end of every intent it publishes (`Task::publish`); so do the fixtures.
    for (_, snapshot) in &mut all {
        snapshot.ends_at = snapshot.intent.and_then(|i| i.ends_at());
    }
    all
}

/// One problem of each kind, and each action at least once.
fn problems() -> Vec<Problem> {
    vec![
        Problem::new(
            ProblemKind::SignInRequired,
            "Your sign-in has expired or was revoked: sign in again.",
        )
        .with_action(Action::SignIn),
        Problem::new(
            ProblemKind::SignInRequired,
            "Your organisation requires multi-factor authentication: sign in with the browser.",
        )
        .with_action(Action::SignInWithBrowser),
        Problem::new(
            ProblemKind::ConsentRequired,
            "An administrator of your organisation must approve Presently first: send them the approval link.",
        )
        .with_action(Action::CopyAdminConsentLink {
            url: format!("https://login.microsoftonline.com/contoso.com/adminconsent?client_id={DEFAULT_CLIENT_ID}"),
        }),
        Problem::new(
            ProblemKind::Configuration,
            "Your organization does not allow the app 14d82eec-204b-4c2f-b7e8-296a70dab67e to sign you in here. \
             Use your organization's own app.",
        )
        .with_action(Action::UseOrganisationApp { consent_url: None }),
        Problem::new(
            ProblemKind::Throttled,
            "Microsoft asked Presently to slow down: retrying in 45 seconds.",
        )
        .with_action(Action::Retry)
        .retrying_in(std::time::Duration::from_secs(45)),
        Problem::new(
            ProblemKind::Offline,
            "Microsoft Graph cannot be reached: check your connection.",
        )
        .with_action(Action::Retry),
        Problem::new(
            ProblemKind::InvalidChoice,
            "\"a while\" is not a duration: try 90m, 1h30m, PT2H, until 17:30, until tomorrow 9:00, eod or forever",
        ),
        Problem::new(
            ProblemKind::Configuration,
            "The app registration does not allow this sign-in: check the client id in the settings.",
        )
        .with_action(Action::OpenSettings),
        Problem::new(ProblemKind::Internal, "Presently stopped unexpectedly: restart Presently."),
    ]
}

fn keeper_events() -> Vec<KeeperEvent> {
    vec![
        KeeperEvent::IntentEnded {
            status: PreferredPresence::Busy,
        },
        KeeperEvent::AdoptedExternalChange {
            status: Some(PreferredPresence::DoNotDisturb),
        },
        KeeperEvent::AdoptedExternalChange { status: None },
        KeeperEvent::SignInNeeded,
        KeeperEvent::Disagreement {
            reason: "Graph reports Busy instead of Available: another app or Teams has set a status.".into(),
        },
    ]
}

fn intents() -> Vec<Intent> {
    let set_at = ts("2025-06-02T13:00:00Z");
    vec![
        Intent::new(
            PreferredPresence::Available,
            Until::at(ts("2025-06-02T13:30:00Z")),
            set_at,
            Origin::Popup,
        ),
        Intent::new(
            PreferredPresence::Busy,
            Until::UntilChanged,
            set_at,
            Origin::TrayMenu,
        ),
        Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::GraphDefault,
            set_at,
            Origin::Hotkey,
        ),
        Intent::new(
            PreferredPresence::BeRightBack,
            Until::at(ts("2025-06-02T17:30:00Z")),
            set_at,
            Origin::Cli,
        ),
        Intent::new(
            PreferredPresence::AppearAway,
            Until::UntilChanged,
            set_at,
            Origin::Teams,
        ),
        Intent::new(
            PreferredPresence::AppearOffline,
            Until::at(ts("2025-06-03T07:00:00Z")),
            set_at,
            Origin::Popup,
        ),
    ]
}

fn sourced<T>(value: T, source: Source) -> Sourced<T> {
    Sourced { value, source }
}

fn settings(locked: bool) -> Settings {
    let user = PathBuf::from("/home/ada/.config/presently/settings.toml");
    let managed = PathBuf::from("/etc/presently/settings.toml");
    let (tenant, client_id) = if locked {
        (
            sourced(
                "contoso.com".to_owned(),
                Source::Environment("PRESENTLY_TENANT".into()),
            ),
            sourced(
                "11111111-2222-3333-4444-555555555555".to_owned(),
                Source::Flag("--client-id".into()),
            ),
        )
    } else {
        (
            sourced(DEFAULT_TENANT.to_owned(), Source::Default),
            sourced(DEFAULT_CLIENT_ID.to_owned(), Source::Default),
        )
    };
    Settings {
        cloud: sourced(
            Cloud::Global,
            if locked {
                Source::Managed(managed.clone())
            } else {
                Source::Default
            },
        ),
        tenant,
        client_id,
        login_url: sourced(None, Source::Default),
        graph_url: sourced(None, Source::Default),
        workday_end: sourced(time(18, 0, 0, 0), Source::User(user.clone())),
        work_days: sourced(WorkDays::MONDAY_TO_FRIDAY, Source::Default),
        on_quit: sourced(OnQuit::Keep, Source::Default),
        launch_at_login: sourced(true, Source::User(user.clone())),
        notifications: sourced(true, Source::Default),
        tray_time_left: sourced(true, Source::Default),
        clear_message_with_status: sourced(true, Source::Default),
        hotkey_duration: sourced(DurationChoice::Preset(Preset::Hour1), Source::Default),
        // The user cleared Appear offline's shortcut and moved Open Presently to Ctrl+Alt+Shift+O.
        hotkeys: Hotkeys::layered([(
            Source::User(user.clone()),
            &HotkeysFile::from_iter([
                (
                    HotkeyAction::Status(PreferredPresence::AppearOffline),
                    Binding(None),
                ),
                (HotkeyAction::Open, "Ctrl+Alt+Shift+O".parse().unwrap()),
            ]),
        )]),
        proxy: sourced(
            "http://proxy.example:3128".parse().unwrap(),
            Source::Managed(managed.clone()),
        ),
        no_proxy: sourced(NoProxy::default(), Source::Default),
        token_store: sourced(StorePreference::CredentialStore, Source::Default),
        user_file: user,
        managed_file: managed,
    }
}

/// A patch with every field, as the settings form sends it when everything changed.
fn full_patch() -> SettingsPatch {
    SettingsPatch {
        tenant: Some("contoso.onmicrosoft.com".into()),
        client_id: Some("11111111-2222-3333-4444-555555555555".into()),
        cloud: Some("gcc-high".into()),
        workday_end: Some("17:30".into()),
        work_days: Some("sun-thu".into()),
        on_quit: Some("clear".into()),
        launch_at_login: Some(true),
        notifications: Some(false),
        tray_time_left: Some(false),
        clear_message_with_status: Some(false),
        hotkey_duration: Some("90m".into()),
        proxy: Some("http://proxy.corp.example:8080".into()),
        no_proxy: Some("localhost, 10.0.0.0/8".into()),
        hotkeys: keyed([
            ("available", "Ctrl+Alt+1"),
            ("busy", "Ctrl+Alt+2"),
            ("dnd", "Ctrl+Alt+3"),
            ("brb", "Ctrl+Alt+4"),
            ("away", "Ctrl+Alt+5"),
            ("offline", "Ctrl+Alt+6"),
            ("automatic", "Ctrl+Alt+0"),
            // Blank: no shortcut for Open Presently.
            ("open", ""),
        ]),
    }
}

/// What the tray app reports on an X11 desktop where another application holds Do not disturb's shortcut.
fn active_report() -> HotkeyReport {
    let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
    HotkeyReport {
        support: HotkeySupport::Active,
        errors: [(
            dnd,
            taken_by_another_application(&"Ctrl+Alt+Shift+3".parse().unwrap()),
        )]
        .into(),
        cli: "/usr/bin/presently".into(),
        open: "/usr/bin/presently-app".into(),
    }
}

/// What the tray app reports in a Wayland session.
fn wayland_report() -> HotkeyReport {
    HotkeyReport {
        support: HotkeySupport::Wayland,
        cli: "/usr/bin/presently".into(),
        open: "/usr/bin/presently-app".into(),
        ..HotkeyReport::default()
    }
}

/// A patch the form might send with typos in it; the messages are the real validator's.
fn bad_patch() -> SettingsPatch {
    SettingsPatch {
        tenant: Some("contoso com".into()),
        client_id: Some("my-app".into()),
        workday_end: Some("25:00".into()),
        hotkey_duration: Some("a while".into()),
        proxy: Some("socks5://proxy.example:1080".into()),
        no_proxy: Some("bad host!".into()),
        hotkeys: keyed([("busy", "B"), ("away", "Ctrl+Alt+Banana")]),
        ..SettingsPatch::default()
    }
}

/// A patch's `hotkeys` map from `[hotkeys]` keys.
fn keyed<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<HotkeyAction, String> {
    pairs
        .into_iter()
        .map(|(key, text)| (HotkeyAction::from_key(key).unwrap(), text.to_owned()))
        .collect()
}

/// Where the generated TypeScript types of the payloads are checked in.
const GENERATED: &str = "../../ui/src/generated/payloads.ts";

/// The TypeScript declaration of every payload type the popup receives or sends, generated by ts-rs from the
/// Rust types (their serde attributes read), in one file. Every type a listed one refers to must be listed too.
fn generated_typescript() -> String {
    use presently_core::app::{AppEvent, DeviceCodeView, SignInMethod};
    use presently_core::config::edit::{FieldView, SettingsView};
    use presently_core::config::hotkeys::{HotkeyRowView, HotkeySupport, HotkeysView};
    use presently_core::keeper::{
        AccountView, Agreement, KeeperActivity, KeeperEvent, NextAction, Planned, Reported, Snapshot,
        TokenStoreView,
    };
    use presently_core::problem::{Action, Problem, ProblemKind};
    use presently_model::{Intent, Origin, Until};
    use ts_rs::TS;

    // Counts and seconds are far below 2^53: plain numbers in JavaScript.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut names = Vec::new();
    let mut wanted = Vec::new();
    let mut out = String::from(
        "// Generated from the Rust types by crates/core/tests/ui_payloads.rs (ts-rs): do not edit by hand.\n\
         // Regenerate with `PRESENTLY_UPDATE_GOLDEN=1 cargo test -p presently-core --test ui_payloads`.\n",
    );
    macro_rules! declare {
        ($($t:ty),* $(,)?) => {$(
            names.push(<$t>::ident(&cfg));
            wanted.extend(<$t>::dependencies(&cfg).into_iter().map(|d| d.ts_name));
            out.push('\n');
            out.push_str(&<$t>::docs().unwrap_or_default());
            out.push_str("export ");
            out.push_str(&<$t>::decl(&cfg));
            out.push('\n');
        )*};
    }
    declare!(
        PreferredPresence,
        Origin,
        Until,
        Intent,
        StatusMessage,
        AccountView,
        Reported,
        Agreement,
        KeeperActivity,
        NextAction,
        Planned,
        StoreKind,
        TokenStoreView,
        ProblemKind,
        Action,
        Problem,
        HourCycle,
        Snapshot,
        KeeperEvent,
        Source,
        FieldView<String>,
        HotkeyAction,
        HotkeySupport,
        HotkeyRowView,
        HotkeysView,
        SettingsView,
        SettingsPatch,
        FieldError,
        SettingsRejected,
        DeviceCodeView,
        SignInMethod,
        AppEvent,
    );
    for name in wanted {
        let ident = name.split('<').next().unwrap_or(&name).to_owned();
        assert!(
            names.contains(&ident),
            "{ident} is used by a listed type: list it too"
        );
    }
    out
}

fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    text
}

/// Every golden file: name (without `.json`) and contents.
fn golden() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = snapshots()
        .into_iter()
        .map(|(name, snapshot)| (name.to_owned(), pretty(&snapshot)))
        .collect();
    files.push(("problems".into(), pretty(&problems())));
    files.push(("token-stores".into(), pretty(&token_stores())));
    files.push(("keeper-events".into(), pretty(&keeper_events())));
    files.push(("intents".into(), pretty(&intents())));
    files.push((
        "settings-view".into(),
        pretty(&edit::view_in(&settings(false), &active_report(), &folders())),
    ));
    files.push((
        "settings-view-locked".into(),
        pretty(&edit::view_in(
            &settings(true),
            &HotkeyReport::default(),
            &folders(),
        )),
    ));
    files.push((
        "settings-view-wayland".into(),
        pretty(&edit::view_in(&settings(false), &wayland_report(), &folders())),
    ));
    files.push(("settings-patch".into(), pretty(&full_patch())));
    let field_errors = edit::validate(&bad_patch()).expect_err("the bad patch must be refused");
    files.push((
        "settings-rejected".into(),
        pretty(&SettingsRejected::Fields { field_errors }),
    ));
    files.push((
        "settings-rejected-problem".into(),
        pretty(&SettingsRejected::Problem(Problem::new(
            ProblemKind::Configuration,
            "~/.config/presently/settings.toml has an error to fix first (line 2, key `tenant`: invalid \
             string); nothing was saved and the file was left as it is",
        ))),
    ));
    files.push((
        "device-code".into(),
        pretty(&DeviceCodeView {
            message:
                "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter \
                      the code H7QK-2MPL to authenticate."
                    .into(),
            user_code: "H7QK-2MPL".into(),
            verification_uri: "https://microsoft.com/devicelogin".into(),
            expires_at: ts("2025-06-02T13:28:20Z"),
        }),
    ));
    // The `signin:finished` event carries the `data` of this app event.
    for (name, event) in [
        (
            "sign-in-finished-ok",
            AppEvent::SignInFinished {
                ok: true,
                problem: None,
            },
        ),
        (
            "sign-in-finished-failed",
            AppEvent::SignInFinished {
                ok: false,
                problem: Some(problems().remove(1)),
            },
        ),
    ] {
        let value = serde_json::to_value(&event).unwrap();
        files.push((name.into(), pretty(&value["data"])));
    }
    files
}

#[test]
#[cfg_attr(
    windows,
    ignore = "the golden files are written on Linux and hold its paths (the fixtures' home is /home/ada); \
              Windows would join them with backslashes. The payloads' shapes are checked on Linux"
)]
fn every_ui_payload_matches_its_golden_file() {
    let dir = fixtures_dir();
    let files = golden();
    if std::env::var("PRESENTLY_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &files {
            std::fs::write(dir.join(format!("{name}.json")), text).unwrap();
        }
        return;
    }
    let mut drift = Vec::new();
    for (name, text) in &files {
        let path = dir.join(format!("{name}.json"));
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if on_disk == *text => {}
            Ok(_) => drift.push(format!("{name}.json differs from what Rust now produces")),
            Err(e) => drift.push(format!("{name}.json cannot be read: {e}")),
        }
    }
    // A fixture nothing produces any more would keep testing the UI against a payload that no longer exists.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".json")
            && !files.iter().any(|(n, _)| n == stem)
        {
            drift.push(format!("{name} is not produced by this test any more"));
        }
    }
    assert!(
        drift.is_empty(),
        "UI payloads drifted from ui/src/fixtures:\n  {}\nIf the change is intended, run \
         `PRESENTLY_UPDATE_GOLDEN=1 cargo test -p presently-core --test ui_payloads` and update \
         the UI until `npm run ui:check` and `npm run ui:test` pass.",
        drift.join("\n  ")
    );
}

#[test]
fn the_fixture_clock_is_the_one_the_ui_tests_use() {
    // ui/src/test/fixtures.ts pins its fake clock to this instant; the countdown fixtures are built around it.
    let text = std::fs::read_to_string(fixtures_dir().join("../test/fixtures.ts")).unwrap();
    assert!(
        text.contains(&format!("\"{NOW}\"")),
        "ui/src/test/fixtures.ts must use NOW = {NOW}"
    );
    let busy = busy_for_an_hour();
    assert_eq!(
        busy.remaining(ts(NOW)),
        Some(jiff::SignedDuration::from_secs(52 * 60 + 10))
    );
}

#[test]
fn the_settings_patch_the_ui_sends_reads_back_into_the_rust_type_and_validates() {
    let text = std::fs::read_to_string(fixtures_dir().join("settings-patch.json")).unwrap();
    let patch: SettingsPatch = serde_json::from_str(&text).unwrap();
    assert_eq!(patch, full_patch());
    assert!(edit::validate(&patch).is_ok());
}

/// The checked-in TypeScript types are what the Rust types generate: a change to a payload type fails here until
/// the file is regenerated (and then `tsc` checks the popup against it, and vitest the fixtures).
#[test]
#[cfg_attr(
    windows,
    ignore = "the generated file is the same on every platform; Linux checks it (the file's path is a Linux one)"
)]
fn the_checked_in_typescript_types_are_what_the_rust_types_generate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
    let want = generated_typescript();
    if std::env::var_os("PRESENTLY_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} differs from what the Rust types generate: run \
         `PRESENTLY_UPDATE_GOLDEN=1 cargo test -p presently-core --test ui_payloads`",
        path.display()
    );
}

#[test]
fn a_rejection_fixture_lists_every_bad_field_with_the_validators_words() {
    let errors: Vec<FieldError> = edit::validate(&bad_patch()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "tenant",
            "clientId",
            "workdayEnd",
            "hotkeyDuration",
            "proxy",
            "noProxy",
            "hotkeyBusy",
            "hotkeyAway"
        ]
    );
}
