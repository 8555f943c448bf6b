//! Control API: lifetimes and limits ([`Settings`]). `GET` reads them; `PATCH` changes some of them at once,
//! all or nothing: the patched settings are checked as a whole before any takes effect.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use super::error::{ControlError, ControlJson};
use crate::seed::Settings;
use crate::world::AppState;

/// The longest lifetime any setting accepts: ten years. Longer values would only overflow timestamps.
pub const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

/// The largest throttling limit accepted (requests per window).
pub const MAX_THROTTLE_LIMIT: u32 = 10_000_000;

/// Routes: `GET` and `PATCH /_emulator/settings`.
pub fn router() -> Router<AppState> {
    Router::new().route("/_emulator/settings", get(read).patch(patch))
}

/// A partial update of [`Settings`]: every field optional, names as in `GET /_emulator/settings`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// See [`Settings::access_token_min_secs`].
    pub access_token_min_secs: Option<u64>,
    /// See [`Settings::access_token_max_secs`].
    pub access_token_max_secs: Option<u64>,
    /// See [`Settings::refresh_token_secs`].
    pub refresh_token_secs: Option<u64>,
    /// See [`Settings::auth_code_secs`].
    pub auth_code_secs: Option<u64>,
    /// See [`Settings::device_code_secs`].
    pub device_code_secs: Option<u64>,
    /// See [`Settings::device_interval_secs`].
    pub device_interval_secs: Option<u64>,
    /// See [`Settings::throttle_limit`].
    pub throttle_limit: Option<u32>,
    /// See [`Settings::throttle_window_secs`].
    pub throttle_window_secs: Option<u64>,
    /// See [`Settings::preferred_max_secs`].
    pub preferred_max_secs: Option<u64>,
    /// See [`Settings::status_message_max_chars`].
    pub status_message_max_chars: Option<u32>,
    /// Fixed when the emulator starts (the body limit is a router layer); only its current value is accepted.
    pub max_body_bytes: Option<usize>,
    /// Fixed when the emulator starts (the log is allocated then); only its current value is accepted.
    pub request_log_capacity: Option<usize>,
}

impl SettingsPatch {
    /// The settings after this patch, or why the patch is refused. `current` is not changed.
    pub fn apply(&self, current: &Settings) -> Result<Settings, ControlError> {
        let mut s = current.clone();
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { s.$field = v; } )* };
        }
        take!(
            access_token_min_secs,
            access_token_max_secs,
            refresh_token_secs,
            auth_code_secs,
            device_code_secs,
            device_interval_secs,
            throttle_limit,
            throttle_window_secs,
            preferred_max_secs,
            status_message_max_chars
        );
        if let Some(v) = self.max_body_bytes
            && v != current.max_body_bytes
        {
            return Err(ControlError::bad_request(
                "maxBodyBytes is fixed when the emulator starts; set it in the seed file",
            ));
        }
        if let Some(v) = self.request_log_capacity
            && v != current.request_log_capacity
        {
            return Err(ControlError::bad_request(
                "requestLogCapacity is fixed when the emulator starts; set it in the seed file",
            ));
        }
        check(&s)?;
        Ok(s)
    }
}

/// Checks settings as a whole: every lifetime and limit positive and at most [`MAX_LIFETIME_SECS`], and the
/// shortest access-token life no longer than the longest.
pub fn check(s: &Settings) -> Result<(), ControlError> {
    let lifetimes = [
        ("accessTokenMinSecs", s.access_token_min_secs),
        ("accessTokenMaxSecs", s.access_token_max_secs),
        ("refreshTokenSecs", s.refresh_token_secs),
        ("authCodeSecs", s.auth_code_secs),
        ("deviceCodeSecs", s.device_code_secs),
        ("deviceIntervalSecs", s.device_interval_secs),
        ("throttleWindowSecs", s.throttle_window_secs),
        ("preferredMaxSecs", s.preferred_max_secs),
    ];
    for (name, value) in lifetimes {
        if value == 0 || value > MAX_LIFETIME_SECS {
            return Err(ControlError::bad_request(format!(
                "{name} must be between 1 and {MAX_LIFETIME_SECS} seconds, got {value}"
            )));
        }
    }
    if s.throttle_limit == 0 || s.throttle_limit > MAX_THROTTLE_LIMIT {
        return Err(ControlError::bad_request(format!(
            "throttleLimit must be between 1 and {MAX_THROTTLE_LIMIT}, got {}",
            s.throttle_limit
        )));
    }
    if s.access_token_min_secs > s.access_token_max_secs {
        return Err(ControlError::bad_request(format!(
            "accessTokenMinSecs ({}) must not exceed accessTokenMaxSecs ({})",
            s.access_token_min_secs, s.access_token_max_secs
        )));
    }
    if s.device_interval_secs > s.device_code_secs {
        return Err(ControlError::bad_request(format!(
            "deviceIntervalSecs ({}) must not exceed deviceCodeSecs ({})",
            s.device_interval_secs, s.device_code_secs
        )));
    }
    Ok(())
}

async fn read(State(state): State<AppState>) -> Json<Settings> {
    Json(state.world().settings.clone())
}

async fn patch(
    State(state): State<AppState>,
    ControlJson(body): ControlJson<SettingsPatch>,
) -> Result<Json<Settings>, ControlError> {
    let updated = {
        let mut world = state.world();
        let updated = body.apply(&world.settings)?;
        world.settings = updated.clone();
        updated
    };
    state.changed();
    Ok(Json(updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_the_fields_it_names() {
        let current = Settings::default();
        let patch = SettingsPatch {
            auth_code_secs: Some(30),
            ..Default::default()
        };
        let after = patch.apply(&current).unwrap();
        assert_eq!(after.auth_code_secs, 30);
        assert_eq!(after.refresh_token_secs, current.refresh_token_secs);
    }

    #[test]
    fn a_patch_that_leaves_the_settings_inconsistent_is_refused_whole() {
        let current = Settings::default();
        let patch = SettingsPatch {
            access_token_min_secs: Some(7200),
            access_token_max_secs: Some(3600),
            ..Default::default()
        };
        let err = patch.apply(&current).unwrap_err();
        assert!(err.message.contains("accessTokenMinSecs"), "{}", err.message);
        let zero = SettingsPatch {
            throttle_limit: Some(0),
            ..Default::default()
        };
        assert!(zero.apply(&current).is_err());
        let huge = SettingsPatch {
            refresh_token_secs: Some(u64::MAX),
            ..Default::default()
        };
        assert!(huge.apply(&current).is_err());
    }

    #[test]
    fn start_time_settings_accept_only_their_current_value() {
        let current = Settings::default();
        let same = SettingsPatch {
            max_body_bytes: Some(current.max_body_bytes),
            ..Default::default()
        };
        assert!(same.apply(&current).is_ok());
        let other = SettingsPatch {
            request_log_capacity: Some(5),
            ..Default::default()
        };
        assert!(other.apply(&current).is_err());
    }
}
