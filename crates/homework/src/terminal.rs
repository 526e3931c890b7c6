//! Text made safe for a terminal: nothing a server (or a test) sent can act on the screen.
//!
//! The checker prints text that came from outside: status lines and header values from a
//! server under test, panic messages from a learner's code. A terminal takes some characters
//! as commands: ESC starts sequences that clear the screen, move the cursor, set the window
//! title or write the clipboard (OSC 52), and the C1 controls U+0080–U+009F do the same on some
//! terminals. Bidirectional formatting characters (U+202E RIGHT-TO-LEFT OVERRIDE and its
//! family) reorder what is shown, so `evil` + U+202E + `txt.exe` reads as `evilexe.txt`. An instructor who
//! checks a student's server must see what it sent, not be shown what it wants.
//!
//! [`escape_controls`] writes each such character as an escape a person can read — `\x1b`
//! for an ASCII control, `\u{202e}` for the others — and keeps line breaks, so messages keep
//! their shape. A backslash stays as it is: this is for reading, not for parsing back (the
//! exact bytes are in the JSON report, base64-encoded).

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character a terminal may act on instead of showing.
fn is_unsafe(character: char) -> bool {
    match character {
        '\n' => false,
        // C0 controls (tab and CR included: they move the cursor), DEL, C1 controls.
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidirectional formatting: marks, embeddings, overrides, isolates.
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            true
        }
        // Line and paragraph separators break lines where the report does not expect it.
        '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

/// `text` with every character a terminal could act on written as a visible escape.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if !is_unsafe(character) {
            safe.push(character);
        } else if character.is_ascii() {
            let _ = write!(safe, "\\x{:02x}", character as u32);
        } else {
            let _ = write!(safe, "\\u{{{:x}}}", character as u32);
        }
    }
    Cow::Owned(safe)
}

/// [`escape_controls`] on an optional text, for report fields.
pub fn escape_optional(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(|text| escape_controls(text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_line_breaks_pass_untouched() {
        let text = "expected: 200 OK\n     got: 404 Not Found — é ✓";
        assert!(matches!(escape_controls(text), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("HTTP/1.1 200 \x1b[2J\x1b[H6 of 6 check groups pass"),
            "HTTP/1.1 200 \\x1b[2J\\x1b[H6 of 6 check groups pass"
        );
        assert_eq!(
            escape_controls("\x1b]52;c;ZXZpbA==\x07"),
            "\\x1b]52;c;ZXZpbA==\\x07"
        );
        assert_eq!(escape_controls("a\rb\tc\x7f"), "a\\x0db\\x09c\\x7f");
    }

    #[test]
    fn c1_controls_and_bidi_overrides_are_escaped() {
        assert_eq!(escape_controls("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(
            escape_controls("evil\u{202e}txt.exe"),
            "evil\\u{202e}txt.exe"
        );
        assert_eq!(
            escape_controls("\u{2066}x\u{2069}\u{200f}"),
            "\\u{2066}x\\u{2069}\\u{200f}"
        );
    }
}
