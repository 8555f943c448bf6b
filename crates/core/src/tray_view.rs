//! What the tray shows for a keeper [`Snapshot`]: which icon, the headline ("Busy until 14:30 — Graph reports
//! Offline", "Busy until 15:00 · checked 14:05" when Graph was last read over five minutes ago), the problem
//! (shown first), the tooltip, the time left of a timed status (the label beside the icon), which status carries
//! the check mark and what the sign-in item says; and when the view next changes by the clock alone, so the tray
//! wakes only then. Pure, so every rule is tested here; the desktop app's `tray.rs` only hands the result to Tauri.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use presently_model::{Availability, PreferredPresence, Preset};

use crate::keeper::{AccountView, Agreement, KeeperActivity, Snapshot};
use crate::wording::{availability_words, seconds_words, time_left_words, until_words};

/// The tray icon: the effective status, or a state that matters more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrayIcon {
    /// One of the six statuses (chosen, or what Teams shows while automatic).
    Status(PreferredPresence),
    /// Automatic, and Graph has not said what Teams shows.
    Unknown,
    /// Nobody is signed in.
    SignedOut,
    /// Something needs the user (sign in again, consent, offline...).
    Problem,
    /// Starting, or a change is on its way to Microsoft.
    Syncing,
}

impl TrayIcon {
    /// Every icon, for tests.
    pub const ALL: [TrayIcon; 10] = [
        TrayIcon::Status(PreferredPresence::Available),
        TrayIcon::Status(PreferredPresence::Busy),
        TrayIcon::Status(PreferredPresence::DoNotDisturb),
        TrayIcon::Status(PreferredPresence::BeRightBack),
        TrayIcon::Status(PreferredPresence::AppearAway),
        TrayIcon::Status(PreferredPresence::AppearOffline),
        TrayIcon::Unknown,
        TrayIcon::SignedOut,
        TrayIcon::Problem,
        TrayIcon::Syncing,
    ];

    /// The name of its file in `icons/tray/` (generated from `icons/src/tray/<name>.svg`).
    pub fn file_stem(self) -> &'static str {
        match self {
            TrayIcon::Status(status) => status.short_name(),
            TrayIcon::Unknown => "unknown",
            TrayIcon::SignedOut => "signed-out",
            TrayIcon::Problem => "problem",
            TrayIcon::Syncing => "syncing",
        }
    }
}

/// The sign-in item of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignItem {
    /// "Sign in…" (or "Sign in again…").
    SignIn {
        /// The account must sign in again.
        again: bool,
    },
    /// "Sign out".
    SignOut,
}

impl SignItem {
    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            SignItem::SignIn { again: false } => "Sign in…",
            SignItem::SignIn { again: true } => "Sign in again…",
            SignItem::SignOut => "Sign out",
        }
    }
}

/// Everything the tray renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayView {
    pub icon: TrayIcon,
    /// One line: the status and until when, and what Graph reports when it differs. First (disabled) line of
    /// the menu, since Linux panels show no tooltips.
    pub headline: String,
    /// The current problem in plain words, if any (second disabled menu line).
    pub detail: Option<String>,
    /// The status whose menu item carries the check mark (the chosen one; none while automatic).
    pub checked: Option<PreferredPresence>,
    /// Whether "Back to automatic" does something.
    pub can_go_automatic: bool,
    /// The sign-in item.
    pub sign: SignItem,
    /// Time left of a timed status ("42m", "3h 05m"), for the label beside the icon; `None` otherwise.
    pub time_left: Option<String>,
    /// The status message colleagues see, as a read-only menu line (`Message: “Back at 3”`), with "Clear
    /// message" beside it; `None` when there is none live.
    pub message: Option<String>,
}

/// A reading older than this is shown with the time it was taken ("· checked 14:05"): the core's rule.
pub const READING_AGE_SHOWN_AFTER: SignedDuration = crate::keeper::AGE_SHOWN_AFTER;

impl TrayView {
    /// The view of `snapshot` at `now` in the user's `zone`.
    pub fn of(snapshot: &Snapshot, now: Timestamp, zone: &TimeZone) -> Self {
        let intent = snapshot.intent.as_ref();
        let (sign, signed_out, sign_in_required) = match &snapshot.account {
            AccountView::SignedIn { .. } => (SignItem::SignOut, false, false),
            AccountView::SignInRequired { .. } => (SignItem::SignIn { again: true }, false, true),
            AccountView::SignedOut => (SignItem::SignIn { again: false }, true, false),
            AccountView::Unknown => (SignItem::SignIn { again: false }, false, false),
        };
        let starting =
            snapshot.activity == KeeperActivity::Starting || snapshot.account == AccountView::Unknown;
        let icon = if starting {
            TrayIcon::Syncing
        } else if signed_out {
            TrayIcon::SignedOut
        } else if sign_in_required || snapshot.problem.is_some() {
            TrayIcon::Problem
        } else if snapshot.activity == KeeperActivity::Syncing && snapshot.agreement == Agreement::Unknown {
            TrayIcon::Syncing
        } else {
            match intent {
                Some(intent) => TrayIcon::Status(intent.status),
                None => snapshot
                    .reported
                    .as_ref()
                    .and_then(|r| status_of(&r.availability))
                    .map_or(TrayIcon::Unknown, TrayIcon::Status),
            }
        };

        let mut headline = if starting {
            "Starting…".to_string()
        } else if signed_out {
            "Signed out".to_string()
        } else {
            match intent {
                Some(intent) => format!(
                    "{} {}",
                    intent.status.display_name(),
                    until_words(intent, now, zone, snapshot.hour_cycle)
                ),
                None => match &snapshot.reported {
                    Some(reported) => format!(
                        "Automatic — Graph reports {}",
                        availability_words(&reported.availability)
                    ),
                    None => "Automatic".to_string(),
                },
            }
        };
        let reading_age = snapshot.reading_age(now);
        if let (Some(reported), Some(age)) = (&snapshot.reported, reading_age)
            && !starting
            && !signed_out
            && age > READING_AGE_SHOWN_AFTER
        {
            let at = crate::wording::clock_words(reported.at, zone, snapshot.hour_cycle);
            headline.push_str(&format!(" · checked {at}"));
        }
        if sign_in_required {
            headline.push_str(" — sign in again to keep it");
        } else if let (Some(intent), Agreement::Differs { .. }, Some(reported)) =
            (intent, &snapshot.agreement, &snapshot.reported)
            && reported.as_status != Some(intent.status)
        {
            headline.push_str(&format!(
                " — Graph reports {}",
                availability_words(&reported.availability)
            ));
        }

        let detail = snapshot.problem.as_ref().map(|p| match p.retry_in_secs {
            // The menu cuts its lines at 70 characters (tray.rs), so the retry goes after the message's first
            // clause, where it cannot be cut: "Microsoft Graph cannot be reached (retrying in 30 s)".
            Some(secs) => {
                let clause = p
                    .message
                    .split(": ")
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('.');
                format!("{clause} (retrying in {})", seconds_words(secs))
            }
            None => p.message.clone(),
        });

        let time_left = intent
            .and_then(|i| i.ends_at())
            .filter(|_| !starting && !signed_out)
            .map(|end| time_left_words(end.duration_since(now)));

        let message = snapshot
            .message
            .as_ref()
            .filter(|m| !starting && !signed_out && !m.is_expired(now))
            .map(|m| format!("Message: “{}”", m.text));

        TrayView {
            icon,
            headline,
            detail,
            checked: intent.map(|i| i.status),
            can_go_automatic: intent.is_some(),
            sign,
            time_left,
            message,
        }
    }

    /// The tooltip (Windows and macOS): "Presently", the problem first when there is one, then the headline and,
    /// where no label beside the icon can show it (Windows), the time left.
    pub fn tooltip(&self, with_time_left: bool) -> String {
        let mut lines = vec![];
        if let Some(detail) = &self.detail {
            lines.push(detail.clone());
        }
        lines.push(self.headline.clone());
        if let (true, Some(left)) = (with_time_left, &self.time_left) {
            lines.push(format!("{left} left"));
        }
        format!("Presently: {}", lines.join("\n"))
    }

    /// When the view of `snapshot` next changes by the clock alone (the time left's next minute when it is shown,
    /// the moment the reading's age starts to show), so the tray wakes only then; `None`: nothing changes until the
    /// state does.
    pub fn next_change(snapshot: &Snapshot, now: Timestamp, time_left_shown: bool) -> Option<Timestamp> {
        let minute = SignedDuration::from_mins(1);
        let left_ticks = snapshot
            .intent
            .filter(|_| time_left_shown)
            .and_then(|i| i.ends_at())
            .filter(|end| *end > now)
            .and_then(|end| {
                // The label counts whole minutes up: it changes when the time left crosses a minute.
                let left = end.duration_since(now).as_secs();
                let to_next = left % 60;
                let wait = if to_next == 0 { minute.as_secs() } else { to_next };
                now.checked_add(SignedDuration::from_secs(wait)).ok()
            });
        let age_shows = snapshot
            .reported
            .as_ref()
            .and_then(|r| r.at.checked_add(READING_AGE_SHOWN_AFTER).ok())
            .filter(|at| *at > now);
        let message_ends = snapshot
            .message
            .as_ref()
            .and_then(|m| m.expires_at)
            .filter(|at| *at > now);
        [left_ticks, age_shows, message_ends].into_iter().flatten().min()
    }
}

/// The durations the tray menu offers: every preset in the model's menu order but Graph's default, which is for the
/// CLI and settings only. Worked out at compile time: a new preset, or Graph's default no longer last, stops the
/// build here until the tray decides what it shows.
pub const MENU_DURATIONS: [Preset; 7] = {
    let [
        m30,
        h1,
        h2,
        h4,
        h8,
        end_of_day,
        until_changed,
        Preset::GraphDefault,
    ] = Preset::ALL
    else {
        panic!("Preset::ALL ends with GraphDefault")
    };
    [m30, h1, h2, h4, h8, end_of_day, until_changed]
};

/// A duration's label in the menu.
pub fn duration_label(preset: Preset) -> &'static str {
    match preset {
        Preset::EndOfDay => "End of day",
        other => other.label(),
    }
}

/// The status a reported availability shows as, when it is one of the six.
fn status_of(availability: &Availability) -> Option<PreferredPresence> {
    match availability {
        Availability::Available | Availability::AvailableIdle => Some(PreferredPresence::Available),
        Availability::Busy | Availability::BusyIdle | Availability::Focusing => Some(PreferredPresence::Busy),
        Availability::DoNotDisturb => Some(PreferredPresence::DoNotDisturb),
        Availability::BeRightBack => Some(PreferredPresence::BeRightBack),
        Availability::Away => Some(PreferredPresence::AppearAway),
        Availability::Offline => Some(PreferredPresence::AppearOffline),
        Availability::PresenceUnknown | Availability::Other(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keeper::{Reported, TokenStoreView};
    use crate::{Action, Problem, ProblemKind};
    use presently_model::{Activity, Intent, Origin, Until};

    const NOW: &str = "2025-06-02T10:00:00Z"; // a Monday; the zone is UTC

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn signed_in() -> AccountView {
        AccountView::SignedIn {
            name: "Megan Bowen".into(),
            username: "megan.bowen@contoso.onmicrosoft.com".into(),
            tenant_id: "t".into(),
        }
    }

    fn snapshot(intent: Option<Intent>) -> Snapshot {
        Snapshot {
            revision: 7,
            intent,
            ends_at: intent.and_then(|i| i.ends_at()),
            message: None,
            account: signed_in(),
            reported: None,
            agreement: Agreement::Matches,
            activity: KeeperActivity::Idle,
            next: None,
            problem: None,
            problem_since: None,
            token_store: TokenStoreView::of(
                &presently_auth::StorePlace::memory(),
                &crate::wording::KnownFolders::default(),
            ),
            hour_cycle: crate::hour_cycle::HourCycle::H23,
        }
    }

    fn busy_until(at: &str) -> Intent {
        Intent::new(
            PreferredPresence::Busy,
            Until::At {
                at: at.parse().unwrap(),
            },
            now(),
            Origin::TrayMenu,
        )
    }

    fn reported(availability: Availability, activity: Activity) -> Reported {
        Reported {
            as_status: None,
            availability,
            activity,
            at: now(),
        }
    }

    fn view(s: &Snapshot) -> TrayView {
        TrayView::of(s, now(), &TimeZone::UTC)
    }

    #[test]
    fn a_kept_choice_shows_its_dot_its_end_and_the_check_mark() {
        let v = view(&snapshot(Some(busy_until("2025-06-02T14:30:00Z"))));
        assert_eq!(v.icon, TrayIcon::Status(PreferredPresence::Busy));
        assert_eq!(v.headline, "Busy until 14:30");
        assert_eq!(v.tooltip(false), "Presently: Busy until 14:30");
        assert_eq!(v.tooltip(true), "Presently: Busy until 14:30\n4h 30m left");
        assert_eq!(v.time_left.as_deref(), Some("4h 30m"));
        assert_eq!(v.checked, Some(PreferredPresence::Busy));
        assert!(v.can_go_automatic);
        assert_eq!(v.sign, SignItem::SignOut);
        assert_eq!(v.sign.label(), "Sign out");
    }

    #[test]
    fn when_graph_reports_something_else_the_headline_says_what() {
        let mut s = snapshot(Some(busy_until("2025-06-02T14:30:00Z")));
        s.agreement = Agreement::Differs {
            reason: "Teams is closed".into(),
        };
        s.reported = Some(reported(Availability::Offline, Activity::Offline));
        let v = view(&s);
        assert_eq!(v.headline, "Busy until 14:30 — Graph reports Offline");
        assert_eq!(
            v.icon,
            TrayIcon::Status(PreferredPresence::Busy),
            "the icon keeps the choice"
        );
    }

    #[test]
    fn ends_on_other_days_name_the_day() {
        let at = |t: &str| view(&snapshot(Some(busy_until(t)))).headline;
        assert_eq!(at("2025-06-03T09:00:00Z"), "Busy until tomorrow 09:00");
        assert_eq!(at("2025-06-06T17:30:00Z"), "Busy until Fri 17:30");
        assert_eq!(at("2025-06-12T17:30:00Z"), "Busy until 12 Jun 17:30");
        let forever = Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::UntilChanged,
            now(),
            Origin::Popup,
        );
        assert_eq!(
            view(&snapshot(Some(forever))).headline,
            "Do not disturb until you change it"
        );
        // Graph's default for Busy is a day (contract §2).
        let default = Intent::new(PreferredPresence::Busy, Until::GraphDefault, now(), Origin::Cli);
        assert_eq!(
            view(&snapshot(Some(default))).headline,
            "Busy until tomorrow 10:00"
        );
    }

    #[test]
    fn the_local_zone_decides_the_clock_time() {
        let zone = TimeZone::get("Europe/Paris").unwrap();
        let v = TrayView::of(&snapshot(Some(busy_until("2025-06-02T12:30:00Z"))), now(), &zone);
        assert_eq!(v.headline, "Busy until 14:30");
    }

    #[test]
    fn automatic_shows_what_teams_shows_without_a_check_mark() {
        let mut s = snapshot(None);
        s.reported = Some(reported(Availability::Busy, Activity::InAMeeting));
        let v = view(&s);
        assert_eq!(v.icon, TrayIcon::Status(PreferredPresence::Busy));
        assert_eq!(v.headline, "Automatic — Graph reports Busy");
        assert_eq!(v.checked, None);
        assert!(!v.can_go_automatic);

        s.reported = Some(reported(Availability::AvailableIdle, Activity::AvailableInactive));
        assert_eq!(view(&s).icon, TrayIcon::Status(PreferredPresence::Available));
        s.reported = Some(reported(Availability::PresenceUnknown, Activity::PresenceUnknown));
        assert_eq!(view(&s).icon, TrayIcon::Unknown);
        s.reported = None;
        assert_eq!(view(&s).icon, TrayIcon::Unknown);
        assert_eq!(view(&s).headline, "Automatic");
    }

    #[test]
    fn signed_out_shows_the_signed_out_icon_and_offers_sign_in() {
        let mut s = snapshot(None);
        s.account = AccountView::SignedOut;
        let v = view(&s);
        assert_eq!(v.icon, TrayIcon::SignedOut);
        assert_eq!(v.headline, "Signed out");
        assert_eq!(v.sign.label(), "Sign in…");
    }

    #[test]
    fn a_revoked_sign_in_needs_attention_and_keeps_the_choice() {
        let mut s = snapshot(Some(busy_until("2025-06-02T14:30:00Z")));
        s.account = AccountView::SignInRequired {
            name: "Megan Bowen".into(),
            username: "megan.bowen@contoso.onmicrosoft.com".into(),
        };
        s.problem = Some(
            Problem::new(ProblemKind::SignInRequired, "Your sign-in expired").with_action(Action::SignIn),
        );
        let v = view(&s);
        assert_eq!(v.icon, TrayIcon::Problem);
        assert_eq!(v.headline, "Busy until 14:30 — sign in again to keep it");
        assert_eq!(v.detail.as_deref(), Some("Your sign-in expired"));
        assert_eq!(
            v.tooltip(false),
            "Presently: Your sign-in expired\nBusy until 14:30 — sign in again to keep it",
            "the problem comes first"
        );
        assert_eq!(v.checked, Some(PreferredPresence::Busy));
        assert_eq!(v.sign.label(), "Sign in again…");
    }

    #[test]
    fn a_transient_problem_needs_attention_and_says_when_it_retries() {
        let mut s = snapshot(Some(busy_until("2025-06-02T14:30:00Z")));
        s.activity = KeeperActivity::Retrying;
        s.problem = Some(
            Problem::new(ProblemKind::Offline, "Microsoft cannot be reached")
                .retrying_in(std::time::Duration::from_secs(300)),
        );
        let v = view(&s);
        assert_eq!(v.icon, TrayIcon::Problem);
        assert_eq!(
            v.detail.as_deref(),
            Some("Microsoft cannot be reached (retrying in 5 min)")
        );
    }

    #[test]
    fn starting_and_unconfirmed_changes_show_the_syncing_icon() {
        let mut s = snapshot(None);
        s.activity = KeeperActivity::Starting;
        s.account = AccountView::Unknown;
        assert_eq!(view(&s).icon, TrayIcon::Syncing);
        assert_eq!(view(&s).headline, "Starting…");

        let mut s = snapshot(Some(busy_until("2025-06-02T14:30:00Z")));
        s.activity = KeeperActivity::Syncing;
        s.agreement = Agreement::Unknown;
        assert_eq!(view(&s).icon, TrayIcon::Syncing);
        assert_eq!(view(&s).headline, "Busy until 14:30");
        // A routine renewal of a confirmed choice does not flicker the icon.
        s.agreement = Agreement::Matches;
        assert_eq!(view(&s).icon, TrayIcon::Status(PreferredPresence::Busy));
    }

    #[test]
    fn a_reading_over_five_minutes_old_says_when_graph_was_checked() {
        let mut s = snapshot(Some(busy_until("2025-06-02T15:00:00Z")));
        let mut r = reported(Availability::Busy, Activity::Busy);
        r.at = "2025-06-02T09:56:00Z".parse().unwrap();
        s.reported = Some(r.clone());
        assert_eq!(
            view(&s).headline,
            "Busy until 15:00",
            "four minutes old: no age yet"
        );
        r.at = "2025-06-02T09:05:00Z".parse().unwrap();
        s.reported = Some(r);
        assert_eq!(view(&s).headline, "Busy until 15:00 · checked 09:05");
        // On a 12-hour clock both times read as the popup writes them.
        s.hour_cycle = crate::hour_cycle::HourCycle::H12;
        assert_eq!(view(&s).headline, "Busy until 3:00 PM · checked 9:05 AM");
    }

    #[test]
    fn time_left_counts_whole_minutes_up() {
        let words = |secs: i64| time_left_words(SignedDuration::from_secs(secs));
        assert_eq!(words(1), "1m");
        assert_eq!(words(60), "1m");
        assert_eq!(words(61), "2m");
        assert_eq!(words(59 * 60 + 1), "1h 00m");
        assert_eq!(words(90 * 60), "1h 30m");
        assert_eq!(words(26 * 3600), "1d 2h");
        let forever = Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::UntilChanged,
            now(),
            Origin::Popup,
        );
        assert_eq!(view(&snapshot(Some(forever))).time_left, None, "no end, no label");
        assert_eq!(view(&snapshot(None)).time_left, None);
    }

    #[test]
    fn the_tray_wakes_only_when_its_words_change_by_the_clock() {
        // Busy until 14:30:30 at 10:00:00: the label reads 4h 31m until 10:00:30, then 4h 30m.
        let timed = snapshot(Some(busy_until("2025-06-02T14:30:30Z")));
        assert_eq!(
            TrayView::next_change(&timed, now(), true),
            Some("2025-06-02T10:00:30Z".parse().unwrap())
        );
        // Nothing timed and a fresh reading: the age shows in five minutes, then nothing until the state changes.
        let mut automatic = snapshot(None);
        automatic.reported = Some(reported(Availability::Available, Activity::Available));
        assert_eq!(
            TrayView::next_change(&automatic, now(), true),
            Some("2025-06-02T10:05:00Z".parse().unwrap())
        );
        let later: Timestamp = "2025-06-02T10:06:00Z".parse().unwrap();
        assert_eq!(TrayView::next_change(&automatic, later, true), None);
        assert_eq!(TrayView::next_change(&snapshot(None), now(), true), None);
        // With the label off, a timed status wakes the tray for nothing but its age.
        let mut quiet = snapshot(Some(busy_until("2025-06-02T14:30:30Z")));
        quiet.reported = Some(reported(Availability::Busy, Activity::Busy));
        assert_eq!(
            TrayView::next_change(&quiet, now(), false),
            Some("2025-06-02T10:05:00Z".parse().unwrap())
        );
    }

    #[test]
    fn every_icon_has_its_own_file() {
        let mut stems: Vec<_> = TrayIcon::ALL.iter().map(|i| i.file_stem()).collect();
        stems.sort_unstable();
        stems.dedup();
        assert_eq!(stems.len(), TrayIcon::ALL.len());
    }

    #[test]
    fn the_menu_offers_the_contracts_presets_with_short_labels() {
        let names: Vec<_> = MENU_DURATIONS.iter().map(|p| p.short_name()).collect();
        assert_eq!(names, ["30m", "1h", "2h", "4h", "8h", "eod", "forever"]);
        let labels: Vec<_> = MENU_DURATIONS.iter().map(|p| duration_label(*p)).collect();
        assert_eq!(
            labels,
            [
                "30 minutes",
                "1 hour",
                "2 hours",
                "4 hours",
                "8 hours",
                "End of day",
                "Until I change it"
            ]
        );
    }

    #[test]
    fn the_message_is_a_read_only_line_until_it_ends_and_its_end_wakes_the_tray() {
        let mut s = snapshot(None);
        let end: Timestamp = "2025-06-02T11:00:00Z".parse().unwrap();
        s.message = Some(presently_model::StatusMessage {
            text: "On a train, slow replies".into(),
            expires_at: Some(end),
            with_status: false,
            set_at: now(),
            origin: Origin::Cli,
        });
        let view = TrayView::of(&s, now(), &TimeZone::UTC);
        assert_eq!(
            view.message.as_deref(),
            Some("Message: “On a train, slow replies”")
        );
        assert_eq!(
            TrayView::next_change(&s, now(), false).map(|at| at <= end),
            Some(true)
        );
        assert_eq!(
            TrayView::of(&s, end, &TimeZone::UTC).message,
            None,
            "gone at its end"
        );
        s.account = AccountView::SignedOut;
        assert_eq!(TrayView::of(&s, now(), &TimeZone::UTC).message, None);
    }
}

/// The tray's words, read as a person reads them: every view of every state the golden fixtures describe, each
/// problem the popup's fixtures carry, every way a choice ends, must pass the word check every surface shares
/// (`crate::wording::flaws`).
#[cfg(test)]
mod words {
    use super::*;
    use crate::keeper::{Reported, TokenStoreView};
    use crate::wording::{KnownFolders, flaws};
    use crate::{Problem, ProblemKind};
    use presently_model::{Activity, Intent, Origin, Until};

    fn now() -> Timestamp {
        "2025-06-02T10:00:00Z".parse().unwrap()
    }

    /// The problems of the popup's golden fixtures (`ui/src/fixtures/problems.json`), plus one whose message
    /// already ends in a full stop and is retried, as the keeper's offline problem does.
    fn problems() -> Vec<Problem> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/fixtures/problems.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut list: Vec<Problem> = serde_json::from_str(&text).unwrap();
        assert!(list.len() >= 5, "{} problems in {}", list.len(), path.display());
        list.push(
            Problem::new(
                ProblemKind::Offline,
                "Microsoft Graph cannot be reached: check your connection.",
            )
            .retrying_in(std::time::Duration::from_secs(300)),
        );
        list
    }

    fn intents() -> Vec<Option<Intent>> {
        let at = |t: &str| Until::At {
            at: t.parse().unwrap(),
        };
        let mut list = vec![None];
        for status in PreferredPresence::ALL {
            for until in [
                at("2025-06-02T14:30:00Z"),
                at("2025-06-03T09:00:00Z"),
                at("2025-06-05T17:30:00Z"),
                at("2025-07-01T17:30:00Z"),
                Until::UntilChanged,
                Until::GraphDefault,
            ] {
                list.push(Some(Intent::new(status, until, now(), Origin::Popup)));
            }
        }
        list
    }

    fn snapshots() -> Vec<Snapshot> {
        let accounts = [
            AccountView::SignedIn {
                name: "Adele Vance".into(),
                username: "adele@contoso.com".into(),
                tenant_id: "t".into(),
            },
            AccountView::SignInRequired {
                name: "Adele Vance".into(),
                username: "adele@contoso.com".into(),
            },
            AccountView::SignedOut,
            AccountView::Unknown,
        ];
        let readings = [
            None,
            Some(Reported {
                as_status: Some(PreferredPresence::AppearAway),
                availability: Availability::Away,
                activity: Activity::Away,
                at: "2025-06-02T09:00:00Z".parse().unwrap(),
            }),
            Some(Reported {
                as_status: None,
                availability: Availability::Busy,
                activity: Activity::Other("InAMeeting".into()),
                at: now(),
            }),
        ];
        let mut problems: Vec<Option<Problem>> = problems().into_iter().map(Some).collect();
        problems.push(None);
        let mut list = vec![];
        for account in &accounts {
            for intent in intents() {
                for reported in &readings {
                    for problem in &problems {
                        let differs = reported
                            .as_ref()
                            .is_some_and(|r| r.as_status != intent.map(|i| i.status));
                        list.push(Snapshot {
                            revision: 1,
                            intent,
                            ends_at: intent.and_then(|i| i.ends_at()),
                            message: None,
                            account: account.clone(),
                            reported: reported.clone(),
                            agreement: if differs {
                                Agreement::Differs {
                                    reason: "Teams is closed".into(),
                                }
                            } else {
                                Agreement::Matches
                            },
                            activity: KeeperActivity::Idle,
                            next: None,
                            problem: problem.clone(),
                            problem_since: None,
                            token_store: TokenStoreView::of(
                                &presently_auth::StorePlace::memory(),
                                &KnownFolders::default(),
                            ),
                            hour_cycle: crate::hour_cycle::HourCycle::H23,
                        });
                    }
                }
            }
        }
        list
    }

    #[test]
    fn every_tray_text_reads_well() {
        let folders = crate::wording::folders_not_to_show();
        let mut bad = vec![];
        let mut cut = vec![];
        let mut read = 0;
        let mut check = |where_: &str, text: &str| {
            read += 1;
            for flaw in flaws(text, &folders) {
                bad.push(format!("{where_} {text:?}: {flaw}"));
            }
        };
        for snapshot in snapshots() {
            let view = TrayView::of(&snapshot, now(), &TimeZone::UTC);
            check("headline", &view.headline);
            if let Some(detail) = &view.detail {
                check("detail", detail);
                // The menu cuts a line at 70 characters (tray.rs): when it retries, that must stay readable.
                if detail.contains("retrying in") && detail.chars().count() > 70 {
                    cut.push(format!("detail {detail:?}: the menu would cut when it retries"));
                }
            }
            for line in view.tooltip(true).lines() {
                check("tooltip", line);
            }
            check("sign-in item", view.sign.label());
        }
        for preset in MENU_DURATIONS {
            check("duration", &format!("For: {}", duration_label(preset)));
        }
        bad.append(&mut cut);
        bad.sort();
        bad.dedup();
        assert!(read > 1000, "only {read} texts read");
        assert!(
            bad.is_empty(),
            "{} tray texts read badly:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
}
