//! Exercise `hello_response`: write a whole HTTP/1.1 response by hand.
//!
//! The server of lesson 01 answers every request with bytes it writes out itself, with no
//! library in between. Chapter 1 (`book/src/ch01-raw-tcp.md`) takes that response apart
//! line by line; here you build it for any body.
//!
//! You write [`hello_response`]: the complete response carrying `body` as plain text. The
//! rules, from RFC 9112 and RFC 9110:
//!
//! - The first line is the status line `HTTP/1.1 200 OK` (RFC 9112 §4).
//! - Then these three header fields, each on its own line, in any order (RFC 9112 §5):
//!   - `Content-Type: text/plain; charset=utf-8`, since a Rust `&str` is UTF-8 (RFC 9110 §8.3);
//!   - `Content-Length: N`, where N is the length of the body in *bytes*, written in decimal
//!     (RFC 9110 §8.6): `héllo` is five characters but six bytes, and a client that is told
//!     too few stops reading early, one told too many waits for bytes that never come;
//!   - `Connection: close`: the server closes the connection after this one response
//!     (RFC 9112 §9.6), so the client need not wait for more.
//!
//!   You may add other fields, such as `Server`, but each of these three appears once.
//! - Every line ends with CRLF, `\r\n`, never a bare LF (RFC 9112 §2.1).
//! - One empty line ends the head; then comes the body, exactly as given, and nothing after
//!   it. The body is not text to tidy up: its own line feeds stay as they are.

// ANCHOR: exercise
/// The bytes of a complete `200 OK` response whose body is `body`, as plain UTF-8 text, after
/// which the server closes the connection.
pub fn hello_response(body: &str) -> Vec<u8> {
    // ANCHOR: solution stub: todo!("write the status line, three fields, an empty line, the body")
    let head = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {length}\r\n\
         Connection: close\r\n\
         \r\n",
        length = body.len(),
    );
    let mut response = head.into_bytes();
    response.extend_from_slice(body.as_bytes());
    response
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
