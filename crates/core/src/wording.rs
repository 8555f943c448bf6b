//! Words for facts that several surfaces show: until when a status is kept ("until 14:30", "until you change
//! it"), where the sign-in is kept, and paths written the way people know them (`~/.local/share/presently`,
//! `%APPDATA%\Presently`), and the tray's smaller words (time left "3h 05m", what Graph reports, a retry's wait).
//! The tray, the CLI and `presently-app set` word these facts here, so they say them the
//! same way; the popup words them in `ui/src/format.ts` from the same parts of the snapshot.
//!
//! The core hands out parts (a kind, a path, a note made of whole sentences), never a sentence meant for one
//! place: a `doctor` sentence pasted into the popup's own sentence read "Your sign-in will be kept in Tokens are
//! encrypted in ...".

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use presently_auth::{StoreKind, StorePlace};
use presently_model::{Availability, Intent, Until};

use crate::hour_cycle::HourCycle;

/// "until 14:30", "until tomorrow 09:00", "until Fri 17:30", "until 12 Jun 17:30", "until you change it", in
/// `zone` on the user's `clock`, seen at `now`.
pub fn until_words(intent: &Intent, now: Timestamp, zone: &TimeZone, clock: HourCycle) -> String {
    let end = match intent.until {
        Until::UntilChanged => return UNTIL_CHANGED.into(),
        Until::At { at } => at,
        Until::GraphDefault => match intent.ends_at() {
            Some(at) => at,
            None => return "for Teams' default length".into(),
        },
    };
    format!("until {}", moment_words(end, now, zone, clock))
}

/// What a status kept with no end says.
pub const UNTIL_CHANGED: &str = "until you change it";

/// A moment for people, relative to `now`: "14:30", "tomorrow 09:00", "Fri 17:30" (within the week), else
/// "12 Jun 17:30"; with "2:30 PM" for the time on a 12-hour `clock`.
pub fn moment_words(at: Timestamp, now: Timestamp, zone: &TimeZone, clock: HourCycle) -> String {
    let now = now.to_zoned_datetime(zone.clone());
    let at = at.to_zoned_datetime(zone.clone());
    let time = clock_words(at.timestamp(), zone, clock);
    match (at.date() - now.date()).get_days() {
        0 => time,
        1 => format!("tomorrow {time}"),
        2..=6 => format!("{} {time}", at.strftime("%a")),
        _ => format!("{} {time}", at.strftime("%-d %b")),
    }
}

/// A wall-clock time: "14:30", or "2:30 PM" on a 12-hour `clock`.
pub fn clock_words(at: Timestamp, zone: &TimeZone, clock: HourCycle) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime(clock.time_pattern())
        .to_string()
}

/// The folders a path is shortened against: the home folder (`~`) and, on Windows, `%APPDATA%` and
/// `%LOCALAPPDATA%`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownFolders {
    /// `$HOME` / `%USERPROFILE%`.
    pub home: Option<PathBuf>,
    /// `%APPDATA%` (Windows).
    pub app_data: Option<PathBuf>,
    /// `%LOCALAPPDATA%` (Windows).
    pub local_app_data: Option<PathBuf>,
}

impl KnownFolders {
    /// This user's folders, from the environment.
    pub fn of_this_user() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self {
            home: directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
            app_data: if cfg!(windows) { var("APPDATA") } else { None },
            local_app_data: if cfg!(windows) { var("LOCALAPPDATA") } else { None },
        }
    }

    /// `path` as people write it: `%APPDATA%\...` and `%LOCALAPPDATA%\...` on Windows, `~/...` under the home
    /// folder, else as it is.
    pub fn shorten(&self, path: &Path) -> String {
        let named = [
            (self.app_data.as_deref(), "%APPDATA%"),
            (self.local_app_data.as_deref(), "%LOCALAPPDATA%"),
            (self.home.as_deref(), "~"),
        ];
        for (folder, name) in named {
            let Some(folder) = folder else { continue };
            if let Ok(rest) = path.strip_prefix(folder) {
                let separator = if name.starts_with('%') {
                    '\\'
                } else {
                    std::path::MAIN_SEPARATOR
                };
                let rest = rest.display().to_string();
                return if rest.is_empty() {
                    name.to_owned()
                } else {
                    format!("{name}{separator}{rest}")
                };
            }
        }
        path.display().to_string()
    }
}

/// `path` shortened against this user's folders (see [`KnownFolders::shorten`]).
pub fn short_path(path: &Path) -> String {
    KnownFolders::of_this_user().shorten(path)
}

/// Where the sign-in is kept, as one or more sentences for the CLI (`doctor`, `login`, `whoami`): "Tokens are
/// encrypted in ~/.local/share/presently/tokens.enc, with the key in the Secret Service (GNOME Keyring or
/// KWallet)." followed by the note. The popup words the same parts for itself (`ui/src/views/welcome.ts`).
pub fn store_sentences(place: &StorePlace, folders: &KnownFolders) -> String {
    let file = place.file.as_deref().map(|f| folders.shorten(f));
    let first = match (place.kind, file) {
        (StoreKind::CredentialStore, Some(file)) => match place.key_kept_in {
            Some(keeper) => format!("Tokens are encrypted in {file}, with the key in {keeper}."),
            None => format!("Tokens are encrypted in {file}."),
        },
        (StoreKind::File, Some(file)) => {
            format!("Tokens are saved unencrypted in {file}, readable only by your user account.")
        }
        (StoreKind::Memory, _) | (_, None) => "Tokens are kept in memory only and are not saved.".to_owned(),
    };
    match &place.note {
        Some(note) => format!("{first} {note}"),
        None => first,
    }
}

/// What reads badly in `text`, a text a person reads (a tray line, a CLI line), each as a short description: a
/// doubled punctuation mark or space, a placeholder left unfilled, a path under a temporary or home folder written
/// out in full (people know `~/...`). `raw_folders` are the folders that must not appear in full (the home
/// folder, the temporary folder). Empty when the text reads well. The tests of every surface run their words
/// through this, so the rules are written once.
pub fn flaws(text: &str, raw_folders: &[PathBuf]) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    // An indented line is a row of a table (help, `doctor`'s settings): its gaps line up columns.
    let table_row = text.starts_with("  ");
    const MARKS: &[char] = &['.', ',', ';', ':', '!', '?'];
    for (i, pair) in chars.windows(2).enumerate() {
        let doubled = MARKS.contains(&pair[0]) && MARKS.contains(&pair[1]);
        // An ellipsis ("...") is one mark; "..." inside a path or a range is not doubled punctuation either.
        let ellipsis =
            pair == ['.', '.'] && (chars.get(i + 2) == Some(&'.') || (i > 0 && chars[i - 1] == '.'));
        if doubled && !ellipsis {
            found.push(format!("doubled punctuation \"{}{}\"", pair[0], pair[1]));
        }
        // Between words only: a gap that lines up a column ("value  (default)", "user:    ~/...", "[ok  ]") is
        // layout, not prose; so are the gaps of a table row.
        let word_before = i > 0 && (chars[i - 1].is_alphanumeric() || ".,;!?".contains(chars[i - 1]));
        let word_after = chars[i..]
            .iter()
            .find(|c| **c != ' ')
            .is_some_and(|c| c.is_alphanumeric());
        if pair == [' ', ' '] && !table_row && word_before && word_after {
            found.push("a doubled space".to_owned());
        }
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    // Only words written with one space between them ("in in"), not a repeat across punctuation.
    for pair in words.windows(2) {
        if pair[0] == pair[1]
            && pair[0].chars().all(char::is_alphabetic)
            && text.to_lowercase().contains(&format!("{0} {0}", pair[0]))
        {
            found.push(format!("a doubled word \"{} {}\"", pair[0], pair[1]));
        }
    }
    for placeholder in [
        "{}",
        "${",
        "{:?}",
        "undefined",
        "NaN",
        "[object Object]",
        "%s",
        "%d",
    ] {
        if text.contains(placeholder) {
            found.push(format!("an unfilled placeholder \"{placeholder}\""));
        }
    }
    if let Some(open) = text.find('{')
        && let Some(close) = text[open..].find('}')
        && text[open + 1..open + close]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        found.push(format!(
            "an unfilled placeholder \"{}\"",
            &text[open..=open + close]
        ));
    }
    for folder in raw_folders {
        let folder = folder.display().to_string();
        if folder.len() > 1 && text.contains(&folder) {
            found.push(format!("the path {folder} written out in full"));
        }
    }
    found
}

/// The folders no text should show in full: this user's home folder, and the temporary folder when it is a long
/// one (`/var/folders/xy/.../T`, `C:\Users\...\Temp`; `/tmp` is as short as it gets).
pub fn folders_not_to_show() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = KnownFolders::of_this_user().home.into_iter().collect();
    let temp = std::env::temp_dir();
    if temp.components().count() > 2 {
        folders.push(temp);
    }
    folders
}

/// Time left for the label beside the icon, in whole minutes rounded up: "42m", "3h 05m", "2d 4h".
pub fn time_left_words(left: SignedDuration) -> String {
    let mins = (left.as_secs().max(0) + 59) / 60;
    match mins {
        0..60 => format!("{mins}m"),
        60..1440 => format!("{}h {:02}m", mins / 60, mins % 60),
        _ => format!("{}d {}h", mins / 1440, mins % 1440 / 60),
    }
}

/// What Graph reports, in words ("Offline", "Busy (idle)").
pub fn availability_words(availability: &Availability) -> String {
    match availability {
        Availability::Available => "Available".into(),
        Availability::AvailableIdle => "Available (idle)".into(),
        Availability::Away => "Away".into(),
        Availability::BeRightBack => "Be right back".into(),
        Availability::Busy => "Busy".into(),
        Availability::BusyIdle => "Busy (idle)".into(),
        Availability::DoNotDisturb => "Do not disturb".into(),
        Availability::Offline => "Offline".into(),
        Availability::PresenceUnknown => "an unknown status".into(),
        Availability::Focusing => "Focusing".into(),
        Availability::Other(other) => other.clone(),
    }
}

/// A wait in seconds as the tray's retry note says it: "30 s" under a minute and a half, else whole minutes up.
pub fn seconds_words(secs: u64) -> String {
    if secs < 90 {
        format!("{secs} s")
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_model::{Origin, PreferredPresence};

    fn intent(until: Until) -> Intent {
        Intent {
            status: PreferredPresence::Busy,
            until,
            set_at: "2025-06-02T10:00:00Z".parse().unwrap(),
            origin: Origin::Popup,
        }
    }

    /// "until …" for an intent ending at `end`, seen on Monday 2 June 2025 10:00 UTC on `clock`.
    fn until_at(end: &str, clock: HourCycle) -> String {
        let now: Timestamp = "2025-06-02T10:00:00Z".parse().unwrap();
        let until = Until::At {
            at: end.parse().unwrap(),
        };
        until_words(&intent(until), now, &TimeZone::UTC, clock)
    }

    #[test]
    fn until_names_the_time_today_and_the_day_otherwise() {
        let at = |t: &str| until_at(t, HourCycle::H23);
        assert_eq!(at("2025-06-02T14:30:00Z"), "until 14:30");
        assert_eq!(at("2025-06-03T09:00:00Z"), "until tomorrow 09:00");
        assert_eq!(at("2025-06-06T17:30:00Z"), "until Fri 17:30");
        assert_eq!(at("2025-06-12T17:30:00Z"), "until 12 Jun 17:30");
        let now: Timestamp = "2025-06-02T10:00:00Z".parse().unwrap();
        assert_eq!(
            until_words(&intent(Until::UntilChanged), now, &TimeZone::UTC, HourCycle::H23),
            "until you change it"
        );
    }

    #[test]
    fn a_twelve_hour_clock_writes_the_time_with_am_or_pm() {
        let at = |t: &str| until_at(t, HourCycle::H12);
        assert_eq!(at("2025-06-02T14:30:00Z"), "until 2:30 PM");
        assert_eq!(at("2025-06-03T09:05:00Z"), "until tomorrow 9:05 AM");
        assert_eq!(at("2025-06-06T00:15:00Z"), "until Fri 12:15 AM");
        assert_eq!(at("2025-06-12T12:00:00Z"), "until 12 Jun 12:00 PM");
    }

    #[test]
    fn the_word_check_finds_each_flaw_and_passes_good_text() {
        let home = [PathBuf::from("/home/adele")];
        assert_eq!(
            flaws("Busy until 14:30 — Graph reports Away.", &home),
            Vec::<String>::new()
        );
        assert_eq!(
            flaws("Starting… and e.g. ~/.local/share; see https://x/y.", &home),
            Vec::<String>::new()
        );
        let one = |text: &str| {
            let found = flaws(text, &home);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            found[0].clone()
        };
        assert!(one("Tokens are encrypted in X with a key kept in Y..").contains("doubled punctuation"));
        assert!(one("Sign in again.  Then retry").contains("doubled space"));
        assert!(one("Busy until {time}").contains("placeholder"));
        assert!(one("Busy until undefined").contains("placeholder"));
        assert!(one("Finish signing in in your browser").contains("doubled word"));
        assert!(one("Saved in /home/adele/.local/share/presently").contains("in full"));
    }

    #[cfg(unix)]
    #[test]
    fn paths_under_known_folders_are_written_as_people_know_them() {
        let unix = KnownFolders {
            home: Some("/home/adele".into()),
            ..Default::default()
        };
        assert_eq!(
            unix.shorten(Path::new("/home/adele/.local/share/presently/tokens.enc")),
            "~/.local/share/presently/tokens.enc"
        );
        assert_eq!(unix.shorten(Path::new("/home/adele")), "~");
        assert_eq!(unix.shorten(Path::new("/home/adelex/file")), "/home/adelex/file");
        assert_eq!(unix.shorten(Path::new("/etc/presently")), "/etc/presently");
    }

    #[test]
    fn app_data_is_named_before_the_home_folder_that_holds_it() {
        let windows = KnownFolders {
            home: Some("/Users/adele".into()),
            app_data: Some("/Users/adele/AppData/Roaming".into()),
            local_app_data: None,
        };
        let short = windows.shorten(Path::new("/Users/adele/AppData/Roaming/Presently"));
        assert_eq!(short, "%APPDATA%\\Presently");
    }

    #[cfg(unix)]
    #[test]
    fn each_store_reads_as_whole_sentences_with_a_short_path() {
        let folders = KnownFolders {
            home: Some("/home/adele".into()),
            ..Default::default()
        };
        let encrypted = StorePlace {
            kind: StoreKind::CredentialStore,
            file: Some("/home/adele/.local/share/presently/tokens.enc".into()),
            key_kept_in: Some("the Secret Service (GNOME Keyring or KWallet)"),
            note: None,
        };
        assert_eq!(
            store_sentences(&encrypted, &folders),
            "Tokens are encrypted in ~/.local/share/presently/tokens.enc, with the key in the Secret Service \
             (GNOME Keyring or KWallet)."
        );
        let memory = StorePlace {
            kind: StoreKind::Memory,
            file: None,
            key_kept_in: None,
            note: Some("The system credential store is not available (locked).".into()),
        };
        assert_eq!(
            store_sentences(&memory, &folders),
            "Tokens are kept in memory only and are not saved. The system credential store is not available \
             (locked)."
        );
    }
}
