//! The `[hotkeys]` table of a settings file, and the shortcuts in force once the layers are put together.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::*;
use crate::config::settings::{Source, Sourced};

/// The `[hotkeys]` table of a settings file: one entry per action it sets (left out = the default), keyed by
/// [`HotkeyAction::key`]; unknown keys refused. Written in [`HotkeyAction::ALL`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotkeysFile(BTreeMap<HotkeyAction, Binding>);

impl HotkeysFile {
    /// Whether no key is set (the table is then left out of the file).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entry of `action`.
    pub fn get(&self, action: HotkeyAction) -> Option<Binding> {
        self.0.get(&action).copied()
    }

    /// Sets the entry of `action` (`Binding(None)`: no shortcut, written as `""`).
    pub fn set(&mut self, action: HotkeyAction, binding: Binding) {
        self.0.insert(action, binding);
    }

    /// Removes the entry of `action` (the default applies again).
    pub fn remove(&mut self, action: HotkeyAction) {
        self.0.remove(&action);
    }
}

impl FromIterator<(HotkeyAction, Binding)> for HotkeysFile {
    fn from_iter<I: IntoIterator<Item = (HotkeyAction, Binding)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Serialize for HotkeysFile {
    /// `busy = "Ctrl+Alt+B"`, `dnd = ""`: each binding as its text, in [`HotkeyAction::ALL`] order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for action in HotkeyAction::ALL {
            if let Some(binding) = self.get(action) {
                map.serialize_entry(action.key(), &binding.to_string())?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for HotkeysFile {
    /// Reads each binding through its text, so a bad shortcut's message says what is expected, and an unknown
    /// key's names the keys there are.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = BTreeMap::<HotkeyAction, BindingText>::deserialize(d)?;
        Ok(table
            .into_iter()
            .map(|(action, BindingText(b))| (action, b))
            .collect())
    }
}

/// A [`Binding`] read through its text, so a refusal points at the entry's own line and key.
struct BindingText(Binding);

impl<'de> Deserialize<'de> for BindingText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Binding::from_str(&text)
            .map(BindingText)
            .map_err(serde::de::Error::custom)
    }
}

/// The shortcuts in force after layering (default < managed file < user file), each with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotkeys {
    bindings: [Sourced<Option<Shortcut>>; HotkeyAction::ALL.len()],
}

impl Default for Hotkeys {
    /// Every action on its default shortcut.
    fn default() -> Self {
        Self {
            bindings: HotkeyAction::ALL.map(|a| Sourced {
                value: Some(default_shortcut(a)),
                source: Source::Default,
            }),
        }
    }
}

/// Two actions with the same shortcut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{shortcut} is the shortcut of both {first} and {second}: give one of them another")]
pub struct DuplicateShortcut {
    /// The shortcut.
    pub shortcut: Shortcut,
    /// The action listed first.
    pub first: HotkeyAction,
    /// The other one.
    pub second: HotkeyAction,
}

impl Hotkeys {
    /// Layers the `[hotkeys]` tables of `layers` (in order, later wins) over the defaults.
    pub fn layered<'a>(layers: impl IntoIterator<Item = (Source, &'a HotkeysFile)>) -> Self {
        let mut hotkeys = Hotkeys::default();
        for (source, file) in layers {
            for action in HotkeyAction::ALL {
                if let Some(Binding(shortcut)) = file.get(action) {
                    hotkeys.bindings[action.index()] = Sourced {
                        value: shortcut,
                        source: source.clone(),
                    };
                }
            }
        }
        hotkeys
    }

    /// The shortcut of `action` and where it came from.
    pub fn get(&self, action: HotkeyAction) -> &Sourced<Option<Shortcut>> {
        &self.bindings[action.index()]
    }

    /// Every action with its shortcut (or `None`), in [`HotkeyAction::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (HotkeyAction, Option<Shortcut>)> + '_ {
        HotkeyAction::ALL.into_iter().map(|a| (a, self.get(a).value))
    }

    /// The first pair of actions sharing a shortcut, if any.
    pub fn duplicate(&self) -> Option<DuplicateShortcut> {
        duplicates(self.iter()).into_iter().next()
    }
}

impl Serialize for Hotkeys {
    /// `{"busy": {"value": "Ctrl+Alt+Shift+2", "source": {...}}, ...}`; `""` for none.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, Sourced<String>> = HotkeyAction::ALL
            .into_iter()
            .map(|a| {
                let b = self.get(a);
                (
                    a.key(),
                    Sourced {
                        value: Binding(b.value).to_string(),
                        source: b.source.clone(),
                    },
                )
            })
            .collect();
        map.serialize(s)
    }
}

/// Every pair of actions (in `bindings` order, the later one second) whose shortcuts are the same.
pub fn duplicates(
    bindings: impl IntoIterator<Item = (HotkeyAction, Option<Shortcut>)>,
) -> Vec<DuplicateShortcut> {
    let mut seen: Vec<(HotkeyAction, Shortcut)> = Vec::new();
    let mut found = Vec::new();
    for (action, shortcut) in bindings {
        let Some(shortcut) = shortcut else { continue };
        if let Some((first, _)) = seen.iter().find(|(_, s)| *s == shortcut) {
            found.push(DuplicateShortcut {
                shortcut,
                first: *first,
                second: action,
            });
        } else {
            seen.push((action, shortcut));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shortcut(text: &str) -> Shortcut {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn duplicates_name_both_actions_in_order() {
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        let same = shortcut("Ctrl+Alt+B");
        let found = duplicates([
            (busy, Some(same)),
            (HotkeyAction::Open, None),
            (HotkeyAction::Automatic, None),
            (dnd, Some(same)),
        ]);
        assert_eq!(
            found,
            [DuplicateShortcut {
                shortcut: same,
                first: busy,
                second: dnd
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "Ctrl+Alt+B is the shortcut of both Busy and Do not disturb: give one of them another"
        );
        // Cleared shortcuts never collide.
        assert!(duplicates([(busy, None), (dnd, None)]).is_empty());
    }

    #[test]
    fn layers_override_defaults_key_by_key_and_empty_clears() {
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        let managed = HotkeysFile::from_iter([
            (busy, Binding(Some(shortcut("Ctrl+Alt+B")))),
            (HotkeyAction::Open, Binding(None)),
        ]);
        let user = HotkeysFile::from_iter([(busy, Binding(Some(shortcut("Ctrl+Alt+U"))))]);
        let managed_path = Source::Managed("/etc/presently/settings.toml".into());
        let user_path = Source::User("/home/a/settings.toml".into());
        let hotkeys = Hotkeys::layered([(managed_path.clone(), &managed), (user_path.clone(), &user)]);
        let busy = hotkeys.get(busy);
        assert_eq!(
            (busy.value, &busy.source),
            (Some(shortcut("Ctrl+Alt+U")), &user_path)
        );
        let open = hotkeys.get(HotkeyAction::Open);
        assert_eq!((open.value, &open.source), (None, &managed_path));
        let away = hotkeys.get(HotkeyAction::Status(PreferredPresence::AppearAway));
        assert_eq!(
            (away.value, &away.source),
            (Some(shortcut("Ctrl+Alt+Shift+5")), &Source::Default)
        );
    }

    #[test]
    fn the_hotkeys_table_reads_and_writes_as_text_and_refuses_unknown_keys() {
        let file: HotkeysFile = toml::from_str("busy = \"ctrl+alt+b\"\ndnd = \"\"\n").unwrap();
        assert_eq!(
            file.get(HotkeyAction::Status(PreferredPresence::Busy)),
            Some(Binding(Some(shortcut("Ctrl+Alt+B"))))
        );
        assert_eq!(
            file.get(HotkeyAction::Status(PreferredPresence::DoNotDisturb)),
            Some(Binding(None))
        );
        assert_eq!(file.get(HotkeyAction::Open), None);
        let written = toml::to_string(&file).unwrap();
        assert_eq!(written, "busy = \"Ctrl+Alt+B\"\ndnd = \"\"\n");
        let error = toml::from_str::<HotkeysFile>("busy = \"B\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("needs a modifier"), "{error}");
        let error = toml::from_str::<HotkeysFile>("bussy = \"Ctrl+B\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("bussy"), "{error}");
    }
}
