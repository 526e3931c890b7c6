//! Bytes made readable: how the report shows what was sent and received.
//!
//! The point of a black-box check's report is to show the *exact* bytes, so nothing may be
//! hidden or invented, and a server's bytes must not be able to move the cursor or recolour
//! the learner's terminal. The rules:
//!
//! - printable ASCII appears as it is, except the backslash, which is doubled (`\\`) so that
//!   every escape on screen really stands for one byte;
//! - a line ending is written out — `\r\n`, or `\n` for a bare LF — and followed by a real line
//!   break, so a head reads as lines while its CRLFs stay visible;
//! - a CR that ends no line is `\r`, a tab is `\t`, and every other byte is `\xNN` (each byte of
//!   a UTF-8 character too: the learner sees that `é` is two bytes);
//! - at most [`SHOWN_BYTES`] bytes are shown; a note says how many more there were.

use std::fmt::Write as _;

/// Most bytes of one transcript shown in a report: enough for any head and a short body.
pub const SHOWN_BYTES: usize = 4096;

/// Escapes `bytes` for display, following the module's rules.
pub fn escape(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let mut text = String::with_capacity(shown.len() + 16);
    let mut position = 0;
    while position < shown.len() {
        let byte = shown[position];
        match byte {
            b'\r' if shown.get(position + 1) == Some(&b'\n') => {
                text.push_str("\\r\\n\n");
                position += 1;
            }
            b'\n' => text.push_str("\\n\n"),
            b'\r' => text.push_str("\\r"),
            b'\t' => text.push_str("\\t"),
            b'\\' => text.push_str("\\\\"),
            0x20..=0x7e => text.push(byte as char),
            _ => {
                let _ = write!(text, "\\x{byte:02x}");
            }
        }
        position += 1;
    }
    if bytes.len() > shown.len() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let _ = write!(
            text,
            "[... {} more bytes not shown]",
            bytes.len() - shown.len()
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_stay_visible_and_break_the_line() {
        assert_eq!(
            escape(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            "GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n"
        );
        assert_eq!(escape(b"a\nb"), "a\\n\nb");
    }

    #[test]
    fn other_bytes_are_escaped_one_by_one() {
        assert_eq!(escape(b"a\rb\tc\x1b[0m\x00"), "a\\rb\\tc\\x1b[0m\\x00");
        assert_eq!(escape("é\\".as_bytes()), "\\xc3\\xa9\\\\");
    }

    #[test]
    fn long_input_is_cut_with_a_note() {
        let long = vec![b'a'; SHOWN_BYTES + 10];
        let shown = escape(&long);
        assert!(shown.starts_with("aaaa"));
        assert!(
            shown.ends_with("\n[... 10 more bytes not shown]"),
            "{shown}"
        );
        assert_eq!(shown.matches('a').count(), SHOWN_BYTES);
    }
}
