//! Control API: the virtual clock. Read it, jump it forward, or make it run faster.
//!
//! Every expiry in the emulator follows this clock (see [`crate::clock`]), so advancing it by `PT10M` is how a
//! test or a demo watches an Available session fade (contract §3) or a token expire without waiting.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use jiff::{SignedDuration, Span, SpanRelativeTo};
use serde::Deserialize;

use super::error::{ControlError, ControlJson};
use crate::clock::ClockReading;
use crate::world::AppState;

/// The longest single jump the API accepts: ten years, far beyond any lifetime the emulator knows.
pub const MAX_ADVANCE_SECS: u64 = 10 * 365 * 24 * 3600;

/// Routes: `GET /_emulator/clock`, `POST /_emulator/clock/advance`, `POST /_emulator/clock/speed`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/clock", get(read))
        .route("/_emulator/clock/advance", post(advance))
        .route("/_emulator/clock/speed", post(speed))
}

/// `POST /_emulator/clock/advance` body: exactly one of `seconds` (a number) or `by` (an ISO 8601 duration such
/// as `PT2H` or `P1DT30M`; days count as 24 hours).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceRequest {
    /// Seconds to jump forward (fractions allowed).
    pub seconds: Option<f64>,
    /// An ISO 8601 duration to jump forward.
    pub by: Option<String>,
}

/// `POST /_emulator/clock/speed` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedRequest {
    /// Virtual seconds per real second, `0 < speed <= 1000000`.
    pub speed: f64,
}

impl AdvanceRequest {
    /// How far to jump, or why the request is refused.
    pub fn duration(&self) -> Result<Duration, ControlError> {
        let by = match (self.seconds, &self.by) {
            (Some(secs), None) => {
                if !secs.is_finite() || secs < 0.0 {
                    return Err(ControlError::bad_request(format!(
                        "seconds must be a number >= 0, got {secs}; the clock only moves forward"
                    )));
                }
                if secs > MAX_ADVANCE_SECS as f64 {
                    return Err(too_far());
                }
                Duration::from_secs_f64(secs)
            }
            (None, Some(text)) => parse_iso_duration(text)?,
            (Some(_), Some(_)) => {
                return Err(ControlError::bad_request(
                    "send either \"seconds\" or \"by\", not both",
                ));
            }
            (None, None) => {
                return Err(ControlError::bad_request(
                    "send {\"seconds\": N} or {\"by\": \"PT2H\"} (an ISO 8601 duration)",
                ));
            }
        };
        if by.as_secs() > MAX_ADVANCE_SECS {
            return Err(too_far());
        }
        Ok(by)
    }
}

fn too_far() -> ControlError {
    ControlError::bad_request(format!(
        "the clock advances at most {MAX_ADVANCE_SECS} seconds (ten years) per call"
    ))
}

/// Parses `PT2H`, `P1DT30M`, `PT0.5S` (days are 24 hours; years, months and weeks are refused because their
/// length is ambiguous), refusing negative durations.
pub fn parse_iso_duration(text: &str) -> Result<Duration, ControlError> {
    let bad = |why: String| {
        ControlError::bad_request(format!(
            "\"by\" must be an ISO 8601 duration such as \"PT2H\" or \"P1DT30M\": {why}"
        ))
    };
    let span: Span = text.trim().parse().map_err(|e: jiff::Error| bad(e.to_string()))?;
    if span.get_years() != 0 || span.get_months() != 0 || span.get_weeks() != 0 {
        return Err(bad(
            "years, months and weeks are ambiguous; use days or hours".into()
        ));
    }
    let signed: SignedDuration = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|e| bad(e.to_string()))?;
    if signed.is_negative() {
        return Err(ControlError::bad_request(format!(
            "\"by\" must not be negative, got {text:?}; the clock only moves forward"
        )));
    }
    Duration::try_from(signed).map_err(|e| bad(e.to_string()))
}

async fn read(State(state): State<AppState>) -> Json<ClockReading> {
    Json(state.clock.reading())
}

async fn advance(
    State(state): State<AppState>,
    ControlJson(body): ControlJson<AdvanceRequest>,
) -> Result<Json<ClockReading>, ControlError> {
    let by = body.duration()?;
    state.clock.advance(by);
    state.changed();
    Ok(Json(state.clock.reading()))
}

async fn speed(
    State(state): State<AppState>,
    ControlJson(body): ControlJson<SpeedRequest>,
) -> Result<Json<ClockReading>, ControlError> {
    state
        .clock
        .set_speed(body.speed)
        .map_err(|e| ControlError::bad_request(e.to_string()))?;
    state.changed();
    Ok(Json(state.clock.reading()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(seconds: Option<f64>, by: Option<&str>) -> AdvanceRequest {
        AdvanceRequest {
            seconds,
            by: by.map(str::to_string),
        }
    }

    #[test]
    fn iso_durations_with_days_hours_and_fractions_are_understood() {
        assert_eq!(parse_iso_duration("PT2H").unwrap(), Duration::from_secs(7200));
        assert_eq!(
            parse_iso_duration("P1DT30M").unwrap(),
            Duration::from_secs(86_400 + 1800)
        );
        assert_eq!(parse_iso_duration("PT0.5S").unwrap(), Duration::from_millis(500));
    }

    #[test]
    fn negative_ambiguous_or_malformed_durations_are_refused() {
        assert!(parse_iso_duration("-PT1H").is_err());
        assert!(parse_iso_duration("P1M").is_err());
        assert!(parse_iso_duration("two hours").is_err());
        assert!(parse_iso_duration("").is_err());
    }

    #[test]
    fn an_advance_needs_exactly_one_non_negative_amount() {
        assert_eq!(req(Some(90.0), None).duration().unwrap(), Duration::from_secs(90));
        assert!(req(Some(-1.0), None).duration().is_err());
        assert!(req(None, None).duration().is_err());
        assert!(req(Some(1.0), Some("PT1S")).duration().is_err());
        assert!(req(Some(1e300), None).duration().is_err());
        assert!(req(None, Some("P20000D")).duration().is_err());
    }
}
