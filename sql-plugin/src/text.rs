//! Input-derived text as posture shows it: quoted in errors and notes, and written to terminals.

use std::borrow::Cow;

use serde_json::Value;

/// The most characters of an input value an error message or note quotes.
pub const EXCERPT_CHARS: usize = 80;

/// Input text as quoted in errors and notes: at most [`EXCERPT_CHARS`] characters, with `…`
/// when cut, control characters escaped. Every message that quotes an input value goes
/// through here.
pub fn excerpt(text: &str) -> String {
    let cut = match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    };
    escape_control(&cut).into_owned()
}

/// A JSON value as quoted in errors: its JSON text, cut by [`excerpt`].
pub fn excerpt_json(v: &Value) -> String {
    excerpt(&v.to_string())
}

/// Text safe to write to a terminal: control characters (C0, DEL, C1: escape sequences,
/// carriage returns, backspaces) and bidirectional overrides, which can hide or reorder what
/// is shown, become `\u{…}` escapes. Everything else is left as it is.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_bounded_to_80_characters() {
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"é".repeat(80)), "é".repeat(80));
        assert_eq!(excerpt(&"é".repeat(81)), format!("{}…", "é".repeat(80)));
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped() {
        assert!(matches!(
            escape_control("web-1 ü"),
            Cow::Borrowed("web-1 ü")
        ));
        assert_eq!(
            escape_control("a\u{1b}]0;pwned\u{7}b\rc\u{202e}d\u{9b}"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}c\\u{202e}d\\u{9b}"
        );
        assert_eq!(excerpt("x\u{1b}[2J"), "x\\u{1b}[2J");
    }
}
