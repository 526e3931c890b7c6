//! Limits and timeouts: the numbers that keep one bad client from hurting everyone else.
//!
//! What it teaches: a server that reads "until the client is done" can be held forever by a
//! client that never is. Every read is bounded in size and in time; chapter 2 ("HTTP") walks
//! through each number. Every value is also a command-line flag (see `cli`).
//!
//! Choices made here, with their reasons:
//! - `max_request_line` 8 KiB: RFC 9112 §3 recommends supporting at least 8000 octets; longer
//!   lines get 414 (URI Too Long).
//! - `max_header_bytes` 32 KiB and `max_headers` 100: generous for browsers (a few KiB of
//!   cookies), small enough to bound memory per connection; past either, 431.
//! - `max_body` 128 MiB: bodies are streamed, so this guards disk and time, not memory; a
//!   *declared* larger body gets 413 before a byte of it is read.
//! - `header` timeout 10 s for the whole head, counted from its first byte: a slowloris client
//!   that trickles header bytes is cut off; it gets 408 and the connection is closed.
//! - `body` timeout 20 s, growing by one second for each 500 bytes received (the rule of
//!   Apache's mod_reqtimeout): a slow but honest upload finishes, a stalled one does not hold a
//!   worker thread forever.
//! - `keep_alive` 5 s: how long an idle persistent connection may wait for its next request
//!   (nginx uses 75 s, Apache 5 s). A waiting connection is parked and holds no thread, only
//!   its socket and two 8 KiB buffers, so this could be longer; 5 s keeps idle sockets few.
//! - `send` 30 s: how long a write may block on a client that stopped reading.
//! - `max_connections` 1024: connections open at once, parked or in progress (each costs a
//!   socket and its buffers, and a worker thread while a request is in progress); past the
//!   cap new clients get 503.

use std::time::Duration;

/// Size limits on what a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest request line (method, target and version), in bytes.
    pub max_request_line: usize,
    /// Largest header section (all field lines together), in bytes.
    pub max_header_bytes: usize,
    /// Most header field lines.
    pub max_headers: usize,
    /// Largest request body, declared or de-chunked, in bytes.
    pub max_body: u64,
}

// ANCHOR: limits_default
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_line: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_body: 128 * 1024 * 1024,
        }
    }
}
// ANCHOR_END: limits_default

/// Time limits on what a client may make the server wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Time to receive a whole request head once its first byte arrived.
    pub header: Duration,
    /// Base allowance for a request body; grows by one second per [`BODY_MIN_RATE`] bytes.
    pub body: Duration,
    /// Time an idle keep-alive connection waits for the next request.
    pub keep_alive: Duration,
    /// Time one write may block on a client that does not read.
    pub send: Duration,
}

/// Bytes per second a body upload must average to keep extending its deadline.
pub const BODY_MIN_RATE: u64 = 500;

// ANCHOR: timeouts_default
impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header: Duration::from_secs(10),
            body: Duration::from_secs(20),
            keep_alive: Duration::from_secs(5),
            send: Duration::from_secs(30),
        }
    }
}
// ANCHOR_END: timeouts_default

/// Everything the server loop needs to know besides the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The `Server` header value and the `SERVER_SOFTWARE` of later lessons, e.g. `lesson02-http/0.1.0`.
    pub server_software: String,
    /// Most connections served at once; past it new clients get 503.
    pub max_connections: usize,
    /// Size limits.
    pub limits: Limits,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Print a backtrace after each panic (`--backtrace`); otherwise a panic is one log line
    /// (see [`crate::panics`]).
    pub backtraces: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            server_software: format!("server-core/{}", env!("CARGO_PKG_VERSION")),
            max_connections: 1024,
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            backtraces: false,
        }
    }
}
