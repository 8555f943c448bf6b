//! The `[hotkeys]` table of a settings file, and the shortcuts in force once the layers are put together.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::*;
use crate::config::settings::{Source, Sourced};

/// The `[hotkeys]` table of a settings file: every key optional (left out = the default), unknown keys refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotkeysFile {
    /// Available.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub available: Option<Binding>,
    /// Busy.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub busy: Option<Binding>,
    /// Do not disturb.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub dnd: Option<Binding>,
    /// Be right back.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub brb: Option<Binding>,
    /// Appear away.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub away: Option<Binding>,
    /// Appear offline.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub offline: Option<Binding>,
    /// Back to automatic.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub automatic: Option<Binding>,
    /// Open Presently.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub open: Option<Binding>,
}

impl HotkeysFile {
    /// Whether no key is set (the table is then left out of the file).
    pub fn is_empty(&self) -> bool {
        HotkeyAction::ALL.into_iter().all(|a| self.get(a).is_none())
    }

    /// The entry of `action`.
    pub fn get(&self, action: HotkeyAction) -> Option<Binding> {
        *self.slot(action)
    }

    fn slot(&self, action: HotkeyAction) -> &Option<Binding> {
        match action {
            HotkeyAction::Status(PreferredPresence::Available) => &self.available,
            HotkeyAction::Status(PreferredPresence::Busy) => &self.busy,
            HotkeyAction::Status(PreferredPresence::DoNotDisturb) => &self.dnd,
            HotkeyAction::Status(PreferredPresence::BeRightBack) => &self.brb,
            HotkeyAction::Status(PreferredPresence::AppearAway) => &self.away,
            HotkeyAction::Status(PreferredPresence::AppearOffline) => &self.offline,
            HotkeyAction::Automatic => &self.automatic,
            HotkeyAction::Open => &self.open,
        }
    }

    /// The entry of `action`, to change.
    pub fn slot_mut(&mut self, action: HotkeyAction) -> &mut Option<Binding> {
        match action {
            HotkeyAction::Status(PreferredPresence::Available) => &mut self.available,
            HotkeyAction::Status(PreferredPresence::Busy) => &mut self.busy,
            HotkeyAction::Status(PreferredPresence::DoNotDisturb) => &mut self.dnd,
            HotkeyAction::Status(PreferredPresence::BeRightBack) => &mut self.brb,
            HotkeyAction::Status(PreferredPresence::AppearAway) => &mut self.away,
            HotkeyAction::Status(PreferredPresence::AppearOffline) => &mut self.offline,
            HotkeyAction::Automatic => &mut self.automatic,
            HotkeyAction::Open => &mut self.open,
        }
    }
}

/// Serde of an optional [`Binding`] through its text, so a bad shortcut's message says what is expected.
mod binding_text {
    use super::*;
    use serde::Deserializer;

    pub fn serialize<S: Serializer>(v: &Option<Binding>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Binding>, D::Error> {
        let text = String::deserialize(d)?;
        Binding::from_str(&text)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// The shortcuts in force after layering (default < managed file < user file), each with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotkeys {
    bindings: [Sourced<Option<Shortcut>>; 8],
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
        let managed = HotkeysFile {
            busy: Some(Binding(Some(shortcut("Ctrl+Alt+B")))),
            open: Some(Binding(None)),
            ..HotkeysFile::default()
        };
        let user = HotkeysFile {
            busy: Some(Binding(Some(shortcut("Ctrl+Alt+U")))),
            ..HotkeysFile::default()
        };
        let managed_path = Source::Managed("/etc/presently/settings.toml".into());
        let user_path = Source::User("/home/a/settings.toml".into());
        let hotkeys = Hotkeys::layered([(managed_path.clone(), &managed), (user_path.clone(), &user)]);
        let busy = hotkeys.get(HotkeyAction::Status(PreferredPresence::Busy));
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
        assert_eq!(file.busy, Some(Binding(Some(shortcut("Ctrl+Alt+B")))));
        assert_eq!(file.dnd, Some(Binding(None)));
        assert_eq!(file.open, None);
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
