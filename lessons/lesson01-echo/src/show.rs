//! Showing the bytes of a request: the idea of lesson 01 (chapter 1, "Raw TCP").
//!
//! What it teaches: HTTP is bytes on a TCP connection. This server does not understand HTTP
//! at all. It reads what the client sends, prints it between `BEGIN REQUEST` and
//! `END REQUEST`, and answers with a response written out by hand: a status line, four header
//! fields, an empty line and `Hello, World!`. A browser pointed at it shows the greeting, and
//! the terminal shows the request the browser really sent.
//!
//! The hard part is knowing when the request has arrived without parsing HTTP, and it is
//! the reason lesson 02 exists. [`read_request`] uses two rules of thumb:
//!
//! 1. A request head ends with an empty line (`\r\n\r\n`, or `\n\n` from a sloppy client), so
//!    it reads until one has arrived.
//! 2. A body may follow the head, so it goes on reading until the client has been quiet for
//!    [`QUIET_PERIOD`].
//!
//! Both rules are bounded: at most [`MAX_REQUEST_BYTES`], and [`DEADLINE`] for everything, so a
//! client that connects and says nothing cannot keep a thread forever.
//!
//! Rule 2 is a guess, and it is wrong whenever the body is late: on a slow network, or when
//! `curl` sends `Expect: 100-continue` and waits a second for a go-ahead that this server never
//! gives. The only way to *know* how many body bytes follow is to read the head's
//! `Content-Length` (or to decode `Transfer-Encoding: chunked`), and that is exactly what
//! lesson 02 parses.
//!
//! Choices made here:
//! - The bytes are shown, not decoded. Printable ASCII and tabs appear as they are, and a line
//!   ending (CRLF or a bare LF) appears as a line break. Every other byte appears as `\xNN`: a
//!   CR that does not end a line, an escape character, each byte of a UTF-8 character. A
//!   backslash appears doubled (`\\`), so every `\xNN` on screen really was one byte. The
//!   learner sees that `é` is two bytes, and a client cannot move the cursor or recolour the
//!   terminal.
//! - The printout of one connection is a single write to a locked stdout, so two clients served
//!   at the same time never interleave their lines.
//! - The greeting is sent only when a whole head arrived. A client that sent half a head, or
//!   nothing, is shown and then closed without an answer.
//! - Every response says `Connection: close`: one request per connection keeps this server
//!   free of keep-alive logic. It even sends its body in answer to `HEAD`, which a real server
//!   must not do (lesson 02 gets it right).
//! - Closing is gentle: the server stops sending, then reads and discards whatever the client
//!   still sends for up to [`LINGER`]. Closing a socket that has unread bytes makes the kernel
//!   send a reset, and a reset can destroy the response before the client has read it.

use std::fmt::Write as _;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant, SystemTime};

/// Most bytes read from one client; a request head is rarely more than a few KiB.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// How long one client may take in all, so a silent client cannot hold its thread forever.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// How long the client must stay quiet after the head before we stop waiting for a body.
pub const QUIET_PERIOD: Duration = Duration::from_millis(100);
/// How long a closing connection reads and discards what the client still sends.
pub const LINGER: Duration = Duration::from_secs(1);
/// The body of every response.
pub const GREETING: &str = "Hello, World!";

/// What was read from one client, and why reading stopped.
pub struct Received {
    /// Every byte the client sent, up to [`MAX_REQUEST_BYTES`].
    pub bytes: Vec<u8>,
    /// True once the empty line that ends a request head is among `bytes`: then we answer.
    pub head_complete: bool,
    /// Why reading stopped, shown under the bytes.
    pub stop: Stop,
}

/// Why reading a request stopped.
pub enum Stop {
    /// The head had arrived, then the client was quiet for [`QUIET_PERIOD`].
    Quiet,
    /// The client closed its side of the connection.
    Closed,
    /// [`MAX_REQUEST_BYTES`] arrived.
    Full,
    /// [`DEADLINE`] passed.
    Deadline,
    /// The connection failed, for example because the client reset it.
    Failed(io::Error),
}

impl Stop {
    /// A short explanation for the printout.
    fn describe(&self) -> String {
        match self {
            Stop::Quiet => format!(
                "the head had ended and the client was then quiet for {} ms",
                QUIET_PERIOD.as_millis()
            ),
            Stop::Closed => "the client closed its side of the connection".to_string(),
            Stop::Full => format!("the {MAX_REQUEST_BYTES}-byte cap was reached"),
            Stop::Deadline => format!("the {}-second deadline passed", DEADLINE.as_secs()),
            Stop::Failed(err) => format!("the connection failed: {err}"),
        }
    }
}

// ANCHOR: serve_connection
/// Serves one client: read its request, print it, answer `Hello, World!`, close.
pub fn serve_connection(mut stream: TcpStream) {
    let (Ok(client), Ok(server)) = (stream.peer_addr(), stream.local_addr()) else {
        return;
    };
    let received = read_request(&mut stream);
    print_request(client, server, &received);
    if received.head_complete {
        let _ = stream.set_write_timeout(Some(DEADLINE));
        let _ = stream.write_all(hello_response(SystemTime::now()).as_bytes());
    }
    close_gently(stream);
}
// ANCHOR_END: serve_connection

// ANCHOR: read_request
/// Reads until the head has ended and the client goes quiet, or a bound is reached.
pub fn read_request(stream: &mut TcpStream) -> Received {
    let deadline = Instant::now() + DEADLINE;
    let mut bytes = Vec::new();
    let mut head_complete = false;
    let mut chunk = [0u8; 4096];
    let stop = loop {
        if bytes.len() >= MAX_REQUEST_BYTES {
            break Stop::Full;
        }
        let Some(wait) = time_to_wait(deadline, head_complete) else {
            break Stop::Deadline;
        };
        if let Err(err) = stream.set_read_timeout(Some(wait)) {
            break Stop::Failed(err);
        }
        let room = chunk.len().min(MAX_REQUEST_BYTES - bytes.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => break Stop::Closed,
            Ok(n) => {
                // The empty line may straddle two reads: look back three bytes.
                let search_from = bytes.len().saturating_sub(3);
                bytes.extend_from_slice(&chunk[..n]);
                head_complete = head_complete || ends_head(&bytes[search_from..]);
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) if is_timeout(&err) && head_complete && Instant::now() < deadline => {
                break Stop::Quiet;
            }
            Err(err) if is_timeout(&err) => break Stop::Deadline,
            Err(err) => break Stop::Failed(err),
        }
    };
    Received {
        bytes,
        head_complete,
        stop,
    }
}

/// Before the head has ended we wait as long as the deadline allows; after it, only for a
/// quiet period. `None` once the deadline has passed.
fn time_to_wait(deadline: Instant, head_complete: bool) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return None;
    }
    Some(if head_complete {
        left.min(QUIET_PERIOD)
    } else {
        left
    })
}

/// True when `bytes` hold the empty line that ends a head: CRLF CRLF, or LF LF.
fn ends_head(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.windows(2).any(|w| w == b"\n\n")
}
// ANCHOR_END: read_request

/// A read timeout shows up as `WouldBlock` on Unix and `TimedOut` on Windows.
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

// ANCHOR: print_request
/// Prints what one client sent, in one write so that concurrent clients do not interleave.
fn print_request(client: SocketAddr, server: SocketAddr, received: &Received) {
    let mut text = format!("Client address: {client}\nServer address: {server}\nBEGIN REQUEST\n");
    text.push_str(&show_bytes(&received.bytes));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("END REQUEST\n");
    let _ = writeln!(
        text,
        "({} bytes; stopped reading because {})",
        received.bytes.len(),
        received.stop.describe()
    );
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Makes bytes safe and readable on a terminal; the module docs give the rules.
pub fn show_bytes(bytes: &[u8]) -> String {
    let mut shown = String::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            // A CR right before an LF is part of the line ending the LF prints.
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\n' | b'\t' => shown.push(byte as char),
            b'\\' => shown.push_str("\\\\"),
            0x20..=0x7e => shown.push(byte as char),
            _ => {
                let _ = write!(shown, "\\x{byte:02x}");
            }
        }
    }
    shown
}
// ANCHOR_END: print_request

// ANCHOR: hello_response
/// The whole answer, written by hand. `Content-Length` tells the client where the body
/// ends; `Date` is required of a server with a clock (RFC 9110 §6.6.1).
pub fn hello_response(now: SystemTime) -> String {
    format!(
        "HTTP/1.1 200 OK\r\n\
         Date: {date}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {length}\r\n\
         Connection: close\r\n\
         \r\n\
         {GREETING}",
        date = httpdate::fmt_http_date(now),
        length = GREETING.len(),
    )
}
// ANCHOR_END: hello_response

// ANCHOR: close_gently
/// Stops sending, then discards what the client still sends for up to [`LINGER`].
fn close_gently(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut scratch = [0u8; 4096];
    let mut discarded = 0;
    while discarded < MAX_REQUEST_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => discarded += n,
        }
    }
}
// ANCHOR_END: close_gently

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_print_as_lines_and_other_bytes_are_escaped() {
        assert_eq!(
            show_bytes(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            "GET / HTTP/1.1\nHost: x\n\n"
        );
        assert_eq!(show_bytes(b"a\tb\rc\x1b[31m"), "a\tb\\x0dc\\x1b[31m");
        assert_eq!(show_bytes("é\\".as_bytes()), "\\xc3\\xa9\\\\");
    }

    #[test]
    fn the_head_ends_at_an_empty_line() {
        assert!(ends_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(ends_head(b"GET / HTTP/1.0\n\n"));
        assert!(!ends_head(b"GET / HTTP/1.1\r\nHost: x\r\n"));
    }

    #[test]
    fn the_response_announces_the_length_of_its_body() {
        let response = hello_response(SystemTime::UNIX_EPOCH);
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, GREETING);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(head.contains("\r\nContent-Length: 13\r\n"));
        assert!(head.contains("\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
        assert!(head.ends_with("\r\nConnection: close"));
    }
}
