//! Round trips of what users type and what crosses process boundaries, over generated inputs: a duration shown
//! by Presently reads back as the same choice, as text and as JSON.

#![allow(clippy::unwrap_used)] // property bodies: a failed unwrap is a failed case

use jiff::Span;
use presently_model::DurationChoice;
use proptest::prelude::*;

/// Valid text a person might type for a duration: lengths in several spellings, wall-clock ends, presets.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..100_000).prop_map(|m| format!("{m}m")),
        (1u32..2_000).prop_map(|h| format!("{h}h")),
        (1u32..200, 0u32..60).prop_map(|(h, m)| format!("{h}h{m}m")),
        (1u32..200, 0u32..60).prop_map(|(h, m)| format!("PT{h}H{m}M")),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("until {h}:{m:02}")),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("until tomorrow {h:02}:{m:02}")),
        prop::sample::select(vec!["eod", "forever", "30m", "1h", "2h", "4h", "8h"]).prop_map(str::to_owned),
    ]
}

proptest! {
    #[test]
    fn a_length_in_whole_minutes_reads_back_as_itself(minutes in 1i64..1_000_000) {
        let choice = DurationChoice::for_span(Span::new().minutes(minutes)).unwrap();
        let shown = choice.to_string();
        prop_assert_eq!(shown.parse::<DurationChoice>().unwrap(), choice, "{}", shown);
    }

    #[test]
    fn typed_durations_are_shown_in_a_form_that_parses_to_the_same_choice(text in typed()) {
        let choice: DurationChoice = text.parse().unwrap();
        let shown = choice.to_string();
        let again: DurationChoice = shown.parse().unwrap();
        prop_assert_eq!(&again, &choice, "{:?} shown as {:?}", text, shown);
        let json = serde_json::to_string(&choice).unwrap();
        let back: DurationChoice = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, choice, "{}", json);
    }

    #[test]
    fn any_text_that_parses_round_trips_and_none_panics(text in "\\PC{0,32}") {
        if let Ok(choice) = text.parse::<DurationChoice>() {
            prop_assert_eq!(choice.to_string().parse::<DurationChoice>().unwrap(), choice);
        }
    }
}
