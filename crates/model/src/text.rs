//! Text quoted in a message or shown in a menu, kept short: what a user typed or a server sent can be any length.

/// `text` trimmed, and when longer than `keep` characters, its first `keep` followed by an ellipsis. Cuts on a
/// character boundary, never inside one, and drops a space or punctuation left just before the ellipsis (a cut
/// after a full stop would read "again.…").
///
/// ```
/// use presently_model::text::shortened;
/// assert_eq!(shortened("  busy  ", 40), "busy");
/// assert_eq!(shortened("ééééé", 3), "ééé…");
/// ```
pub fn shortened(text: &str, keep: usize) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(keep) {
        Some((cut, _)) => format!("{}…", trimmed[..cut].trim_end_matches([' ', '.', ',', ';', ':'])),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_on_a_character_boundary() {
        assert_eq!(shortened("short", 10), "short");
        assert_eq!(shortened("exactly10!", 10), "exactly10!");
        assert_eq!(shortened("eleven chars", 10), "eleven cha…");
        assert_eq!(shortened("ééééé", 3), "ééé…");
        assert_eq!(shortened("👍🏽👍🏽", 1), "👍…");
        assert_eq!(shortened("   ", 3), "");
        assert_eq!(shortened("Sign in again. Then retry", 14), "Sign in again…");
        assert_eq!(shortened("one, two", 4), "one…");
    }
}
