//! Exercise `head_end`: find where the head of a request ends.
//!
//! A server reads a request in pieces, as the bytes arrive. Before it can do anything with the
//! request it must know whether the whole head (the request line and the header fields) is
//! there yet, and where the body, if any, begins. Chapter 1 (`book/src/ch01-raw-tcp.md`)
//! shows why the empty line after the header fields is the only sign it gets.
//!
//! You write [`head_end`]: given the bytes received so far, the length of the head, counting
//! the empty line that ends it, or `None` while that empty line has not arrived. The rules,
//! from RFC 9112:
//!
//! - Every line of the head ends with CRLF (`\r\n`), but a server may also accept a bare LF
//!   (`\n`) (§2.2). So a line ends at a line feed, and an empty line is one with nothing, or
//!   only a CR, before its line feed. Endings may be mixed within one head.
//! - The head ends at the *first* empty line (§2.1). Whatever follows is the body and is not
//!   counted, even if it holds empty lines of its own.
//! - Empty lines before the request line are skipped, not taken for the end: a server should
//!   ignore at least one (§2.2), because some clients send an extra CRLF after a body. A head
//!   needs a request line before its empty line.
//! - The answer counts bytes, not characters: header values may hold any byte, and UTF-8
//!   text or not, each byte counts as one.

// ANCHOR: exercise
/// The length in bytes of the request head at the start of `bytes`, up to and including the
/// empty line that ends it; `None` while the head is incomplete.
///
/// `head_end(b"GET / HTTP/1.1\r\n\r\nBODY")` is `Some(18)`: the body starts at byte 18.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    // ANCHOR: solution stub: todo!("find the first empty line that comes after the request line")
    let mut line_start = 0;
    let mut seen_request_line = false;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte != b'\n' {
            continue;
        }
        // The line without its line feed: empty, or just the CR of a CRLF, is an empty line.
        let line = &bytes[line_start..i];
        let empty = line.is_empty() || line == b"\r";
        if empty && seen_request_line {
            return Some(i + 1);
        }
        seen_request_line = seen_request_line || !empty;
        line_start = i + 1;
    }
    None
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
