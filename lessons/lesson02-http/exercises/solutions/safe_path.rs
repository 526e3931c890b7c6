//! Exercise `safe_path`: turn the path of a URL into a file path that stays inside the
//! served directory.
//!
//! A static file server joins the path a client asked for to the directory it serves. If the
//! client can smuggle a `..` into that path, it reads any file on the machine: the oldest
//! hole in web servers, and still found every year. Chapter 2 (`book/src/ch02-http.md`)
//! shows how the server of lesson 02 closes it; here you write the core of that defence.
//!
//! You write two functions.
//!
//! [`percent_decode`] undoes percent-encoding (RFC 3986 §2.1): each `%` followed by two hex
//! digits, upper or lower case, becomes the one byte they spell, so `%C3%A9` is the two bytes
//! of `é` in UTF-8. Everything else is copied as it is:
//! - a `%` *not* followed by two hex digits (`100%`, `%zz`, `%4`) stays a literal `%`, as
//!   Python's `urllib.parse.unquote` keeps it;
//! - a `+` stays a `+`: "plus means space" is a rule of HTML forms in the *query*, not of
//!   paths;
//! - the result is decoded once: `%252e` becomes `%2e`, not `.`.
//!
//! [`safe_path`] takes the path of a request target (`/docs/caf%C3%A9.txt`, no query) and
//! gives the relative file path to join to the served directory (`docs/café.txt`), or the
//! [`Refusal`] that makes it answer 404:
//! 1. Decode the *whole* path first, and split it on `/` afterwards. Then `%2F` is a
//!    separator like `/`, and `..%2F..` or `%2e%2e` are seen for what they become. Splitting
//!    first and decoding each segment lets `..%2F..` through as one harmless-looking name.
//! 2. Skip empty segments (from `//`, or the leading `/`) and `.` segments.
//! 3. Refuse a `..` segment: [`Refusal::ParentSegment`]. It is not resolved against the
//!    segment before it, as RFC 3986 §5.2.4 would; browsers remove dot-segments before
//!    sending, so only a probe sends one. A name that merely contains dots, like `...` or
//!    `notes..txt`, is fine.
//! 4. Refuse a segment holding a backslash (a separator on Windows) or a NUL byte (the end
//!    of a name to the operating system): [`Refusal::ForbiddenByte`].
//! 5. Refuse a segment whose bytes are not UTF-8: [`Refusal::NotUtf8`]. A lossy conversion
//!    would serve a different name from the one asked for.
//!
//! The result is always relative, so joining it to the served directory cannot replace it.
//! `/` gives the empty path: the served directory itself.

// ANCHOR: exercise
use std::path::PathBuf;

/// Why a path is refused. The client gets the same 404 for each; the reason is for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A segment is `..`, however it was spelled.
    ParentSegment,
    /// A segment holds a backslash or a NUL byte.
    ForbiddenByte,
    /// A segment does not decode to UTF-8 text.
    NotUtf8,
}

/// The bytes that `text` stands for, with every `%XX` escape decoded once.
pub fn percent_decode(text: &str) -> Vec<u8> {
    // ANCHOR: solution stub: todo!("turn each %XX into the byte XX, and copy every other byte")
    // The value of one hex digit, upper or lower case.
    let hex = |digit: u8| (digit as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let [b'%', high, low, ..] = bytes[i..] {
            if let (Some(high), Some(low)) = (hex(high), hex(low)) {
                decoded.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    decoded
    // ANCHOR_END: solution
}

/// The relative file path for the URL path `raw_path`, or why it is refused.
pub fn safe_path(raw_path: &str) -> Result<PathBuf, Refusal> {
    // ANCHOR: solution stub: todo!("decode the whole path, then split it at '/' and check each segment")
    let decoded = percent_decode(raw_path);
    let mut relative = PathBuf::new();
    for segment in decoded.split(|&byte| byte == b'/') {
        match segment {
            b"" | b"." => continue,
            b".." => return Err(Refusal::ParentSegment),
            _ if segment.contains(&b'\\') || segment.contains(&0) => {
                return Err(Refusal::ForbiddenByte);
            }
            _ => {}
        }
        let name = std::str::from_utf8(segment).map_err(|_| Refusal::NotUtf8)?;
        relative.push(name);
    }
    Ok(relative)
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
