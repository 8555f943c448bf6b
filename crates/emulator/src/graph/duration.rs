//! `expirationDuration`: an ISO 8601 duration as Graph's presence calls take it (`PT5M`, `PT1H30M`, `P1D`).
//!
//! Graph's presence service is .NET, whose `xsd:duration` reader accepts days, hours, minutes and (fractional)
//! seconds, and an optional leading `-`. The emulator is strict where the contract is silent [assumed]:
//! designators must be upper case, weeks (`P1W`) are read as 7 days, years and months are refused (their length
//! is not fixed), and an empty duration (`P`, `PT`) is refused. Negative durations parse so that the caller can
//! answer "out of range" rather than "invalid".

use jiff::SignedDuration;

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 8601 duration of days, hours, minutes and seconds: {0:?}")]
pub struct BadDuration(pub String);

/// Parses `[-]P[nW][nD][T[nH][nM][n[.f]S]]`.
pub fn parse(text: &str) -> Result<SignedDuration, BadDuration> {
    let bad = || BadDuration(text.to_string());
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err(bad());
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return Err(bad());
    }
    let mut nanos: i128 = 0;
    for (number, unit) in components(date).ok_or_else(bad)? {
        let per = match unit {
            'W' => 7 * 86_400,
            'D' => 86_400,
            _ => return Err(bad()),
        };
        if number.contains('.') {
            return Err(bad());
        }
        nanos += whole(number).ok_or_else(bad)? * per * 1_000_000_000;
    }
    if let Some(time) = time {
        let mut last_seen = 0;
        for (number, unit) in components(time).ok_or_else(bad)? {
            let (order, per) = match unit {
                'H' => (1, 3600),
                'M' => (2, 60),
                'S' => (3, 1),
                _ => return Err(bad()),
            };
            if order <= last_seen {
                return Err(bad());
            }
            last_seen = order;
            nanos += match number.split_once('.') {
                Some((int, frac)) if unit == 'S' => {
                    let frac_nanos = fraction_nanos(frac).ok_or_else(bad)?;
                    whole(int).ok_or_else(bad)? * 1_000_000_000 + frac_nanos
                }
                Some(_) => return Err(bad()),
                None => whole(number).ok_or_else(bad)? * per * 1_000_000_000,
            };
        }
    }
    // Anything beyond ~292 years is far outside every range the presence calls allow; clamp rather than fail.
    let nanos = if negative { -nanos } else { nanos };
    match (
        i64::try_from(nanos / 1_000_000_000),
        i32::try_from(nanos % 1_000_000_000),
    ) {
        (Ok(secs), Ok(sub)) => Ok(SignedDuration::new(secs, sub)),
        _ if negative => Ok(SignedDuration::MIN),
        _ => Ok(SignedDuration::MAX),
    }
}

/// Splits `1D` / `1H30M` into (number, designator) pairs, in order; `None` when malformed.
fn components(s: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() || c == '.' {
            continue;
        }
        if i == start {
            return None;
        }
        out.push((&s[start..i], c));
        start = i + c.len_utf8();
    }
    if start != s.len() {
        return None;
    }
    let mut units: Vec<char> = out.iter().map(|(_, u)| *u).collect();
    units.dedup();
    if units.len() != out.len() {
        return None;
    }
    Some(out)
}

/// A run of ASCII digits as a number, saturating far beyond any useful duration.
fn whole(digits: &str) -> Option<i128> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // 30 digits of seconds is already absurd; cap to keep the arithmetic in range.
    let digits = digits.trim_start_matches('0');
    if digits.len() > 20 {
        return Some(i128::from(u64::MAX));
    }
    digits.parse::<i128>().ok().or(Some(0))
}

fn fraction_nanos(frac: &str) -> Option<i128> {
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut padded: String = frac.chars().take(9).collect();
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse::<i128>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> i64 {
        parse(s).unwrap().as_secs()
    }

    #[test]
    fn the_usual_presence_durations_parse() {
        assert_eq!(secs("PT5M"), 300);
        assert_eq!(secs("PT1H"), 3600);
        assert_eq!(secs("PT4H"), 4 * 3600);
        assert_eq!(secs("PT1H30M"), 5400);
        assert_eq!(secs("P1D"), 86_400);
        assert_eq!(secs("P7D"), 7 * 86_400);
        assert_eq!(secs("P1W"), 7 * 86_400);
        assert_eq!(secs("P1DT2H"), 86_400 + 7200);
        assert_eq!(secs("PT90S"), 90);
        assert_eq!(parse("PT0.5S").unwrap().as_millis(), 500);
    }

    #[test]
    fn a_negative_duration_parses_so_the_caller_can_call_it_out_of_range() {
        assert_eq!(secs("-PT5M"), -300);
    }

    #[test]
    fn malformed_durations_are_refused() {
        for s in [
            "",
            "P",
            "PT",
            "5M",
            "PT5m",
            "pt5m",
            "PT-5M",
            "P1M",
            "P1Y",
            "PT5",
            "PTM",
            "PT1M1H",
            "PT1H1H",
            "P1.5D",
            "PT1.5M",
            "PT5M ",
            " PT5M",
            "1h",
            "PT1HT2M",
            "P1DT",
            "PT5M5",
            "PT\u{0661}M",
        ] {
            assert!(parse(s).is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn absurdly_long_durations_saturate_instead_of_overflowing() {
        assert!(secs("PT99999999999999999999999999999999H") > 10 * 365 * 86_400);
        assert!(secs("P99999999999999999D") > 10 * 365 * 86_400);
    }
}
